"""Where the signer's private key lives: a PKCS#12 file, a PKCS#11 token, or a remote service (remote.py).

Every kind of key is opened the same way: `with key.open() as signer:` gives a pyHanko Signer that knows
the signer's certificate and the chain to embed; the token session or the file's key material is let go
when the block ends. Passwords and PINs are arguments, never stored (the caller asks at each signing).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from asn1crypto import x509
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from .errors import SigningError
from .trust import Trust

# A signature on an administrative document is a commitment: the certificate must allow signing content
# (digitalSignature) or commitments (nonRepudiation); either suffices (Vietnamese CAs usually set both).
SIGNING_USAGES = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


class Key(ABC):
    """A private key and its certificate, opened for one signing."""

    @abstractmethod
    @contextmanager
    def open(self) -> Iterator[Signer]:
        """The pyHanko signer for this key; closed (session logged out) when the block ends."""


@dataclass(frozen=True)
class Pkcs12Key(Key):
    """A PKCS#12 (.p12/.pfx) file's bytes and the password typed for this signing."""

    data: bytes = field(repr=False)
    password: str = field(repr=False)

    @contextmanager
    def open(self) -> Iterator[Signer]:
        try:
            signer = SimpleSigner.load_pkcs12_data(self.data, other_certs=(),
                                                   passphrase=self.password.encode() or None)
        except (ValueError, TypeError):
            raise SigningError("p12_unreadable") from None
        if signer is None or signer.signing_cert is None:
            raise SigningError("p12_no_key")
        yield signer


@dataclass(frozen=True)
class Pkcs11Key(Key):
    """A key on a PKCS#11 token (the USB tokens of Vietnamese CAs; SoftHSM2 in tests).

    module: the vendor's PKCS#11 library (.so); token: the token's label; key: the label of the key and of
    its certificate on the token (CA tokens store both under one label).
    """

    module: str
    token: str
    key: str
    pin: str = field(default="", repr=False)

    @contextmanager
    def open(self) -> Iterator[Signer]:
        # python-pkcs11 is imported here so that PKCS#12-only deployments need no PKCS#11 library at all.
        from pkcs11 import exceptions as p11
        from pyhanko.sign import pkcs11 as hanko11
        from pyhanko.sign.general import SigningError as HankoSigningError

        try:
            session = hanko11.open_pkcs11_session(
                self.module, token_criteria=hanko11.TokenCriteria(label=self.token), user_pin=self.pin or None)
        except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange, p11.PinLocked, p11.PinExpired,
                p11.UserPinNotInitialized):
            raise SigningError("token_login_failed") from None
        except p11.PKCS11Error as exc:  # (a RuntimeError) python-pkcs11 says which it was only in the message
            if "No token" in str(exc):
                raise SigningError("token_not_found", token=self.token) from None
            if "OS exception while loading" in str(exc):  # dlopen failed: no such file, wrong architecture
                raise SigningError("token_module_missing", module=self.module) from None
            raise SigningError("token_error", detail=str(exc) or type(exc).__name__) from None
        except OSError:
            raise SigningError("token_module_missing", module=self.module) from None
        try:
            signer = hanko11.PKCS11Signer(session, key_label=self.key, cert_label=self.key)
            try:
                asyncio.run(signer.ensure_objects_loaded())
            except (p11.PKCS11Error, HankoSigningError):  # NoSuchKey, or "Could not find certificate…"
                raise SigningError("token_key_not_found", key=self.key) from None
            if signer.signing_cert is not None and signer.signing_cert.public_key.algorithm == "ec":
                # Many tokens (SoftHSM2 among them) do only raw ECDSA, not ECDSA-with-SHA256: hash here.
                signer.use_raw_mechanism = True
            yield signer
        finally:
            session.close()


def _vn_date(value: dt.datetime) -> str:
    return value.strftime("%d/%m/%Y")


def check_certificate(signer: Signer, trust: Trust, now: dt.datetime) -> None:
    """Refuse a certificate that is expired, not yet valid, revoked, untrusted or not meant for signing.

    The dates are checked first and by themselves so that the message says which date is wrong; then the
    path to a trusted root, with revocation as far as the trust allows (see trust.py).
    """
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("p12_no_key")
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    if now > not_after:
        raise SigningError("certificate_expired", date=_vn_date(not_after))
    if now < not_before:
        raise SigningError("certificate_not_yet_valid", date=_vn_date(not_before))
    chain: list[x509.Certificate] = list(signer.cert_registry) if signer.cert_registry is not None else []
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=trust.context(now))
    try:
        asyncio.run(validator.async_validate_path())
        SIGNING_USAGES.validate(cert)
    except RevokedError:
        raise SigningError("certificate_revoked") from None
    except ExpiredError:
        raise SigningError("certificate_expired", date=_vn_date(not_after)) from None
    except NotYetValidError:
        raise SigningError("certificate_not_yet_valid", date=_vn_date(not_before)) from None
    except (PathBuildingError, PathValidationError):
        raise SigningError("certificate_untrusted") from None
    except InvalidCertificateError:
        raise SigningError("certificate_not_for_signing") from None
