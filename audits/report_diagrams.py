"""The HTML report's procedure pictures drawn by bpmn-js's viewer from each file's own layout (issue 13 item 9).

The audit heat map (section 9 "Sơ đồ quy trình thực tế") shades each step by how often it was done, draws
the steps where cases deviated in red and writes its figures under it. Graphviz re-laid the procedure out;
a file with a BPMN layout is now drawn as its author placed it, by the same viewer bundle as the procedure
and task pages (web/static/modeler/dist/viewer.js, built from frontend/src/viewer.js). A file without a
layout, or a report made where the bundle was not built, keeps the Graphviz SVG. PDF and XLSX keep the
Graphviz PNG (no browser draws them).

The bundle reaches the report in one of two ways: by URL for the page the app serves (its
Content-Security-Policy forbids inline script), or inline for a file saved to disk (a job's download, the
command line), which must open anywhere on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from engine.render import has_layout

from .pictures import SHADES, Picture, decorations

# Where `make frontend` writes the viewer bundle (web's static files, beside this package).
DIST = Path(__file__).resolve().parents[1] / "web" / "static" / "modeler" / "dist"
DEVIATION_MARK = "qt-deviation"
HEIGHT_PX = 520


@dataclass(frozen=True)
class Viewer:
    """The viewer bundle: its script and style sheet as URLs (`inline` False) or as their text (`inline` True)."""

    script: str
    style: str
    inline: bool = False


def bundled(dist: Path = DIST) -> Viewer | None:
    """The bundle's text to inline in a saved report, or None when it was not built (Graphviz pictures then)."""
    script, style = dist / "viewer.js", dist / "viewer.css"
    if not (script.is_file() and style.is_file()):
        return None
    return Viewer(script.read_text(encoding="utf-8"), style.read_text(encoding="utf-8"), inline=True)


def drawn_by_viewer(picture: Picture, viewer: Viewer | None) -> bool:
    """Whether bpmn-js draws this picture (a viewer is at hand and the file has a layout)."""
    return viewer is not None and bool(picture.xml) and has_layout(picture.xml)


def marks(picture: Picture) -> dict[str, str]:
    """Element id → the viewer's marker class: a shade by how often the step was done, red for deviations."""
    colours, _notes, lit = decorations(picture.uses)
    out = {element: f"qt-heat{SHADES.index(colour)}" for element, colour in colours.items() if colour in SHADES}
    out.update(dict.fromkeys(lit, DEVIATION_MARK))
    return out


def heat_view(picture: Picture) -> str:
    """The viewer's container for one procedure: its BPMN, the markers and the figures under each step."""
    _colours, notes, _lit = decorations(picture.uses)
    return (f'<div class="qt-bpmn-view" data-procedure="{escape(picture.code)}" data-xml="{escape(picture.xml)}"'
            f' data-marks="{escape(json.dumps(marks(picture)))}"'
            f' data-notes="{escape(json.dumps(notes, ensure_ascii=False))}"'
            f' data-failed="Không vẽ được sơ đồ.">'
            f'<div class="qt-bpmn-canvas" style="height:{HEIGHT_PX}px"></div></div>')


def legend() -> str:
    """What the shades and the red mean, above the pictures."""
    swatches = "".join(f'<i style="background:{colour}"></i>' for colour in SHADES)
    return (f'<div class="qt-heat-legend"><span>Ít lần {swatches} nhiều lần thực hiện</span>'
            '<span><i style="background:#f6b3b3;border-color:#b91c1c"></i>có sai lệch quy trình</span></div>')


LEGEND_STYLE = (".qt-heat-legend{display:flex;gap:1.5rem;font-size:.85rem;margin:.3rem 0}"
                ".qt-heat-legend i{display:inline-block;width:.9rem;height:.9rem;border:1px solid #9aa7b8;"
                "margin:0 1px;vertical-align:-2px}")


def head_assets(viewer: Viewer) -> str:
    """The style sheets, in the page's head."""
    if viewer.inline:
        return f"<style>{viewer.style}\n{LEGEND_STYLE}</style>"
    return f'<link rel="stylesheet" href="{escape(viewer.style)}"><style>{LEGEND_STYLE}</style>'


def body_assets(viewer: Viewer) -> str:
    """The script, at the end of the body (it draws the containers already on the page)."""
    if viewer.inline:
        return "<script>" + viewer.script.replace("</script", "<\\/script") + "</script>"
    return f'<script src="{escape(viewer.script)}"></script>'
