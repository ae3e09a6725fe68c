"""quytrinh's verification and poppler's pdfsig agree on every signature quytrinh makes.

Signed with a PKCS#12 file and with a SoftHSM2 token, a receipt and an apology rendered by documents/
are valid for the test CA to both; one byte changed after signing makes both say invalid; a file with
content added after signing is reported modified by quytrinh and not wholly signed by pdfsig.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.appearance import Appearance
from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from signing.trust import Trust
from signing.verify import EXPIRED, INVALID, MODIFIED, REVOKED, UNTRUSTED, VALID, verify_pdf

from .ca import Pki
from .conftest import PASSWORD, Pdfsig, Token

VICE_CHAIR = Appearance("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "Đỗ Minh Khôi")
POPPLER_VALID = "Signature is Valid."
POPPLER_TRUSTED = "Certificate is Trusted."


def flip_signed_byte(signed: bytes) -> bytes:
    """One byte changed inside the signed range: a letter of the producer fpdf2 wrote in the first revision."""
    at = signed.index(b"/Producer") + len(b"/Producer (") + 1
    changed = bytearray(signed)
    changed[at] ^= 0x01
    return bytes(changed)


def add_content(signed: bytes) -> bytes:
    """An incremental update after signing that draws on the page (what a forger would append)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 50 50 200 40 re f"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_pkcs12_signature_valid_for_both_and_a_changed_byte_invalid_for_both(receipt, apology, p12_key, trust,
                                                                              pdfsig: Pdfsig, tmp_path):
    for name, pdf in (("receipt", receipt), ("apology", apology)):
        signed = sign_pdf(pdf, p12_key, trust, appearance=VICE_CHAIR)
        [report] = verify_pdf(signed, trust)
        assert (report.status, report.signer, report.covers_whole_file) == (VALID, "Đỗ Minh Khôi", True)
        [poppler] = pdfsig.check(write(tmp_path, f"{name}.pdf", signed))
        assert (poppler["Signature Validation"], poppler["Certificate Validation"]) == (POPPLER_VALID,
                                                                                        POPPLER_TRUSTED)
        assert poppler["Signature Type"] == "ETSI.CAdES.detached" and poppler["whole"] == "yes"

        tampered = flip_signed_byte(signed)
        assert [r.status for r in verify_pdf(tampered, trust)] == [INVALID]
        [poppler] = pdfsig.check(write(tmp_path, f"{name}-tampered.pdf", tampered))
        assert poppler["Signature Validation"] != POPPLER_VALID  # "Digest Mismatch."


@pytest.mark.parametrize("label", ["signer", "signer-rsa"])
def test_token_signature_valid_for_both(receipt, trust, softhsm: Token, pdfsig: Pdfsig, tmp_path, label):
    signed = sign_pdf(receipt, softhsm.key(label=label), trust, appearance=Appearance("CÁN BỘ TIẾP NHẬN", ""))
    [report] = verify_pdf(signed, trust)
    assert (report.status, report.signer) == (VALID, "Đỗ Minh Khôi")
    [poppler] = pdfsig.check(write(tmp_path, "token.pdf", signed))
    assert (poppler["Signature Validation"], poppler["Certificate Validation"]) == (POPPLER_VALID, POPPLER_TRUSTED)
    [poppler] = pdfsig.check(write(tmp_path, "token-tampered.pdf", flip_signed_byte(signed)))
    assert poppler["Signature Validation"] != POPPLER_VALID


def test_second_signature_keeps_the_first_valid(apology, p12_key, trust, softhsm: Token, pdfsig: Pdfsig,
                                                tmp_path):
    once = sign_pdf(apology, softhsm.key(), trust)  # invisible, e.g. the specialist's
    twice = sign_pdf(once, p12_key, trust, appearance=VICE_CHAIR)
    assert [(r.field, r.status) for r in verify_pdf(twice, trust)] == [("ChuKySo1", VALID), ("ChuKySo2", VALID)]
    assert [p["Signature Validation"] for p in pdfsig.check(write(tmp_path, "twice.pdf", twice))] == [
        POPPLER_VALID, POPPLER_VALID]


def test_content_added_after_signing_is_modified(apology, p12_key, trust, pdfsig: Pdfsig, tmp_path):
    changed = add_content(sign_pdf(apology, p12_key, trust, appearance=VICE_CHAIR))
    [report] = verify_pdf(changed, trust)
    assert (report.status, report.covers_whole_file) == (MODIFIED, False)
    assert report.label == "Tệp đã bị sửa đổi sau khi ký"
    [poppler] = pdfsig.check(write(tmp_path, "changed.pdf", changed))
    assert poppler["whole"] == "no"  # pdfsig: the signature does not cover the whole document


def test_expired_certificate_reported_expired_by_both(apology, pki: Pki, trust, pdfsig: Pdfsig, tmp_path):
    # signed while the certificate was still valid (no timestamp), checked now that it has expired
    key = Pkcs12Key(pki.expired.p12(PASSWORD), PASSWORD)
    when = pki.expired.cert.not_valid_after_utc - dt.timedelta(days=10)
    signed = sign_pdf(apology, key, trust, now=when)
    [report] = verify_pdf(signed, trust)
    assert (report.status, report.label) == (EXPIRED, "Chứng thư số của người ký đã hết hạn")
    assert [r.status for r in verify_pdf(signed, trust, now=when)] == [VALID]  # as judged back then
    [poppler] = pdfsig.check(write(tmp_path, "expired.pdf", signed))
    assert poppler["Signature Validation"] == POPPLER_VALID
    assert poppler["Certificate Validation"] == "Certificate has Expired"


def test_untrusted_when_the_root_is_not_configured(apology, p12_key, trust):
    signed = sign_pdf(apology, p12_key, trust)
    [report] = verify_pdf(signed, Trust())
    assert (report.status, report.label) == (UNTRUSTED, "Chứng thư số không do tổ chức chứng thực được tin cậy cấp")


def test_unsigned_pdf_has_no_signature(receipt, trust):
    assert verify_pdf(receipt, trust) == []


def test_revoked_certificate_when_the_crl_says_so(apology, pki: Pki, trust, tmp_path):
    from signing.errors import SigningError

    from .ca import issue, revocation_list

    revoked = issue(pki.root, "Nguyễn Văn Thu Hồi")
    crl = write(tmp_path, "root.crl", revocation_list(pki.root, [revoked]))
    with_crl = Trust.from_paths([pki.root_file], crl_paths=[crl])
    key = Pkcs12Key(revoked.p12(PASSWORD), PASSWORD)
    signed = sign_pdf(apology, key, trust)  # the signer's side had no CRL
    [report] = verify_pdf(signed, with_crl)
    assert (report.status, report.label) == (REVOKED, "Chứng thư số của người ký đã bị thu hồi")
    assert [r.status for r in verify_pdf(sign_pdf(apology, p12_key_of(pki), trust), with_crl)] == [VALID]
    try:
        sign_pdf(apology, key, with_crl)
    except SigningError as err:
        assert (err.code, str(err)) == ("certificate_revoked", "Chứng thư số của người ký đã bị thu hồi.")
    else:
        raise AssertionError("signed with a revoked certificate")


def p12_key_of(pki: Pki) -> Pkcs12Key:
    return Pkcs12Key(pki.signer.p12(PASSWORD), PASSWORD)
