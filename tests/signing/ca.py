"""A throwaway certificate authority for the signing tests, made with `cryptography`.

root → signer certificates: valid now, expired, and one from another CA that nobody trusts. Keys are
EC P-256 (fast to make); `rsa=True` gives the RSA 2048 keys Vietnamese CAs issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC)


def _name(cn: str, email: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


@dataclass
class Issued:
    """A certificate and its key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_der(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def p12(self, password: str, chain: list[Issued] = ()) -> bytes:  # type: ignore[assignment]
        return pkcs12.serialize_key_and_certificates(
            b"signer", self.key, self.cert, [c.cert for c in chain],
            serialization.BestAvailableEncryption(password.encode()))


def make_root(cn: str) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(cn)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=3650)).not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(cert, key)


def issue(ca: Issued, cn: str, email: str = "", *, not_before: dt.datetime | None = None,
          not_after: dt.datetime | None = None, rsa_key: bool = False) -> Issued:
    key = rsa.generate_private_key(65537, 2048) if rsa_key else ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(cn, email)).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - dt.timedelta(days=30))
            .not_valid_after(not_after or NOW + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            # where the CA publishes its CRL, as real signing certificates say (never fetched in tests)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier("http://ca.quytrinh.test/root.crl")], None, None, None)]),
                critical=False)
            .sign(ca.key, hashes.SHA256()))
    return Issued(cert, key)


def revocation_list(ca: Issued, revoked: list[Issued]) -> bytes:
    """A CRL of `ca` (DER) revoking these certificates since yesterday, valid for a week."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(NOW - dt.timedelta(days=1)).next_update(NOW + dt.timedelta(days=7)))
    for issued in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(issued.cert.serial_number)
            .revocation_date(NOW - dt.timedelta(days=1)).build())
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@dataclass
class Pki:
    """The test CA, its signers, and the root as a file (for Trust and for pdfsig's NSS database)."""

    root: Issued
    signer: Issued
    expired: Issued
    stranger: Issued  # issued by another CA, not trusted
    root_file: Path


def make_pki(folder: Path, signer_name: str = "Đỗ Minh Khôi", email: str = "pct@donganh.gov.vn") -> Pki:
    root = make_root("quytrinh Test Root CA")
    other = make_root("Unknown CA")
    signer = issue(root, signer_name, email)
    expired = issue(root, signer_name, email, not_before=NOW - dt.timedelta(days=400),
                    not_after=NOW - dt.timedelta(days=35))
    stranger = issue(other, signer_name, email)
    root_file = folder / "root.pem"
    root_file.write_bytes(root.pem())
    return Pki(root, signer, expired, stranger, root_file)
