"""Graphviz pictures of a procedure: lanes as clusters, time limits on steps, current steps lit."""

from __future__ import annotations

import shutil
from collections.abc import Collection, Mapping

import graphviz
from lxml import etree

from .duration_words import in_words
from .errors import EngineError
from .model import lane_roles, local
from .xml import BPMN_NS, CAMUNDA_NS, load_xml

_SHAPES = {
    "startEvent": ("circle", "", "#e8f5e9"),
    "endEvent": ("doublecircle", "", "#ffebee"),
    "exclusiveGateway": ("diamond", "×", "#fff8e1"),
    "parallelGateway": ("diamond", "+", "#fff8e1"),
    "inclusiveGateway": ("diamond", "○", "#fff8e1"),
    "eventBasedGateway": ("diamond", "◇", "#fff8e1"),
}
_SKIP = {"sequenceFlow", "laneSet", "extensionElements", "documentation", "textAnnotation", "association",
         "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification"}


class RenderError(EngineError):
    """Graphviz is missing or failed."""


def has_layout(bpmn_xml: str | bytes) -> bool:
    """Whether the file places its shapes (a BPMNDiagram with shapes): bpmn-js's viewer then draws it as its author
    laid it out, and Graphviz (this module) only pictures files without one (issue 13 item 9)."""
    return ("BPMNShape" in bpmn_xml) if isinstance(bpmn_xml, str) else (b"BPMNShape" in bpmn_xml)


def procedure_dot(xml: bytes | str, highlight: Collection[str] = (), process_id: str | None = None,
                  notes: Mapping[str, str] | None = None,
                  colours: Mapping[str, str] | None = None) -> graphviz.Digraph:
    """The DOT graph of a process; `highlight` lights element ids, `notes` adds a line under names,
    `colours` paints element ids (nodes and sequence flows) in the colours given."""
    colours = colours or {}
    root = load_xml(xml).getroot()
    process = _pick_process(root, process_id)
    lanes = lane_roles(process)
    graph = graphviz.Digraph("procedure", graph_attr={"rankdir": "LR", "fontname": "DejaVu Sans",
                                                      "fontsize": "11", "nodesep": "0.35"},
                             node_attr={"fontname": "DejaVu Sans", "fontsize": "10"},
                             edge_attr={"fontname": "DejaVu Sans", "fontsize": "9"})
    clusters: dict[str, graphviz.Digraph] = {}
    for node in _flow_nodes(process):
        role_lane = lanes.get(node.get("id"))
        target = graph
        if role_lane is not None:
            lane_name = role_lane[1]
            if lane_name not in clusters:
                clusters[lane_name] = graphviz.Digraph(name=f"cluster_{len(clusters)}", graph_attr={
                    "label": lane_name, "style": "rounded,filled", "fillcolor": "#f7f9fc", "color": "#9aa7b8"})
            target = clusters[lane_name]
        _add_node(target, node, node.get("id") in highlight, (notes or {}).get(node.get("id")),
                  colours.get(node.get("id")))
    for sub in clusters.values():
        graph.subgraph(sub)
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        cond = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        label = flow.get("name") or ((cond.text or "").strip() if cond is not None else "")
        paint = colours.get(flow.get("id", ""))
        graph.edge(flow.get("sourceRef"), flow.get("targetRef"), label=label[:40],
                   **({"color": paint, "penwidth": "3"} if paint else {}))
    return graph


def render_svg(xml: bytes | str, highlight: Collection[str] = (), process_id: str | None = None,
               notes: Mapping[str, str] | None = None, colours: Mapping[str, str] | None = None) -> bytes:
    """SVG bytes of the procedure picture (needs Graphviz's `dot`)."""
    return render_graph(procedure_dot(xml, highlight, process_id, notes, colours), "svg")


def render_file(xml: bytes | str, fmt: str, highlight: Collection[str] = ()) -> bytes:
    """Bytes of the procedure picture in `fmt` (svg, png, pdf)."""
    return render_graph(procedure_dot(xml, highlight), fmt)


def render_graph(graph: graphviz.Digraph, fmt: str) -> bytes:
    """Bytes of a graph built by procedure_dot in `fmt` (svg, png, pdf)."""
    if shutil.which("dot") is None:
        raise RenderError("Graphviz 'dot' is not installed (Debian: apt-get install graphviz)")
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RenderError("Graphviz 'dot' is not installed (Debian: apt-get install graphviz)") from None
    except graphviz.CalledProcessError as exc:
        raise RenderError(f"Graphviz failed: {exc.stderr.decode(errors='replace')[:300]}") from None


def _pick_process(root: etree._Element, process_id: str | None) -> etree._Element:
    processes = list(root.iter(f"{{{BPMN_NS}}}process"))
    for p in processes:
        if process_id is None and p.get("isExecutable", "true") != "false" or p.get("id") == process_id:
            return p
    if processes and process_id is None:
        return processes[0]
    raise RenderError(f"no process {process_id or ''} to draw".strip())


def _flow_nodes(process: etree._Element):
    for el in process:
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{BPMN_NS}}}") and local(el) not in _SKIP:
            yield el


def _add_node(graph: graphviz.Digraph, el: etree._Element, lit: bool, note: str | None,
              paint: str | None = None) -> None:
    kind = local(el)
    name = (el.get("name") or "").strip()
    shape, mark, fill = _SHAPES.get(kind, ("box", "", "#ffffff"))
    due = el.get(f"{{{CAMUNDA_NS}}}dueDate")
    if kind.endswith("Event"):
        label = ""
        xlabel = name
    else:
        label = mark if shape == "diamond" else name or el.get("id", "")
        xlabel = name if shape == "diamond" else ""
        if due:
            label += f"\n[{in_words(due)}]"  # people read "9 ngày làm việc", not P9D
        if note:
            label += f"\n{note}"
    style = "rounded,filled" if shape == "box" else "filled"
    attrs = {"shape": shape, "style": style, "fillcolor": paint or ("#ffe082" if lit else fill),
             "penwidth": "2.5" if lit or paint else "1", "xlabel": xlabel}
    if shape == "circle" or shape == "doublecircle":
        attrs.update(width="0.35", height="0.35", fixedsize="true")
    graph.node(el.get("id"), label=label, **attrs)
