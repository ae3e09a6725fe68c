"""Issue 13, items 1–4 in the browser: every decision is shown again, reasons are required, dates are checked,
the vice-chair can send a dossier back. A building permit (QT-XD-01) walked by cv.ktht, motcua, tp.ktht, pct.
Screenshots: test-artifacts/browser/decisions-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from processes.keys import VN

from .conftest import shot
from .test_officer_flow import PDF, as_user, open_step, receive_more

pytestmark = pytest.mark.browser

TODAY = dt.datetime.now(VN).date()
OPINION = "Hồ sơ đủ điều kiện; công trình phù hợp quy hoạch chi tiết 1/500."


def fill(page, values: dict[str, str]) -> None:
    """Fill a step's form without sending it."""
    for name, value in values.items():
        field = page.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def refused(page, field: str) -> str:
    """Send the form; the page stays, the field is highlighted; return its message."""
    page.click("button[value=complete]")
    box = page.locator(f".field.has-error[data-field='{field}']")
    box.wait_for()
    return box.locator(".field-error").inner_text()


def done(page) -> str:
    """Send the form and return the confirmation."""
    page.click("button[value=complete]")
    page.wait_for_selector(".flash.success, .flash:not(.error)")
    return page.inner_text(".flash")


def test_reasons_dates_and_decisions_in_the_browser(page, live_server, tmp_path):
    server = live_server
    server.app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    code = receive_more(server, "Hoàng Thị Mai", 77)

    # The specialist asks for a supplement without saying what: refused before anything is sent.
    open_step(page, server, "cv.ktht", code, "Thẩm định hồ sơ")
    fill(page, {"ket_qua_tham_dinh": "bo_sung"})
    assert "*" in page.inner_text("[data-field='noi_dung_bo_sung'] label")  # required while "bổ sung" is chosen
    assert refused(page, "noi_dung_bo_sung") == "Bắt buộc nhập."
    shot(page, "decisions-01-supplement-without-content")
    fill(page, {"noi_dung_bo_sung": "Bổ sung bản vẽ mặt bằng móng."})
    assert "Tiếp nhận hồ sơ bổ sung" in done(page)

    # The counter: the supplement cannot be received before the applicant was notified.
    open_step(page, server, "motcua", code, "Tiếp nhận hồ sơ bổ sung")
    fill(page, {"ngay_thong_bao_bo_sung": TODAY.isoformat(),
                "ngay_nhan_bo_sung": (TODAY - dt.timedelta(days=5)).isoformat()})
    message = refused(page, "ngay_nhan_bo_sung")
    assert message.startswith("Không được trước ngày thông báo yêu cầu bổ sung") and f"{TODAY:%d/%m/%Y}" in message
    shot(page, "decisions-02-supplement-date")
    fill(page, {"ngay_nhan_bo_sung": TODAY.isoformat()})
    done(page)

    # The specialist approves with an opinion.
    open_step(page, server, "cv.ktht", code, "Thẩm định hồ sơ")
    fill(page, {"ket_qua_tham_dinh": "dat", "y_kien_tham_dinh": OPINION})
    done(page)

    # The head reads the specialist's opinion before deciding; a return needs a reason.
    open_step(page, server, "tp.ktht", code, "Xem xét hồ sơ")
    earlier = page.inner_text("#y-kien-truoc")
    assert "Ý kiến thẩm định" in earlier and OPINION in earlier and "Bổ sung bản vẽ mặt bằng móng." in earlier
    assert earlier.index(OPINION) < earlier.index("Bổ sung bản vẽ mặt bằng móng.")  # most recent first
    fill(page, {"ket_qua_xem_xet": "tra_lai"})
    assert refused(page, "y_kien_lanh_dao_phong") == "Bắt buộc nhập."
    page.set_input_files("#tep input[name=file]", files=[{"name": "du-thao-giay-phep.pdf",
                                                          "mimeType": "application/pdf", "buffer": PDF}])
    page.click("#tep button[type=submit]")
    page.wait_for_selector(".flash")
    fill(page, {"ket_qua_xem_xet": "duyet"})
    done(page)

    # The vice-chair sees the draft attached at the head's step, and returns the dossier with a reason (required).
    open_step(page, server, "pct", code, "Ký giấy phép")
    assert OPINION in page.inner_text("#y-kien-truoc")
    assert "du-thao-giay-phep.pdf" in page.locator("#y-kien-truoc article", has_text="Xem xét hồ sơ").inner_text()
    shot(page, "decisions-03-signing-step")
    fill(page, {"ket_qua_ky": "tra_lai"})
    assert refused(page, "y_kien_lanh_dao_ubnd") == "Bắt buộc nhập."
    fill(page, {"y_kien_lanh_dao_ubnd": "Làm rõ chỉ giới xây dựng phía đường liên xã."})
    assert "Xem xét hồ sơ, trình ký" in done(page)

    # The head sees why; the dossier page shows every step's values with the BPMN's labels.
    open_step(page, server, "tp.ktht", code, "Xem xét hồ sơ")
    assert "Làm rõ chỉ giới xây dựng phía đường liên xã." in page.inner_text("#y-kien-truoc")
    shot(page, "decisions-04-task-page-after-return")
    page.goto(f"{server.url}/dossiers/{code}")
    story = page.inner_text("main")
    for text in ("Kết quả thẩm định", "Đạt – đủ điều kiện cấp giấy phép", OPINION, "Trả lại lãnh đạo phòng xem xét lại",
                 "Ngày nhận đủ hồ sơ bổ sung", f"{TODAY:%d/%m/%Y}"):
        assert text in story, text
    shot(page, "decisions-05-dossier-page")
    # The form script raises nothing (the diagram viewer's own errors are another test's business).
    assert not [e for e in page.js_errors if "SVGMatrix" not in e], page.js_errors


def test_the_server_refuses_what_the_script_would(page, live_server):
    """Without the script (a stale page, a crafted post), the server gives the same message on the same field."""
    server = live_server
    code = receive_more(server, "Vũ Văn Nam", 78)
    open_step(page, server, "cv.ktht", code, "Thẩm định hồ sơ")
    page.evaluate("document.querySelectorAll('[data-rules]').forEach(e => e.removeAttribute('data-rules'))")
    fill(page, {"ket_qua_tham_dinh": "tu_choi"})
    page.click("button[value=complete]")
    page.wait_for_selector(".flash.error")
    assert page.locator(".field.has-error[data-field='ly_do'] .field-error").inner_text() == "Bắt buộc nhập."
    as_user(page, server, "cv.ktht", f"/dossiers/{code}")
