"""A CCHC plan item worked to acceptance in the browser (issue 17): imported from the plan's appendix, carried out
by its lead unit (Phòng Tư pháp) with the product named, accepted by Phòng Nội vụ; the plan's progress page then
shows it done on time. Screenshots: test-artifacts/browser/cchc-*.png."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from oversight import plan_import
from processes import cchc_plan
from processes.clock import SystemClock
from processes.keys import VN

from .conftest import login, shot

pytestmark = pytest.mark.browser
TODAY = dt.datetime.now(VN).date()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _appendix() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["PHỤ LỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH"])
    sheet.append(["STT", "Nhiệm vụ", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Kinh phí (triệu đồng)",
                  "Thời gian hoàn thành"])
    sheet.append(["II", "CẢI CÁCH THỂ CHẾ"])
    sheet.append([1, "Rà soát, hệ thống hóa văn bản quy phạm pháp luật", "Báo cáo", "Phòng Tư pháp", "", 5,
                  f"Tháng 12/{TODAY.year}"])
    sheet.append([2, "Theo dõi thi hành pháp luật", "Báo cáo", "Phòng Tư pháp", "", None, "Thường xuyên"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open_step(page, server, username: str, key: str, step: str) -> None:
    page.context.clear_cookies()
    login(page, server, username, next_path="/tasks")
    page.fill("input[name=q]", key)
    page.click("form.filters button[type=submit]")
    page.locator("table.inbox a", has_text=step).first.click()
    page.wait_for_selector("h1")
    assert step in page.inner_text("h1")


def _finish(page, values: dict[str, str]) -> str:
    for name, value in values.items():
        field = page.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.click("button[value=complete]")
    page.wait_for_selector(".flash")
    return page.inner_text(".flash")


def test_a_plan_item_is_carried_out_and_accepted(page, live_server, tmp_path):
    server = live_server
    server.app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    plan_import.import_plan(server.db, _appendix(), TODAY.year, "cv.nv", SystemClock(), "phu-luc.xlsx")
    item = cchc_plan.plan_items(server.db, TODAY.year)[0]

    _open_step(page, server, "tp.tp", item.business_key, "Đơn vị chủ trì thực hiện nhiệm vụ")
    earlier = page.inner_text("#y-kien-truoc")  # what the plan asks, as Phòng Nội vụ gave it out
    assert "Rà soát, hệ thống hóa văn bản quy phạm pháp luật" in earlier and f"31/12/{TODAY.year}" in earlier
    # The product is attached to the item at the lead unit's step.
    page.set_input_files("#tep input[name=file]", files=[{"name": "bao-cao-31-BC-TP.pdf",
                                                          "mimeType": "application/pdf", "buffer": PDF}])
    page.click("#tep button[type=submit]")
    page.wait_for_selector(".flash")
    assert "bao-cao-31-BC-TP.pdf" in page.inner_text("#tep")
    shot(page, "cchc-01-lead-unit-step")
    _finish(page, {"ket_qua_thuc_hien": "Đã rà soát 42 văn bản, đề nghị bãi bỏ 3 văn bản",
                   "so_hieu_san_pham": "Báo cáo số 31/BC-TP", "ngay_hoan_thanh": TODAY.isoformat()})

    _open_step(page, server, "cv.nv", item.business_key, "Phòng Nội vụ xem xét kết quả")
    assert "Báo cáo số 31/BC-TP" in page.inner_text("body")  # the lead unit's product is shown to the reviewer
    assert "bao-cao-31-BC-TP.pdf" in page.inner_text("#tep")
    shot(page, "cchc-02-noi-vu-review")
    _finish(page, {"ket_luan": "chap_nhan"})
    assert cchc_plan.plan_items(server.db, TODAY.year)[0].status == "completed"

    page.goto(f"{server.url}/cchc/plan?year={TODAY.year}")
    summary = page.inner_text("#plan-summary")
    assert "2 nhiệm vụ, 1 hoàn thành đúng hạn" in summary and "1 đang thực hiện" in summary
    row = page.locator("#items tr", has_text="Rà soát, hệ thống hóa")
    assert "Hoàn thành đúng hạn" in row.inner_text() and "Phòng Tư pháp" in row.inner_text()
    assert "Phòng Tư pháp" in page.inner_text("#by-unit")
    shot(page, "cchc-03-plan-progress")
    page.goto(f"{server.url}/cchc/registry")
    assert "UBND xã An Hòa" in page.inner_text("#registry")
    shot(page, "cchc-04-registry")
    page.goto(f"{server.url}/cchc/inspections?year={TODAY.year}")
    assert "chỉ tiêu 60 %" in page.inner_text("#coverage-summary")
    shot(page, "cchc-05-inspections")
    assert page.js_errors == []
