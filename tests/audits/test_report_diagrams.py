"""Issue 13 item 9, the audit heat map: the HTML report's procedure pictures are drawn by bpmn-js's viewer from
each file's own layout (shades, deviations and figures handed to it), Graphviz only for a file without one or
when no viewer bundle is at hand. The drawing itself is checked in Chromium (tests/browser/test_heat_map.py)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from audits.report_data import build_annual_report
from audits.report_diagrams import Viewer, bundled, marks
from audits.reports import render_report
from tests.demo.demo_data import YEAR, demo_copy

URLS = Viewer("/static/modeler/dist/viewer.js", "/static/modeler/dist/viewer.css")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    db = demo_copy(tmp_path_factory.mktemp("heat"))
    return build_annual_report(db, YEAR, png=False)


def views(html: str) -> dict[str, dict[str, str]]:
    """procedure code → the viewer container's data attributes."""
    out = {}
    for tag in re.findall(r'<div class="qt-bpmn-view"[^>]*>', html):
        attrs = {k: unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', tag)}
        out[attrs["procedure"]] = attrs
    return out


def test_the_served_report_hands_each_laid_out_procedure_to_the_viewer(report):
    html = render_report(report, "html", viewer=URLS).decode()
    drawn = views(html)
    assert set(drawn) == {p.code for p in report.pictures} and len(drawn) >= 5  # every file in bpmn/ has a layout
    assert "<svg" not in html.split("9. Sơ đồ quy trình thực tế", 1)[1].split("</section>", 1)[0]  # no Graphviz
    assert '<script src="/static/modeler/dist/viewer.js">' in html and "<script>" not in html  # the CSP holds
    xd = drawn["QT-XD-01"]
    assert "BPMNShape" in xd["xml"]
    shades = json.loads(xd["marks"])
    assert re.fullmatch(r"qt-heat[0-4]", shades["Task_ThamDinh"])
    assert json.loads(xd["notes"])["Task_ThamDinh"].startswith("n=")
    deviating = [p for p in report.pictures if any(u.deviations for u in p.uses.values())]
    assert deviating, "the demo has process deviations"
    for picture in deviating:
        found = json.loads(drawn[picture.code]["marks"])
        assert all(found[e] == "qt-deviation" for e, u in picture.uses.items() if u.deviations)
        assert any("lệch quy trình" in n for n in json.loads(drawn[picture.code]["notes"]).values())
    assert "nhiều lần thực hiện" in html and "có sai lệch quy trình" in html


def test_graphviz_without_a_viewer_or_without_a_layout(report):
    plain = render_report(report, "html").decode()
    assert not views(plain) and plain.count("<svg") == len(report.pictures)
    xd = next(p for p in report.pictures if p.code == "QT-XD-01")
    without = re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", xd.xml, flags=re.S)
    assert "BPMNShape" not in without
    xd.xml, kept = without, xd.xml
    try:
        mixed = render_report(report, "html", viewer=URLS).decode()
    finally:
        xd.xml = kept
    assert "QT-XD-01" not in views(mixed) and len(views(mixed)) == len(report.pictures) - 1
    assert mixed.count("<svg") == 1


def test_a_saved_report_carries_the_viewer_inline(report, tmp_path):
    (tmp_path / "viewer.js").write_text('console.log("</script>");', encoding="utf-8")
    (tmp_path / "viewer.css").write_text(".qt-bpmn-view{}", encoding="utf-8")
    viewer = bundled(tmp_path)
    assert viewer is not None and viewer.inline
    html = render_report(report, "html", viewer=viewer).decode()
    assert '<script>console.log("<\\/script>");</script>' in html and "/static/" not in html
    assert bundled(tmp_path / "missing") is None


def test_marks_shade_by_use():
    from audits.pictures import Picture, StepUse

    uses = {"a": StepUse(count=10), "b": StepUse(count=1), "c": StepUse(count=3, deviations=1)}
    found = marks(Picture("X", b"", uses=uses))
    assert found["c"] == "qt-deviation" and found["a"] > found["b"]
