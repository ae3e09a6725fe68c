"""Verification of the signatures in any PDF, with a verdict a reader understands.

Each signature gets one status, decided in this order (the first that applies wins):
1. invalid   — the signed bytes or the signature itself do not check out (a byte changed, a broken CMS);
2. revoked   — the CA revoked the signer's certificate (known when revocation data could be had);
3. modified  — the file was changed after signing in a way other than adding signatures or filling
               form fields (an incremental update that rewrites content);
4. expired   — the certificate was not valid at the validation time (the timestamp's time if the
               signature has one, else now);
5. untrusted — the certificate does not chain to a configured trusted root (trust.py), or may not sign;
6. valid     — none of the above.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import asdict, dataclass
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import ModificationLevel, PdfSignatureStatus, SignatureCoverageLevel

from .errors import SigningError
from .trust import Trust

VALID, INVALID, REVOKED, MODIFIED, EXPIRED, UNTRUSTED = "valid", "invalid", "revoked", "modified", "expired", \
    "untrusted"
LABELS: dict[str, str] = {
    VALID: "Chữ ký số hợp lệ",
    INVALID: "Chữ ký số không hợp lệ: nội dung đã bị thay đổi hoặc chữ ký bị hỏng",
    REVOKED: "Chứng thư số của người ký đã bị thu hồi",
    MODIFIED: "Tệp đã bị sửa đổi sau khi ký",
    EXPIRED: "Chứng thư số của người ký đã hết hạn",
    UNTRUSTED: "Chứng thư số không do tổ chức chứng thực được tin cậy cấp",
}
NO_SIGNATURE = "Tệp không có chữ ký số"
_USAGES = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
_HARMLESS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


@dataclass(frozen=True)
class SignatureReport:
    """One signature of a PDF: its verdict and who signed when."""

    field: str
    status: str
    label: str
    signer: str
    signer_email: str
    issuer: str
    fingerprint: str  # SHA-256 of the signer's certificate (DER), hex
    signed_at: dt.datetime | None  # the time the signer's software claims
    timestamp: dt.datetime | None  # the time a TSA vouches for, if any
    covers_whole_file: bool
    not_after: dt.datetime

    @property
    def valid(self) -> bool:
        """True when the signature is valid in every respect."""
        return self.status == VALID

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready values (times ISO 8601)."""
        return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(self).items()}


def subject_field(cert: x509.Certificate, name: str) -> str:
    """One attribute of the certificate's subject ('common_name', 'email_address'…), '' when absent."""
    value = cert.subject.native.get(name, "")
    return str(value[-1] if isinstance(value, list) else value)


def certificate_emails(cert: x509.Certificate) -> set[str]:
    """The e-mail addresses a certificate names: its subject's emailAddress and its rfc822 alt names."""
    found = {subject_field(cert, "email_address")}
    alt = cert.subject_alt_name_value
    if alt is not None:
        found |= {n.native for n in alt if n.name == "rfc822_name"}
    return {e.strip().lower() for e in found if e}


def read_pdf(data: bytes) -> PdfFileReader:
    """A reader over PDF bytes, or SigningError('not_pdf' / 'pdf_unreadable')."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise SigningError("not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        _ = reader.root
        return reader
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise SigningError("pdf_unreadable", detail=str(exc) or type(exc).__name__) from None


def _status(st: PdfSignatureStatus, when: dt.datetime) -> str:
    if not (st.intact and st.valid):
        return INVALID
    if st.revoked:
        return REVOKED
    if st.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
            st.docmdp_ok is False or st.modification_level not in _HARMLESS):
        return MODIFIED
    validity = st.signing_cert["tbs_certificate"]["validity"]
    if not validity["not_before"].native <= when <= validity["not_after"].native:
        return EXPIRED
    return VALID if st.bottom_line and st.trusted else UNTRUSTED


def verify_pdf(data: bytes, trust: Trust, now: dt.datetime | None = None) -> list[SignatureReport]:
    """The report of every signature in the PDF, in the order they were made ([] when unsigned).

    now: judge as of this instant (tests, re-checks of an old decision); by default the present.
    """
    reader = read_pdf(data)
    moment = now  # None: pyHanko validates at the timestamp's time, else now
    now = now or dt.datetime.now(dt.UTC)
    reports = []
    for embedded in reader.embedded_regular_signatures:
        try:
            st = validate_pdf_signature(embedded, trust.context(moment), key_usage_settings=_USAGES)
        except Exception as exc:  # a signature pyHanko cannot even parse is not valid; say so, do not crash
            reports.append(_broken(embedded.field_name, exc))
            continue
        ts = st.timestamp_validity.timestamp if st.timestamp_validity is not None else None
        status = _status(st, ts or now)
        cert = st.signing_cert
        reports.append(SignatureReport(
            field=embedded.field_name, status=status, label=LABELS[status],
            signer=subject_field(cert, "common_name"), signer_email=",".join(sorted(certificate_emails(cert))),
            issuer=str(cert.issuer.native.get("common_name", "")),
            fingerprint=hashlib.sha256(cert.dump()).hexdigest(), signed_at=st.signer_reported_dt, timestamp=ts,
            covers_whole_file=st.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            not_after=cert["tbs_certificate"]["validity"]["not_after"].native))
    return reports


def _broken(field: str, exc: Exception) -> SignatureReport:
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return SignatureReport(field, INVALID, LABELS[INVALID], "", "", "", "", None, None, False, epoch)


def summary(reports: list[SignatureReport]) -> str:
    """One Vietnamese sentence for a whole file: unsigned, all valid, or the first problem."""
    if not reports:
        return NO_SIGNATURE
    bad = next((r for r in reports if not r.valid), None)
    return bad.label if bad else LABELS[VALID]
