"""A building-permit dossier (QT-XD-01) walked through the pages by every role: reception with a scan,
appraisal asking for a supplement, the citizen seeing what is missing, the supplement received, an apology
asked and signed, approval, signature, registration, return, the citizen's rating, the leader's dashboard.
Screenshots of the main pages go to test-artifacts/browser/officer-*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from processes import reception
from processes.clock import SystemClock
from processes.keys import VN

from .conftest import login, shot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ID_NUMBER = "001203004567"
TODAY = dt.datetime.now(VN).date().isoformat()  # form dates may not precede the reception nor lie ahead

pytestmark = pytest.mark.browser


def as_user(page, server, username: str, path: str = "/tasks") -> None:
    """Start a fresh session as a demo user on a page."""
    page.context.clear_cookies()
    login(page, server, username, next_path=path)


def open_step(page, server, username: str, code: str, step: str, screenshot: str | None = None) -> None:
    """Log in, find the dossier's step in the inbox and open it."""
    as_user(page, server, username)
    if screenshot:
        shot(page, screenshot)
    page.fill("input[name=q]", code)
    page.click("form.filters button[type=submit]")
    link = page.locator("table.inbox a", has_text=step).first
    link.click()
    page.wait_for_selector("h1")
    assert step in page.inner_text("h1")


def receive_more(server, name: str, n: int) -> str:
    """Another building-permit dossier received straight through the use case (to fill the inboxes)."""
    counter = reception.Counter(reception.Applicant(name, f"00120300{n:04d}"),
                                form={"loai_giay_phep": "sua_chua_cai_tao", "dia_diem_xay_dung": "Xã An Hòa",
                                      "so_giay_chung_nhan_qsdd": "CS 777", "dien_tich_xay_dung": 80, "so_tang": 2})
    return reception.receive(server.db, "QT-XD-01", counter, "accepted", "motcua2", SystemClock()).ref


def finish_step(page, values: dict[str, str]) -> str:
    """Fill the step's generated form and submit it; return the confirmation message."""
    for name, value in values.items():
        field = page.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.click("button[value=complete]")
    page.wait_for_selector(".flash")
    return page.inner_text(".flash")


