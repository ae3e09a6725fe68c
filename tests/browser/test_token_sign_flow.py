"""Signing with a PKCS#11 token in the browser (issue 16, keys way 2): the server's PKCS#11 library is configured
(QUYTRINH_PKCS11_MODULE, SoftHSM2 here); the head of division records his token and key labels on the personal page
(checked with the PIN, which is not kept), then at the step that signs the result signs the permit typing the PIN;
the signed copy is valid for quytrinh and for poppler's pdfsig, and the step completes. A wrong PIN and a token that
is not plugged in are refused in Vietnamese and store nothing.

Screenshots: test-artifacts/browser/token-flow-*.png.
"""

from __future__ import annotations

import subprocess

import pytest

from documents.layout import Document, Paragraph, Title
from documents.pdf import render_pdf
from processes import attachments
from tests.signing.ca import issue
from tests.signing.conftest import PIN, TOKEN, Pdfsig, need, shared_pki, shared_token

from .conftest import login, shot
from .signing_steps import case_at_signing_step, complete_signing_step, signing_server
from .test_sign_flow import sign_file, statuses

LABEL = "dang-quoc-hung"


@pytest.fixture(scope="module")
def token_case(live_server, tmp_path_factory):
    """The head's key on the SoftHSM2 token, the server configured for it; a case at the signing step (tp.ktht)
    with the unsigned permit attached; (case id, task id, pdfsig trusting the test root, a folder)."""
    pki = shared_pki(tmp_path_factory)
    token = shared_token(tmp_path_factory)
    token.put(LABEL, issue(pki.root, "ĐẶNG QUỐC HÙNG", "hung.dq@donganh.gov.vn"))
    folder = tmp_path_factory.mktemp("token-flow")
    with signing_server(live_server, folder, QUYTRINH_TRUST_ROOTS=str(pki.root_file),
                        QUYTRINH_PKCS11_MODULE=token.module):
        case, _code, task = case_at_signing_step(live_server)
        permit = render_pdf(Document("Giấy phép xây dựng", [
            Title("GIẤY PHÉP XÂY DỰNG", ("Số: 13/GPXD",)),
            Paragraph("Cấp cho: Trần Văn B. Công trình: nhà ở riêng lẻ.")]))
        db, clock = live_server.db, live_server.app.extensions["quytrinh.clock"]
        attachments.attach(db, db.attachments_root, case, "giay-phep.pdf", permit, "cv.ktht", clock)
        nss = folder / "nss"
        nss.mkdir()
        certutil = need("certutil", "libnss3-tools")
        need("pdfsig", "poppler-utils")
        subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
        subprocess.run([certutil, "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i", str(pki.root_file)],
                       check=True, capture_output=True)
        yield case, task, Pdfsig(nss), folder


def record_token(page, server, token: str, pin: str) -> str:
    page.goto(f"{server.url}/signing-key")
    page.fill("#token-form input[name=token]", token)
    page.fill("#token-form input[name=key]", LABEL)
    page.fill("#token-form input[name=pin]", pin)
    page.click("#token-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def test_token_recorded_then_the_permit_signed_with_the_pin(page, live_server, token_case):
    server, (case, task, pdfsig, folder) = live_server, token_case
    login(page, server, "tp.ktht")
    wrong = record_token(page, server, TOKEN, "000000")
    assert "sai mã PIN" in wrong and "Chưa lưu chứng thư số nào." in wrong
    absent = record_token(page, server, "token-khong-cam", PIN)
    assert "hãy cắm token" in absent and "Chưa lưu chứng thư số nào." in absent
    kept = record_token(page, server, TOKEN, PIN)
    assert "Đã ghi nhận thiết bị ký số" in kept and TOKEN in kept and LABEL in kept and "ĐẶNG QUỐC HÙNG" in kept
    shot(page, "token-flow-1-recorded")

    refused = sign_file(page, server, task, "giay-phep.pdf", "000000")
    assert "sai mã PIN" in refused and "giay-phep-da-ky-so.pdf" not in statuses(page)
    signed = sign_file(page, server, task, "giay-phep.pdf", PIN)
    assert "Đã ký số và đính kèm tệp" in signed, signed[:400]
    found = statuses(page)
    assert found["giay-phep.pdf"] == "Tệp không có chữ ký số" and found["giay-phep-da-ky-so.pdf"] == "Chữ ký số hợp lệ"
    shot(page, "token-flow-2-signed")
    copy = next(a for a in attachments.of_case(server.db, case)
                if a.filename == "giay-phep-da-ky-so.pdf")
    (folder / "signed.pdf").write_bytes(attachments.blob_path(server.db.attachments_root, copy.sha256).read_bytes())
    [checked] = pdfsig.check(folder / "signed.pdf")
    assert (checked["Signature Validation"], checked["Certificate Validation"]) == (
        "Signature is Valid.", "Certificate is Trusted.")

    complete_signing_step(page, server, task)
