"""Issue 13 item 9 in Chromium: the procedure page draws the version with bpmn-js from its own layout, nothing cut
off; the side-by-side diff draws both versions with the changes marked.
Screenshots: test-artifacts/browser/diagram-procedure-*.png."""

from __future__ import annotations

import pytest

from processes import versions
from processes.clock import SystemClock

from .conftest import login, open_modeler, shot

pytestmark = pytest.mark.browser


def _inside(page, box) -> None:
    canvas = box.locator(".qt-bpmn-canvas").bounding_box()
    for shape in box.locator(".djs-element.djs-shape").all()[:60]:
        b = shape.bounding_box()
        if b:
            assert canvas["x"] - 1 <= b["x"] and b["x"] + b["width"] <= canvas["x"] + canvas["width"] + 1


def test_procedure_page_and_version_diff_use_the_files_layout(page, live_server):
    xml = versions.version_xml(live_server.db, "QT-XD-01", 1)
    changed = xml.replace('name="Thẩm định hồ sơ, kiểm tra thực địa"', 'name="Thẩm định hồ sơ và thực địa"', 1)
    versions.save_draft(live_server.db, SystemClock(), "iso", "QT-XD-01", changed)
    login(page, live_server, "iso", next_path="/quality/procedures")
    page.goto(f"{live_server.url}/quality/procedures/QT-XD-01?v=1&from=1&to=2#diff")
    page.wait_for_function("document.querySelectorAll('.qt-bpmn-view[data-ready=\"true\"]').length >= 3")
    views = page.locator(".qt-bpmn-view")
    assert views.count() == 3  # the version, and both sides of the diff
    _inside(page, views.nth(0))
    shot(page, "diagram-procedure-page")
    assert page.locator(".q-diff .djs-element.qt-changed").count() >= 2  # the renamed step, on both sides
    page.locator(".q-diff").scroll_into_view_if_needed()
    _inside(page, views.nth(2))
    assert not page.js_errors


def test_the_modeler_palette_leaves_the_start_event_and_lane_labels_visible(page, live_server):
    login(page, live_server, "iso", next_path="/quality/procedures")
    open_modeler(page, live_server, "/quality/procedures/QT-XD-01/versions/1/edit")
    palette = page.locator(".djs-palette").bounding_box()
    for selector in ("[data-element-id='Start_NopHoSo']", ".djs-element.djs-shape[data-element-id^='Participant']"):
        shape = page.locator(f"#qt-canvas {selector}").first.bounding_box()
        assert shape and palette and shape["x"] >= palette["x"] + palette["width"], selector
    shot(page, "diagram-modeler")
