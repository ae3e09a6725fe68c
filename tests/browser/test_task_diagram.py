"""Issue 13 item 9 in Chromium: the task page shows the procedure's own BPMN layout drawn by bpmn-js, the current
step highlighted and the finished one coloured. Screenshot: test-artifacts/browser/diagram-task-page.png."""

from __future__ import annotations

import pytest

from processes import reception
from processes.clock import SystemClock

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_task_page_shows_the_bpmn_js_diagram_with_the_current_step(page, live_server):
    counter = reception.Counter(reception.Applicant("Lê Thị Thu", "001203005555"),
                                form={"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa",
                                      "so_giay_chung_nhan_qsdd": "CS 5", "dien_tich_xay_dung": 80, "so_tang": 2})
    code = reception.receive(live_server.db, "QT-XD-01", counter, "accepted", "motcua", SystemClock()).ref
    with live_server.db.read() as conn:
        task = conn.exec_driver_sql(
            "SELECT t.task_uuid FROM human_tasks t JOIN instances i ON i.id = t.instance_id "
            "WHERE i.business_key = ? AND t.state = 'ready'", (code,)).scalar_one()
    login(page, live_server, "cv.ktht", next_path=f"/tasks/{task}")
    page.wait_for_selector(".qt-bpmn-view[data-ready]")
    assert page.get_attribute(".qt-bpmn-view", "data-ready") == "true"
    current = page.locator(".qt-bpmn-view .djs-element.qt-current[data-element-id='Task_ThamDinh']")
    assert current.count() == 1
    assert page.locator(".qt-bpmn-view .djs-element[data-element-id='Task_TiepNhan'][class*='qt-']").count() == 1
    box = page.locator(".qt-bpmn-canvas").bounding_box()
    shape = current.bounding_box()
    assert box and shape and box["x"] <= shape["x"] and shape["x"] + shape["width"] <= box["x"] + box["width"]
    page.locator(".qt-bpmn-view").scroll_into_view_if_needed()
    shot(page, "diagram-task-page")
    assert not page.js_errors


def test_the_dossier_page_diagram_raises_no_script_error(page, live_server):
    counter = reception.Counter(reception.Applicant("Lê Thị Thu", "001203005556"),
                                form={"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa",
                                      "so_giay_chung_nhan_qsdd": "CS 6", "dien_tich_xay_dung": 80, "so_tang": 2})
    code = reception.receive(live_server.db, "QT-XD-01", counter, "accepted", "motcua", SystemClock()).ref
    login(page, live_server, "pct", next_path=f"/dossiers/{code}")
    page.wait_for_selector(".qt-bpmn-view[data-ready]")
    page.set_viewport_size({"width": 900, "height": 700})  # the box resizes: the viewer fits again
    page.wait_for_timeout(300)
    assert page.get_attribute(".qt-bpmn-view", "data-ready") == "true"
    assert not page.js_errors, page.js_errors
