"""Issue 13 item 9 in Chromium, the audit heat map: the annual report's "Sơ đồ quy trình thực tế" is drawn by
bpmn-js's viewer from the procedure's own layout, steps shaded by use with their figures under them, both in the
page the app serves (viewer loaded from the static files, under the CSP) and in a saved HTML file (viewer inline).
Screenshots: test-artifacts/browser/heat-map-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.reports import write_report
from processes.keys import VN

from .conftest import ARTIFACTS, login, shot
from .test_dashboard_view import _dossiers

pytestmark = pytest.mark.browser
YEAR = dt.datetime.now(VN).year
XD = ".qt-bpmn-view[data-procedure='QT-XD-01']"


def check_drawn(page) -> None:
    """The QT-XD-01 picture is drawn, shaded and annotated, and nothing of it lies outside its box."""
    page.wait_for_selector(f"{XD}[data-ready]")
    assert page.get_attribute(XD, "data-ready") == "true"
    appraisal = page.locator(f"{XD} .djs-element[data-element-id='Task_ThamDinh']")
    assert "qt-heat" in (appraisal.get_attribute("class") or "")
    notes = page.locator(f"{XD} .qt-note").all_inner_texts()
    assert any(n.startswith("n=3") for n in notes), notes  # three dossiers went through the appraisal
    canvas = page.locator(f"{XD} .qt-bpmn-canvas").bounding_box()
    pool = page.locator(f"{XD} .djs-element.djs-shape[data-element-id^='Participant']").first.bounding_box()
    assert canvas and pool
    assert canvas["x"] <= pool["x"] and pool["x"] + pool["width"] <= canvas["x"] + canvas["width"]
    assert canvas["y"] <= pool["y"] and pool["y"] + pool["height"] <= canvas["y"] + canvas["height"]


def test_the_audit_heat_map_is_drawn_by_bpmn_js(page, live_server, tmp_path):
    _dossiers(live_server, 4, 3)
    login(page, live_server, "pct", next_path=f"/audit/report-{YEAR}.html")
    check_drawn(page)
    assert page.locator("figure > .qt-bpmn-view").count() >= 1
    assert page.locator("figure > svg").count() == 0  # no Graphviz picture left
    page.locator(XD).scroll_into_view_if_needed()
    shot(page, "heat-map-report-page")
    page.locator(XD).screenshot(path=str(ARTIFACTS / "heat-map-QT-XD-01.png"))
    assert not page.js_errors, page.js_errors

    saved = tmp_path / "bao-cao.html"
    write_report(live_server.db, YEAR, "html", saved)
    assert "/static/" not in saved.read_text(encoding="utf-8")
    page.goto(saved.as_uri())
    check_drawn(page)
    page.locator(XD).scroll_into_view_if_needed()
    shot(page, "heat-map-saved-file")
    assert not page.js_errors, page.js_errors
