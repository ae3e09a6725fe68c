"""A procedure's diagram drawn by bpmn-js's viewer from the file's own layout (issue 13 item 9).

Every procedure in bpmn/ carries a BPMN diagram (shapes and edges placed by its author); Graphviz re-laid it
out and cut it off. When the file has a layout the page gets a container the viewer bundle
(web/static/modeler/dist/viewer.js, built from frontend/src/viewer.js) fills in, with the steps open now lit
and finished steps coloured by their result; a file without a layout keeps the Graphviz picture.
"""

from __future__ import annotations

import json

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from processes.timeline import DiagramState

from .labels import RESULT_LABELS

_LEGEND = (("#a31d1d", "#fef3c7", "current"), ("#1b7f3b", "#d1fae5", "early"), ("#5fb37c", "#ecfdf5", "on_time"),
           ("#b91c1c", "#fee2e2", "late"))


def has_layout(bpmn_xml: str) -> bool:
    """Whether the file places its shapes (a BPMNDiagram with shapes), so bpmn-js can draw it as drawn."""
    return "BPMNShape" in bpmn_xml


def view_html(bpmn_xml: str, open_elements: tuple[str, ...] = (), results: dict[str, str] | None = None,
              legend: bool = True) -> Markup:
    """The viewer's container and its script; the BPMN text travels in an escaped attribute."""
    names = {"current": _("Đang xử lý"), **{k: str(v) for k, v in RESULT_LABELS.items()}}
    parts = [f'<link rel="stylesheet" href="{url_for("static", filename="modeler/dist/viewer.css")}">']
    if legend:
        parts.append('<div class="qt-bpmn-legend">' + "".join(
            f'<span><i style="border-color:{line};background:{fill}"></i>{escape(names[key])}</span>'
            for line, fill, key in _LEGEND) + "</div>")
    parts.append(
        f'<div class="qt-bpmn-view" data-xml="{escape(bpmn_xml)}" data-open="{escape(json.dumps(list(open_elements)))}"'
        f' data-results="{escape(json.dumps(results or {}))}" data-failed="{escape(_("Không vẽ được sơ đồ."))}">'
        '<div class="qt-bpmn-canvas" style="height:520px"></div></div>')  # sized before the style sheet loads
    parts.append(f'<script src="{url_for("static", filename="modeler/dist/viewer.js")}" defer></script>')
    return Markup("".join(parts))  # noqa: S704 - every value above went through escape() or url_for


def case_view(state: DiagramState) -> Markup:
    """A case's diagram: its open steps lit, its finished steps in their result's colour."""
    return view_html(state.bpmn_xml, state.open_elements, dict(state.results))
