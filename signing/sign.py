"""PAdES signing of PDF bytes: bytes in, signed bytes out; nothing is written anywhere.

The signature is PAdES baseline (ETSI.CAdES.detached, SHA-256) added as an incremental update, so the
bytes before it stay as they were and earlier signatures stay valid. The signer's certificate chain up to
the trusted root is embedded so that any validator (Adobe, poppler's pdfsig, the national portal) can
build the path without fetching. A PDF whose existing signatures no longer check out, an expired or
untrusted certificate, or a missing token are refused before anything is signed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import replace

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator import CertificateValidator

from .appearance import Appearance, block_text, find_box, stamp_style
from .errors import SigningError
from .keys import Key, check_certificate
from .trust import Trust
from .verify import INVALID, MODIFIED, read_pdf, subject_field, verify_pdf

VN = dt.timezone(dt.timedelta(hours=7), "ICT")


def _check_existing(pdf: bytes, trust: Trust) -> int:
    """The number of signatures already in the file; refuse a file changed after one of them."""
    reports = verify_pdf(pdf, trust)
    broken = next((r for r in reports if r.status in (INVALID, MODIFIED)), None)
    if broken is not None:
        raise SigningError("pdf_already_modified", detail=broken.label.lower())
    return len(reports)


def reserved_bytes(signer: Signer, tsa_url: str | None) -> int:
    """Room for the signature container, so that pyHanko does not size it by signing once more first (a dry run that
    a PKCS#12 key really signs: for an RSA key, loading and checking the key again): the embedded certificates, the
    signature value and signed attributes with a margin, and a timestamp token when one is asked for."""
    certs = [signer.signing_cert, *(signer.cert_registry or ())]
    room = sum(len(c.dump()) for c in certs if c is not None) + 8192
    room += 16384 if tsa_url else 0
    return room + room % 2  # pyHanko wants an even number


def _embed_chain(signer: Signer, trust: Trust, now: dt.datetime) -> None:
    """Put every certificate of the path to the trusted root into the signature (checked just before)."""
    cert = signer.signing_cert
    registry = signer.cert_registry
    if cert is None or registry is None:
        return
    validator = CertificateValidator(cert, intermediate_certs=list(registry), validation_context=trust.context(now))
    path = asyncio.run(validator.async_validate_path())
    registry.register_multiple([c for c in path.iter_certs(include_root=True) if c != cert])


def sign_pdf(pdf: bytes, key: Key, trust: Trust, *, appearance: Appearance | None = None,
             tsa_url: str | None = None, reason: str | None = None, location: str | None = None,
             now: dt.datetime | None = None) -> bytes:
    """The PDF signed with `key`: visibly when `appearance` is given, else invisibly.

    trust: the roots the signer's certificate must chain to. tsa_url: an RFC 3161 timestamp server
    whose token is added (the signature then keeps proving its time after the certificate expires).
    Raises SigningError (Vietnamese message) and returns nothing when anything is wrong.
    """
    read_pdf(pdf)
    count = _check_existing(pdf, trust)
    now = now or dt.datetime.now(dt.UTC)
    field_name = f"ChuKySo{count + 1}"
    with key.open() as signer:
        check_certificate(signer, trust, now)
        _embed_chain(signer, trust, now)
        if appearance is not None and not appearance.name and signer.signing_cert is not None:
            # no name given: the certificate's (Vietnamese CAs put the holder's full name in the CN)
            appearance = replace(appearance, name=subject_field(signer.signing_cert, "common_name"))
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason, location=location, name=appearance.name if appearance else None)
        timestamper = _timestamper(tsa_url)
        if appearance is not None:
            placement = appearance.placement or find_box(pdf)
            spec = fields.SigFieldSpec(field_name, on_page=placement.page, box=placement.box)
            style = stamp_style(appearance)
            params = {"body": block_text(appearance, now.astimezone(VN).strftime("%d/%m/%Y %H:%M"))}
        else:
            spec, style, params = fields.SigFieldSpec(field_name), None, {}
        pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style,
                                       new_field_spec=spec)
        out = io.BytesIO()
        try:
            pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out,
                                appearance_text_params=params, bytes_reserved=reserved_bytes(signer, tsa_url))
        except HankoSigningError as exc:
            raise SigningError("signing_failed", detail=str(exc)) from None
        except OSError as exc:  # TimestampRequestError is an IOError: the TSA did not answer properly
            if tsa_url:
                raise SigningError("timestamp_failed", url=tsa_url, detail=str(exc)) from None
            raise
        except Exception as exc:  # a token that fails mid-signature (pulled out, mechanism refused)
            if type(exc).__module__.startswith("pkcs11"):
                raise SigningError("token_error", detail=str(exc) or type(exc).__name__) from None
            raise
    return out.getvalue()


def _timestamper(tsa_url: str | None):  # -> HTTPTimeStamper | None (imported only when used)
    if not tsa_url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(tsa_url)
