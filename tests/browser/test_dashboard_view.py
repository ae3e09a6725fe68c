"""Issue 13 item 8 in Chromium: no chart label starts left of its SVG, the chosen period is the one named, the
monthly trend is drawn, the XLSX downloads. Screenshots: test-artifacts/browser/dashboard-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from processes import instances, reception
from processes.clock import SystemClock
from processes.keys import VN
from tests.xd_data import XD_STEPS, XD_USERS

from .conftest import login, shot

pytestmark = pytest.mark.browser
PATH = ("Task_ThamDinh", "Task_XemXet", "Task_KyGiayPhep", "Task_VaoSoDongDau", "Task_TraKetQua")
TODAY = dt.datetime.now(VN).date().isoformat()


def _dossiers(server, count: int, finished: int) -> None:
    clock = SystemClock()
    for n in range(count):
        counter = reception.Counter(reception.Applicant(f"Người nộp {n}", f"0012030{n:05d}"),
                                    form={"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa",
                                          "so_giay_chung_nhan_qsdd": "CS 9", "dien_tich_xay_dung": 90, "so_tang": 2})
        code = reception.receive(server.db, "QT-XD-01", counter, "accepted", "motcua", clock).ref
        if n >= finished:
            continue
        for element in PATH:
            with server.db.read() as conn:
                task = conn.exec_driver_sql(
                    "SELECT t.task_uuid FROM human_tasks t JOIN instances i ON i.id = t.instance_id "
                    "WHERE i.business_key = ? AND t.element_id = ? AND t.state IN ('ready', 'claimed')",
                    (code, element)).scalar_one()
            data = {k: (TODAY if v == XD_STEPS["Task_KyGiayPhep"].get("ngay_ky") else v)
                    for k, v in XD_STEPS[element].items()}
            instances.complete(server.db, task, data, XD_USERS[element], clock)


def test_dashboard_labels_fit_and_period_is_named(page, live_server):
    _dossiers(live_server, 5, 3)
    login(page, live_server, "pct", next_path="/dashboard?period=year")
    lefts = page.evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.getBBox().x)")
    assert lefts and min(lefts) >= 0, lefts
    assert page.locator("select[name=period] option:checked").inner_text() == "Năm nay"
    assert page.locator("section:has(h2:has-text('Xu hướng theo tháng')) svg rect").count() >= 1
    shot(page, "dashboard-01-year")
    page.fill("input[name=from]", "2025-01-01")
    page.fill("input[name=to]", "2025-12-31")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("select[name=period] option:checked").inner_text() == "Khoảng ngày đã chọn"
    assert "01/01/2025" in page.inner_text(".page-head")
    shot(page, "dashboard-02-custom-2025")
    with page.expect_download() as download:
        page.click("a:has-text('Tải Excel')")
    assert download.value.suggested_filename == "thong-ke-ho-so-20250101-20251231.xlsx"
