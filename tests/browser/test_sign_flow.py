"""Signing in the browser (issue 16 acceptance): the head of department keeps a PKCS#12 made by a throwaway
CA (tests/signing/ca.py, `cryptography`) on the personal page, then at the step that signs the result signs a
receipt, an apology letter and a permit — the password asked at each signing — and sees each signed copy
marked valid beside its unsigned original; the step then completes. A wrong password, another person's
certificate and an untrusted one are refused in Vietnamese and store nothing.

Screenshots: test-artifacts/browser/sign-flow-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from documents.forms import render_form
from documents.layout import Document, Paragraph, Title
from documents.pdf import render_pdf
from processes import attachments
from tests.documents.sample import sample_dossier
from tests.signing.ca import issue, make_pki

from .conftest import login, shot
from .signing_steps import case_at_signing_step, complete_signing_step, signing_server

PASSWORD = "mật khẩu ký số"


@pytest.fixture(scope="module")
def signing(live_server, tmp_path_factory):
    """A case of the test procedure at its signing step (tp.ktht), three PDFs attached to the dossier."""
    folder = tmp_path_factory.mktemp("signing")
    pki = make_pki(folder)
    with signing_server(live_server, folder, QUYTRINH_TRUST_ROOTS=str(pki.root_file)):
        case, code, task = case_at_signing_step(live_server)
        day = dt.date(2026, 1, 5)
        permit = render_pdf(Document("Giấy phép xây dựng", [
            Title("GIẤY PHÉP XÂY DỰNG", ("Số: 12/GPXD",)),
            Paragraph("Cấp cho: Nguyễn Văn A. Công trình: nhà ở riêng lẻ.")]))
        db, clock = live_server.db, live_server.app.extensions["quytrinh.clock"]
        for name, data in (("giay-tiep-nhan.pdf", render_form("receipt", sample_dossier(), on_date=day)),
                           ("van-ban-xin-loi.pdf", render_form("apology", sample_dossier(), on_date=day)),
                           ("giay-phep.pdf", permit)):
            attachments.attach(db, db.attachments_root, case, name, data, "cv.ktht", clock)
        yield pki, code, task


def upload(page, server, data: bytes, password: str, tmp_path) -> str:
    path = tmp_path / "chung-thu.p12"
    path.write_bytes(data)
    page.goto(f"{server.url}/signing-key")
    page.set_input_files("input[name=p12]", str(path))
    page.fill("input[name=password]", password)
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def sign_file(page, server, task: str, filename: str, password: str) -> str:
    page.goto(f"{server.url}/tasks/{task}")
    item = page.locator("ul.files li", has=page.locator(f"a:text-is('{filename}')"))
    item.locator("input[name=password]").fill(password)
    item.locator("input[name=title]").fill("TRƯỞNG PHÒNG")
    item.locator("button:has-text('Ký số')").click()
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def statuses(page) -> dict[str, str]:
    rows = page.eval_on_selector_all("ul.files li", "lis => lis.map(li => [li.querySelector('a').textContent,"
                                     " (li.querySelector('.badge') || {}).textContent || ''])")
    return {name.strip(): badge.strip() for name, badge in rows}


def test_key_on_the_personal_page_then_three_documents_signed_at_the_step(page, live_server, signing, tmp_path):
    server, (pki, code, task) = live_server, signing
    login(page, server, "tp.ktht")
    stranger = upload(page, server, pki.stranger.p12(PASSWORD), PASSWORD, tmp_path)
    assert "Chưa lưu chứng thư số nào." in stranger  # an untrusted CA: refused, nothing kept
    other = upload(page, server, pki.signer.p12(PASSWORD), PASSWORD, tmp_path)  # Đỗ Minh Khôi's certificate
    assert "Đỗ Minh Khôi" in other and "Chưa lưu chứng thư số nào." in other
    mine = issue(pki.root, "ĐẶNG QUỐC HÙNG").p12(PASSWORD)
    assert "Không mở được tệp chứng thư số PKCS#12" in upload(page, server, mine, "sai", tmp_path)
    kept = upload(page, server, mine, PASSWORD, tmp_path)
    assert "Đã lưu chứng thư số" in kept and "ĐẶNG QUỐC HÙNG" in kept
    shot(page, "sign-flow-1-key-kept")

    wrong = sign_file(page, server, task, "giay-phep.pdf", "sai")
    assert "Không mở được tệp chứng thư số PKCS#12" in wrong and "giay-phep-da-ky-so.pdf" not in statuses(page)
    for name in ("giay-tiep-nhan.pdf", "van-ban-xin-loi.pdf", "giay-phep.pdf"):
        text = sign_file(page, server, task, name, PASSWORD)
        assert "Đã ký số và đính kèm tệp" in text, text[:400]
    found = statuses(page)
    for stem in ("giay-tiep-nhan", "van-ban-xin-loi", "giay-phep"):
        assert found[f"{stem}.pdf"] == "Tệp không có chữ ký số"  # the original stays as it was
        assert found[f"{stem}-da-ky-so.pdf"] == "Chữ ký số hợp lệ"
    shot(page, "sign-flow-2-signed")

    page.goto(f"{server.url}/dossiers/{code}")
    assert statuses(page)["giay-phep-da-ky-so.pdf"] == "Chữ ký số hợp lệ"
    assert "ĐẶNG QUỐC HÙNG" in page.get_attribute("ul.files li:has(a:text-is('giay-phep-da-ky-so.pdf')) .badge",
                                                  "title")
    timeline = page.eval_on_selector_all("ol.timeline li", "lis => lis.map(li => li.innerText)")
    added = [t for t in timeline if "giay-phep-da-ky-so.pdf" in t]
    assert added and "Chữ ký số hợp lệ" in added[0]  # the timeline says it too
    assert "Tệp không có chữ ký số" in next(t for t in timeline if "giay-phep.pdf" in t)
    shot(page, "sign-flow-3-dossier")

    complete_signing_step(page, server, task)
