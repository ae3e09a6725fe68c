"""A procedure's diagram drawn by bpmn-js's viewer from the file's own layout (issue 13 item 9).

Every procedure in bpmn/ carries a BPMN diagram (shapes and edges placed by its author); Graphviz re-laid it
out and cut it off. When the file has a layout the page gets a container the viewer bundle
(web/static/modeler/dist/viewer.js, built from frontend/src/viewer.js) fills in, with markers on elements: a
case's open steps and its finished steps' results, or a version diff's added, removed and changed elements.
A file without a layout keeps the Graphviz picture.
"""

from __future__ import annotations

import json

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from engine.render import has_layout
from engine.versiondiff import VersionDiff
from processes.timeline import DiagramState

from .labels import RESULT_LABELS

# marker → (border, fill) of its legend swatch, as frontend/src/viewer.css paints it
_SWATCH = {"current": ("#a31d1d", "#fef3c7"), "early": ("#1b7f3b", "#d1fae5"), "on_time": ("#5fb37c", "#ecfdf5"),
           "late": ("#b91c1c", "#fee2e2"), "added": ("#1b7f3b", "#c8e6c9"), "removed": ("#b91c1c", "#ffcdd2"),
           "changed": ("#b45309", "#ffe082")}
CASE_LEGEND = ("current", "early", "on_time", "late")
__all__ = ["CASE_LEGEND", "case_view", "diff_view", "has_layout", "view_html"]


def _names() -> dict[str, str]:
    return {"current": _("Đang xử lý"), **{k: str(v) for k, v in RESULT_LABELS.items()},
            "added": _("Thêm"), "removed": _("Bỏ"), "changed": _("Sửa")}


def view_html(bpmn_xml: str | bytes, marks: dict[str, str] | None = None, legend: tuple[str, ...] = (),
              small: bool = False) -> Markup:
    """The viewer's container and its script; the BPMN text travels in an escaped attribute.

    `marks`: element id → marker name (a key of _SWATCH); `legend`: the markers to explain above the picture.
    """
    text = bpmn_xml.decode("utf-8") if isinstance(bpmn_xml, bytes) else bpmn_xml
    names = _names()
    classes = {element: f"qt-{marker}" for element, marker in (marks or {}).items()}
    parts = [f'<link rel="stylesheet" href="{url_for("static", filename="modeler/dist/viewer.css")}">']
    if legend:
        parts.append('<div class="qt-bpmn-legend">' + "".join(
            f'<span><i style="border-color:{_SWATCH[k][0]};background:{_SWATCH[k][1]}"></i>{escape(names[k])}</span>'
            for k in legend) + "</div>")
    height = 380 if small else 520  # sized here, before the style sheet loads
    parts.append(
        f'<div class="qt-bpmn-view" data-xml="{escape(text)}" data-marks="{escape(json.dumps(classes))}"'
        f' data-failed="{escape(_("Không vẽ được sơ đồ."))}">'
        f'<div class="qt-bpmn-canvas{" small" if small else ""}" style="height:{height}px"></div></div>')
    parts.append(f'<script src="{url_for("static", filename="modeler/dist/viewer.js")}" defer></script>')
    return Markup("".join(parts))  # noqa: S704 - every value above went through escape() or url_for


def case_view(state: DiagramState) -> Markup:
    """A case's diagram: its open steps lit, its finished steps in their result's colour."""
    marks = dict(state.results) | dict.fromkeys(state.open_elements, "current")
    return view_html(state.bpmn_xml, marks, CASE_LEGEND)


def diff_view(bpmn_xml: str | bytes, changes: VersionDiff, side: str) -> Markup:
    """One side of a version diff: `from` with removed and changed elements, `to` with added and changed."""
    marks = dict.fromkeys(changes.changed, "changed")
    marks.update(dict.fromkeys(changes.removed if side == "from" else changes.added,
                               "removed" if side == "from" else "added"))
    return view_html(bpmn_xml, marks, small=True)
