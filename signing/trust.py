"""Which root certificates quytrinh trusts, and the validation contexts built from them.

An agency installs the national root CA certificate (Root CA of the Ministry of Information and
Communications, or the one its CA chains to) and names it in QUYTRINH_TRUST_ROOTS: files or folders
of PEM/DER certificates separated by the path separator (':' on Linux) — or drops them into the
installation's trust folder (QUYTRINH_TRUST_DIR; processes gives <instance>/trust as the default, where
`quytrinh demo-org` puts its demo CA). Nothing is trusted by default: a signature that chains to no
configured root is reported untrusted, never silently accepted.

Revocation is checked against the CRLs an agency downloads from its CAs (QUYTRINH_TRUST_CRLS: files of DER
or PEM CRLs, separated like the roots), what the PDF embeds, and online (CRL/OCSP URLs in the certificates)
only when QUYTRINH_SIGNATURE_FETCH=1: public offices often run without outbound internet, and a check that
cannot reach the CA must not make every signature invalid (soft-fail).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko_certvalidator import ValidationContext

ROOTS_ENV = "QUYTRINH_TRUST_ROOTS"
DIR_ENV = "QUYTRINH_TRUST_DIR"
CRLS_ENV = "QUYTRINH_TRUST_CRLS"
FETCH_ENV = "QUYTRINH_SIGNATURE_FETCH"
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one DER certificate."""
    if pem.detect(data):
        return [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"]
    return [x509.Certificate.load(data)]


def load_crl(data: bytes) -> bytes:
    """A CRL as DER, from DER or PEM ("X509 CRL")."""
    if pem.detect(data):
        return pem.unarmor(data)[2]
    return data


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in _CERT_SUFFIXES)
    return [path]


@dataclass(frozen=True)
class Trust:
    """Trusted roots and whether revocation may be fetched online."""

    roots: tuple[x509.Certificate, ...] = ()
    fetch_revocation: bool = False
    # Extra certificates (intermediates) that help build paths when a PDF or key omits them.
    intermediates: tuple[x509.Certificate, ...] = field(default=())
    # Certificate revocation lists (DER) published by the trusted CAs, as downloaded by the agency.
    crls: tuple[bytes, ...] = field(default=(), repr=False)

    @classmethod
    def from_paths(cls, paths: Iterable[str | os.PathLike[str]], fetch_revocation: bool = False,
                   crl_paths: Iterable[str | os.PathLike[str]] = ()) -> Trust:
        """Roots read from certificate files or folders of them; CRLs from CRL files."""
        roots: list[x509.Certificate] = []
        for path in map(Path, paths):
            for file in _files(path):
                roots.extend(load_certificates(file.read_bytes()))
        crls = [load_crl(Path(p).read_bytes()) for p in crl_paths]
        return cls(tuple(roots), fetch_revocation, (), tuple(crls))

    @classmethod
    def from_env(cls, default_dir: str | os.PathLike[str] | None = None) -> Trust:
        """The trust the deployment configured: QUYTRINH_TRUST_ROOTS, the certificates in the trust folder
        (QUYTRINH_TRUST_DIR, else `default_dir`; a folder that does not exist adds nothing), the CRLs of
        QUYTRINH_TRUST_CRLS, QUYTRINH_SIGNATURE_FETCH."""
        def listed(name: str) -> list[str]:
            return [p for p in os.environ.get(name, "").split(os.pathsep) if p.strip()]

        folder = os.environ.get(DIR_ENV) or default_dir
        extra = [folder] if folder and Path(folder).is_dir() else []
        return cls.from_paths([*listed(ROOTS_ENV), *extra], os.environ.get(FETCH_ENV, "") in ("1", "true", "yes"),
                              listed(CRLS_ENV))

    def context(self, moment: dt.datetime | None = None,
                other_certs: Iterable[x509.Certificate] = ()) -> ValidationContext:
        """A fresh validation context (contexts cache revocation data: one per check)."""
        return ValidationContext(trust_roots=list(self.roots), other_certs=[*self.intermediates, *other_certs],
                                 crls=list(self.crls), moment=moment, allow_fetching=self.fetch_revocation,
                                 revocation_mode="soft-fail")
