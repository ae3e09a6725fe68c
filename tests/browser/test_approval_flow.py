"""Issue 14 item 1 in the browser: iso submits a draft of QT-XD-01; the named reviewer (tp.nv) opens it from the
inbox, sees the diff and sends it back with a comment; iso reads the comment and submits again; the approver
(pct) approves, signing the ISO document with his stored key (the password typed on the page); version 2 is in force,
its ISO document downloads and the procedure page offers the signed copy, valid. Screenshots: test-artifacts/browser/
approval-*.png."""

from __future__ import annotations

import pytest

from demo.signing_keys import DEMO_KEY_PASSWORD

from .conftest import shot
from .signing_steps import demo_keys
from .test_officer_flow import as_user

pytestmark = pytest.mark.browser

CODE = "QT-XD-01"
COMMENT = "Ghi rõ thời hạn kiểm tra thực địa"


def _open_from_inbox(page, server, username: str, step: str) -> None:
    as_user(page, server, username)
    page.get_by_role("link", name=step).first.click()
    page.wait_for_url("**/quality/review/**")


def test_submit_review_send_back_resubmit_approve(page, live_server):
    server = live_server
    as_user(page, server, "iso", f"/quality/procedures/{CODE}")
    page.get_by_role("button", name="Tạo dự thảo mới từ phiên bản này").first.click()
    page.wait_for_load_state("networkidle")
    xml = page.request.get(f"{server.url}/quality/procedures/{CODE}/versions/2.bpmn").text()
    changed = xml.replace('name="Thẩm định hồ sơ, kiểm tra thực địa"', 'name="Thẩm định hồ sơ và kiểm tra thực địa"')
    assert changed != xml
    saved = page.request.put(f"{server.url}/api/procedures/{CODE}/draft", data={"xml": changed, "note": "Sửa tên"})
    assert saved.ok, saved.text()
    page.goto(f"{server.url}/quality/procedures/{CODE}?v=2")
    page.get_by_role("button", name="Trình phê duyệt").click()
    page.wait_for_load_state("networkidle")
    people = page.locator("#approval-people").inner_text()
    assert "Lý Văn Phúc" in people and "Nguyễn Văn Thành" in people and "đang ở bước này" in people
    shot(page, "approval-1-submitted")

    _open_from_inbox(page, server, "tp.nv", "Xem xét dự thảo quy trình")
    assert f"Xem xét quy trình {CODE}, lần ban hành 2" in page.locator("h1").inner_text()
    assert "Người nộp hồ sơ" not in page.content()
    assert "Thẩm định hồ sơ và kiểm tra thực địa" in page.locator("#diff").inner_text()
    page.wait_for_function("[...document.querySelectorAll('#diff img')].every(i => i.complete && i.naturalWidth)")
    shot(page, "approval-2-review")
    page.select_option("[name=ket_qua_xem_xet]", "tra_lai")
    page.fill("[name=y_kien_xem_xet]", COMMENT)
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state("networkidle")

    as_user(page, server, "iso", f"/quality/procedures/{CODE}")
    assert COMMENT in page.locator("#review-notes").inner_text()
    shot(page, "approval-3-returned")
    page.get_by_role("button", name="Trình phê duyệt").click()
    page.wait_for_load_state("networkidle")

    _open_from_inbox(page, server, "tp.nv", "Xem xét dự thảo quy trình")
    page.select_option("[name=ket_qua_xem_xet]", "dong_y")
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state("networkidle")

    demo_keys(server.db, ["pct"])  # the approver's demo key, as `quytrinh demo-org` gives it
    _open_from_inbox(page, server, "pct", "Phê duyệt, ký ban hành quy trình")
    assert f"Phê duyệt quy trình {CODE}, lần ban hành 2" in page.locator("h1").inner_text()
    page.select_option("[name=ket_qua_phe_duyet]", "phe_duyet")
    page.get_by_role("button", name="Ghi nhận").click()  # without the password: refused, nothing stored
    page.wait_for_load_state("networkidle")
    assert "hãy nhập mật khẩu của chứng thư số" in page.content()
    assert "/quality/review/" in page.url  # back on the approval page
    page.select_option("[name=ket_qua_phe_duyet]", "phe_duyet")
    assert page.input_value("[name=signing_title]") == "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    page.fill("[name=signing_password]", DEMO_KEY_PASSWORD)
    shot(page, "approval-4-sign")
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state("networkidle")
    offered = page.locator(".q-doc", has=page.locator("a.signed-document"))  # on the procedure page, version 2
    assert "PDF đã ký số" in offered.inner_text() and "Chữ ký số hợp lệ" in offered.inner_text()

    as_user(page, server, "iso", "/quality/procedures")
    row = page.locator("tr", has=page.get_by_role("link", name=CODE, exact=True))
    assert "02" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"{CODE}-lan-2.pdf"
    with open(download.value.path(), "rb") as body:
        assert body.read(5) == b"%PDF-"
    shot(page, "approval-5-in-force")