def test_building_permit_from_counter_to_return(page, live_server, tmp_path):
    server = live_server
    server.app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")

    # 1. The one-stop officer receives the dossier with its scan.
    as_user(page, server, "motcua", "/receive")
    shot(page, "officer-01-choose-procedure")
    page.click("a.card:has-text('QT-XD-01')")
    page.fill("[name='applicant.name']", "Trần Thị Bích Ngọc")
    page.fill("[name='applicant.id_number']", ID_NUMBER)
    page.fill("[name='applicant.phone']", "0912 345 678")
    page.fill("[name='applicant.email']", "ngoc@example.vn")
    page.fill("[name='applicant.address']", "Số 12, thôn Đông, xã An Hòa, huyện An Phú")
    page.select_option("[name='form.loai_giay_phep']", "xay_dung_moi")
    page.fill("[name='form.dia_diem_xay_dung']", "Thửa 215, tờ bản đồ 7, thôn Đông, xã An Hòa")
    page.fill("[name='form.so_giay_chung_nhan_qsdd']", "CS 012345")
    page.fill("[name='form.dien_tich_xay_dung']", "96")
    # First without the number of floors (required): the errors come back per field, nothing is stored.
    page.click("button:has-text('Ghi nhận')")
    assert "Bắt buộc nhập." in page.inner_text("main")
    shot(page, "officer-02-reception-errors")
    assert page.input_value("[name='applicant.name']") == "Trần Thị Bích Ngọc"  # values kept
    page.fill("[name='form.so_tang']", "3")
    page.set_input_files("input[name=files]", files=[{"name": "don-de-nghi.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF}])
    page.click("button:has-text('Ghi nhận')")
    page.wait_for_selector("#ma-ho-so")
    code = page.inner_text("#ma-ho-so").strip()
    assert re.fullmatch(r"H01-\d{6}-\d{4}", code)
    assert re.search(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}", page.inner_text("#ngay-hen"))
    shot(page, "officer-03-reception-accepted")
    with page.expect_popup() as receipt:
        page.click("a:has-text('In giấy tiếp nhận')")
    assert receipt.value.url.endswith(f"/dossiers/{code}/documents/receipt.pdf")
    receipt.value.close()

    # 2. The specialist appraises and asks for a supplement.
    open_step(page, server, "cv.ktht", code, "Thẩm định hồ sơ")
    shot(page, "officer-04-task-page")
    message = finish_step(page, {"ket_qua_tham_dinh": "bo_sung",
                                 "noi_dung_bo_sung": "Bổ sung bản vẽ mặt bằng móng có chữ ký của chủ đầu tư."})
    assert "Tiếp nhận hồ sơ bổ sung" in message
    others = [receive_more(server, name, n) for n, name in enumerate(("Lê Văn Cường", "Phạm Thu Hà", "Đoàn Minh Khôi"))]

    # 3. The citizen looks the dossier up from the receipt's QR link and sees what is missing.
    page.context.clear_cookies()
    page.goto(f"{server.url}/tra-cuu?ma={code}")
    page.fill("[name=so_giay_to]", "999999999999")
    page.click("button:has-text('Tra cứu')")
    assert "Không tìm thấy hồ sơ" in page.inner_text("main")
    page.fill("[name=so_giay_to]", ID_NUMBER)
    page.click("button:has-text('Tra cứu')")
    text = page.inner_text("main")
    assert "Yêu cầu bổ sung" in text and "Bổ sung bản vẽ mặt bằng móng" in text
    shot(page, "officer-06-citizen-supplement")

    # 4. The counter receives the supplement; the dossier goes back to appraisal.
    open_step(page, server, "motcua", code, "Tiếp nhận hồ sơ bổ sung")
    finish_step(page, {"ngay_thong_bao_bo_sung": TODAY, "ngay_nhan_bo_sung": TODAY,
                       "noi_dung_da_bo_sung": "Bản vẽ mặt bằng móng"})

    # 5. The appraisal will take longer: the specialist asks for an apology; the head of division signs it.
    as_user(page, server, "cv.ktht", f"/dossiers/{code}")
    page.fill("#apology-reason", "Cần kiểm tra lại hiện trạng thực địa sau khi bổ sung bản vẽ.")
    page.click("button:has-text('Đề nghị lãnh đạo ký thư xin lỗi')")
    page.wait_for_selector(".flash")
    as_user(page, server, "tp.ktht", "/notifications")
    assert code in page.inner_text("main")
    shot(page, "officer-07-notifications")
    page.locator("tr", has_text=code).locator("a", has_text="Xem").first.click()
    shot(page, "officer-08-apology")
    page.click("button:has-text('Ký thư xin lỗi')")
    page.wait_for_selector(".flash")
    assert "Đã ký" in page.inner_text("#xin-loi")

    # 6. Appraisal, approval, signature, registration, return.
    open_step(page, server, "cv.ktht", code, "Thẩm định hồ sơ", screenshot="officer-05-inbox")
    finish_step(page, {"ket_qua_tham_dinh": "dat", "ngay_kiem_tra_thuc_dia": TODAY,
                       "y_kien_tham_dinh": "Hồ sơ đủ điều kiện cấp phép."})
    open_step(page, server, "tp.ktht", code, "Xem xét hồ sơ")
    finish_step(page, {"ket_qua_xem_xet": "duyet"})
    open_step(page, server, "pct", code, "Ký giấy phép")
    finish_step(page, {"ngay_ky": TODAY})
    open_step(page, server, "vanthu", code, "Vào số")
    finish_step(page, {"so_giay_phep": "125/GPXD", "ngay_cap": TODAY})
    open_step(page, server, "motcua", code, "Trả giấy phép")
    message = finish_step(page, {"ngay_tra": TODAY, "hinh_thuc_tra": "truc_tiep", "nguoi_nhan": "Trần Thị Bích Ngọc",
                                 "le_phi": "75000"})
    assert "đã kết thúc xử lý" in message

    # 7. The whole story on the dossier page.
    page.goto(f"{server.url}/dossiers/{code}")
    story = page.inner_text("main")
    assert "Đã trả kết quả" in story and "Hẹn lại ngày trả" in story and "don-de-nghi.pdf" in story
    for officer in ("Nguyễn Thị Hoa", "Phạm Minh Đức", "Đặng Quốc Hùng", "Phan Thị Ngọc"):
        assert officer in story
    shot(page, "officer-09-dossier")

    # 8. The citizen rates the service, once.
    page.context.clear_cookies()
    page.goto(f"{server.url}/tra-cuu?ma={code}")
    page.fill("[name=so_giay_to]", ID_NUMBER)
    page.click("button:has-text('Tra cứu')")
    page.check("input[name=muc_do][value='5']")
    page.fill("[name=y_kien]", "Cán bộ hướng dẫn tận tình.")
    page.click("button:has-text('Gửi đánh giá')")
    assert "Cảm ơn" in page.inner_text("main") and "Rất hài lòng" in page.inner_text("main")
    assert page.locator("button:has-text('Gửi đánh giá')").count() == 0
    shot(page, "officer-10-citizen-rated")

    # 9. The leader's dashboard and the dossier list with its CSV export.
    as_user(page, server, "pct", "/dashboard")
    assert "QT-XD-01" in page.inner_text("main")
    shot(page, "officer-11-dashboard")
    page.goto(f"{server.url}/tasks?lang=en")
    assert "Inbox" in page.inner_text("main")
    page.goto(f"{server.url}/dossiers?lang=vi")
    page.goto(f"{server.url}/dossiers")
    shot(page, "officer-12-dossier-list")
    with page.expect_download() as download:
        page.click("a:has-text('Xuất CSV')")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode()) and code.encode() in content
    assert all(other.encode() in content for other in others)
    assert "Trần Thị Bích Ngọc".encode() in content
    assert not page.js_errors
