"""Pictures of a procedure as it was actually run: steps shaded by how often they were done, the median
working time against the limit under each name, and the steps where cases deviated drawn in red."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from engine.render import procedure_dot, render_graph

from . import drawing_cache

# Light to dark: how often a step was done, relative to the most frequent step of the procedure.
SHADES = ("#f1f6fc", "#d6e6f7", "#b3d0ef", "#8db7e5", "#6a9fdb")
DEVIATION = "#f6b3b3"


@dataclass
class StepUse:
    """How one step was used over the report's period."""

    count: int = 0
    median_hours: float | None = None
    limit_hours: float | None = None
    late: int = 0
    deviations: int = 0


@dataclass
class Picture:
    """A procedure's picture in the forms the reports embed."""

    code: str
    svg: bytes
    png: bytes = b""
    uses: dict[str, StepUse] = field(default_factory=dict)
    xml: str = ""  # the version's BPMN: bpmn-js draws the HTML report's picture from its layout when it has one


def _hours(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 8:
        return f"{value / 8:.1f} ngày".replace(".", ",")
    return f"{value:.1f} giờ".replace(".", ",")


def decorations(uses: dict[str, StepUse]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(colours, notes, highlighted ids) for the steps' use."""
    top = max((u.count for u in uses.values()), default=0) or 1
    colours, notes, lit = {}, {}, []
    for element, use in uses.items():
        if use.deviations:
            colours[element] = DEVIATION
            lit.append(element)
        elif use.count:
            colours[element] = SHADES[min(len(SHADES) - 1, int(len(SHADES) * use.count / (top + 1)))]
        line = f"n={use.count} · TV {_hours(use.median_hours)}"
        if use.late:
            line += f" · {use.late} quá hạn"
        if use.deviations:
            line += f"\n⚠ {use.deviations} lệch quy trình"
        notes[element] = line
    return colours, notes, lit


def picture(code: str, xml: bytes | str, uses: dict[str, StepUse], png: bool = True) -> Picture:
    """The SVG (and a square PNG for PDF pages) of a procedure with its use drawn in."""
    colours, notes, lit = decorations(uses)
    graph = procedure_dot(xml, lit, None, notes, colours)
    source = graph.source
    # The SVG first: drawing the PNG may turn the graph top to bottom (_squarest).
    svg = drawing_cache.drawing("svg", source, lambda: render_graph(graph, "svg"))
    raster = _raster(source, graph) if png else b""
    return Picture(code, svg, raster, uses, xml.decode("utf-8") if isinstance(xml, bytes) else xml)


_RASTERS: dict[str, bytes] = {}  # DOT source → square PNG: the same figures draw the same picture
_RASTERS_KEPT = 64


def _raster(source: str, graph) -> bytes:
    """The picture's PNG, drawn by Graphviz once per distinct drawing (a report asked again reuses it, from
    memory in this process, from drawing_cache's folder in another)."""
    found = _RASTERS.get(source)
    if found is None:
        found = drawing_cache.drawing("png", source, lambda: square_png(_squarest(graph)))
        if len(_RASTERS) >= _RASTERS_KEPT:
            _RASTERS.pop(next(iter(_RASTERS)))  # the oldest first
        _RASTERS[source] = found
    return found


def _squarest(graph) -> bytes:
    """PNG bytes of the graph left to right, or top to bottom when that is much closer to square."""
    from PIL import Image

    first = graph.pipe(format="png")
    with Image.open(io.BytesIO(first)) as image:
        width, height = image.size
    if width <= 2.2 * height:
        return first
    graph.graph_attr["rankdir"] = "TB"
    second = graph.pipe(format="png")
    with Image.open(io.BytesIO(second)) as image:
        w2, h2 = image.size
    return second if max(w2 / h2, h2 / w2) < width / height else first


def square_png(data: bytes) -> bytes:
    """The PNG centred on a white square canvas (the PDF renderer draws images square)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        side = max(image.size)
        canvas = Image.new("RGB", (side, side), "white")
        canvas.paste(image.convert("RGB"), ((side - image.width) // 2, (side - image.height) // 2))
        out = io.BytesIO()
        canvas.save(out, format="PNG")
        return out.getvalue()
