"""Signing keys of the demo district (issue 16): a demo CA, and a PKCS#12 key for each leader, kept like an upload.

A procedure step marked `sign="result"` (QT-KD-01's Task_KyGiayChungNhan) completes only with a PDF signed by
its performer, so the demo's leaders need keys. `quytrinh demo-org` (and the demo year, for a leader still
without one) makes them with `cryptography`:

- a demo CA, "quytrinh DEMO CA", whose root certificate is written to the installation's trust folder
  (processes.paths.trust_dir: QUYTRINH_TRUST_DIR, else <instance>/trust) — the demo installation trusts it,
  an installation that never loaded the demo organisation does not; its private key is thrown away once the
  leaders' certificates are issued, so nobody can issue another certificate under it;
- for each user holding a leader role: an EC P-256 key and a certificate naming the user's full name (and
  e-mail, when the user has one), packed in a PKCS#12 whose password is DEMO_KEY_PASSWORD (the demo users'
  published password), and stored through the product's own key store (processes.signer_keys: checked,
  sealed, bound to the username) — exactly what a leader uploading a file on the personal page gets.

A user's key is made again only when there is none or a demo key of theirs is about to expire; a key a user
uploaded themselves is never replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from processes import organisation, signer_keys
from processes.db import Database
from processes.paths import trust_dir
from processes.setup import DEMO_PASSWORD
from signing.trust import Trust

# The stored demo keys open with the demo users' published password (README): demo data, not a secret.
DEMO_KEY_PASSWORD = DEMO_PASSWORD
CA_NAME = "quytrinh DEMO CA (chỉ dùng cho dữ liệu mẫu)"
_RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class DemoKeys:
    """What ensure_keys did: the leaders given a key now, and the root certificate file of their CA."""

    made: tuple[str, ...]
    root_file: Path | None


def _name(cn: str, email: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def _make_ca(now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "quytrinh demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=800)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _issue(ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, full_name: str, email: str | None,
           now: dt.datetime) -> bytes:
    """A PKCS#12 (key, certificate, the CA's certificate) for one leader."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(full_name, email)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            # valid over the demo's simulated years before today, and five years on
            .not_valid_before(now - dt.timedelta(days=790)).not_valid_after(now + dt.timedelta(days=5 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        full_name.encode(), key, cert, [ca], serialization.BestAvailableEncryption(DEMO_KEY_PASSWORD.encode()))


def _needs_key(username: str, folder: Path | None, now: dt.datetime) -> bool:
    stored = signer_keys.stored(username, folder=folder)
    if stored is None:
        return True
    return stored.issuer == CA_NAME and stored.not_after < now + _RENEW_BEFORE  # an own upload is kept


def leaders(db: Database) -> list[str]:
    """The users holding a leader role in the organisation (those who sign)."""
    with db.read() as conn:
        return sorted({h.username for h in organisation.role_holders(conn) if h.role_kind == "leader"})


def ensure_keys(db: Database, usernames: list[str] | None = None, *, folder: Path | None = None,
                trusted: Path | None = None) -> DemoKeys:
    """Give every leader (or each of `usernames`) without a usable key a demo key; return who got one.

    folder: the key store (default signer_keys.keys_dir()); trusted: the trust folder the demo CA's root is
    written to (default paths.trust_dir()).
    """
    now = dt.datetime.now(dt.UTC)
    wanted = [u for u in (leaders(db) if usernames is None else usernames) if _needs_key(u, folder, now)]
    if not wanted:
        return DemoKeys((), None)
    ca, ca_key = _make_ca(now)
    pem = ca.public_bytes(serialization.Encoding.PEM)
    where = trusted or trust_dir()
    where.mkdir(parents=True, exist_ok=True)
    root_file = where / f"quytrinh-demo-ca-{hashlib.sha256(pem).hexdigest()[:12]}.pem"
    root_file.write_bytes(pem)
    trust = Trust(roots=(asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER)),))
    with db.read() as conn:
        people = {u: organisation.user_by_name(conn, u) for u in wanted}
    for username, user in people.items():
        data = _issue(ca, ca_key, user.full_name, user.email, now)
        signer_keys.store(db, username, data, DEMO_KEY_PASSWORD, folder=folder, trust=trust)
    return DemoKeys(tuple(wanted), root_file)
