"""What changed between two versions of a procedure, element by element (matched by BPMN id)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .model import lane_roles, local, properties_of, split_roles
from .xml import BPMN_NS, CAMUNDA_NS, NSMAP, load_xml

_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"
_SKIP = {"laneSet", "lane", "extensionElements", "documentation", "incoming", "outgoing", "conditionExpression",
         "flowNodeRef", "childLaneSet", "ioSpecification", "property", "multiInstanceLoopCharacteristics",
         "standardLoopCharacteristics", "timerEventDefinition", "timeDuration", "timeDate", "timeCycle"}
# The order in which kinds of change are listed.
ASPECTS = ("kind", "name", "role", "lane", "assignee", "time_limit", "form", "conditions", "flows", "timer",
           "handler", "properties", "documentation")
# Colours of the visual diff (fill colours of Graphviz nodes and edges).
COLOURS = {"added": "#c8e6c9", "removed": "#ffcdd2", "changed": "#ffe082"}


@dataclass
class VersionDiff:
    """Elements added, removed and changed (with what changed) from one version to the next.

    Its JSON shape (changes as a list with names and details) is processes.view_schemas.VersionDiffSchema.
    """

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    def colours(self, side: str) -> dict[str, str]:
        """Element id → colour for drawing the `from` side (removed, changed) or the `to` side (added, changed)."""
        marks = dict.fromkeys(self.changed, COLOURS["changed"])
        shown = self.removed if side == "from" else self.added
        marks.update(dict.fromkeys(shown, COLOURS["removed" if side == "from" else "added"]))
        return marks

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.removed or self.changed)


def diff_versions(old_xml: bytes | str, new_xml: bytes | str) -> VersionDiff:
    """Compare two BPMN texts: flow nodes, sequence flows and processes, by element id."""
    old, new = elements_of(old_xml), elements_of(new_xml)
    result = VersionDiff()
    both = {**old, **new}
    result.names = {eid: sig["name"] or _flow_name(sig, both) or eid for eid, sig in both.items()}
    result.kinds = {eid: sig["kind"] for eid, sig in {**old, **new}.items()}
    result.added = [eid for eid in new if eid not in old]
    result.removed = [eid for eid in old if eid not in new]
    for eid, before in old.items():
        after = new.get(eid)
        if after is None:
            continue
        what = [aspect for aspect in ASPECTS if before.get(aspect) != after.get(aspect)]
        if what:
            result.changed[eid] = what
            result.details[eid] = {a: {"from": _show(before.get(a)), "to": _show(after.get(a))} for a in what}
    return result


def _flow_name(sig: dict[str, Any], elements: dict[str, dict[str, Any]]) -> str:
    """An unnamed sequence flow is called after its ends: "source → target"."""
    if sig["kind"] != "sequenceFlow":
        return ""
    ends = [(elements.get(e) or {}).get("name") or e for e in sig["flows"]]
    return " → ".join(str(e) for e in ends)


def _show(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_show(v) for v in value]
    return value


def elements_of(xml: bytes | str) -> dict[str, dict[str, Any]]:
    """Every comparable element of a BPMN text with its signature (what a change can touch)."""
    root = load_xml(xml).getroot()
    found: dict[str, dict[str, Any]] = {}
    for process in root.iter(_B + "process"):
        lanes = lane_roles(process)
        found[process.get("id", "")] = _process_signature(process)
        for el in process.iter():
            if not isinstance(el.tag, str) or not el.tag.startswith(_B) or el is process:
                continue
            kind = local(el)
            if kind in _SKIP or not (eid := el.get("id")):
                continue
            found[eid] = _flow_signature(el) if kind == "sequenceFlow" else _node_signature(el, lanes)
    return found


def _process_signature(process: etree._Element) -> dict[str, Any]:
    return {"kind": "process", "name": (process.get("name") or "").strip(),
            "properties": tuple(sorted(properties_of(process).items())), "documentation": _docs(process)}


def _flow_signature(flow: etree._Element) -> dict[str, Any]:
    cond = flow.find(_B + "conditionExpression")
    parent = flow.getparent()
    source = parent.find(f"./*[@id='{flow.get('sourceRef')}']") if parent is not None else None
    is_default = source is not None and source.get("default") == flow.get("id")
    return {"kind": "sequenceFlow", "name": (flow.get("name") or "").strip(),
            "flows": (flow.get("sourceRef"), flow.get("targetRef")),
            "conditions": ((cond.text or "").strip() if cond is not None else "", is_default)}


def _node_signature(el: etree._Element, lanes: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    eid = el.get("id", "")  # only elements with an id are compared
    role, lane = lanes.get(eid) or (None, None)
    parent = el.getparent()
    flows = parent.xpath("./bpmn:sequenceFlow", namespaces=NSMAP) if parent is not None else []
    incoming = tuple(sorted(f.get("id") for f in flows if f.get("targetRef") == eid))
    outgoing = tuple(sorted(f.get("id") for f in flows if f.get("sourceRef") == eid))
    timers = tuple((local(t), (t.text or "").strip()) for t in el.xpath(
        "./bpmn:timerEventDefinition/*", namespaces=NSMAP))
    return {
        "kind": local(el),
        "name": (el.get("name") or "").strip(),
        "role": split_roles(el.get(_C + "candidateGroups")) or ((role,) if role else ()),
        "lane": lane,
        "assignee": (el.get(_C + "assignee") or "").strip() or None,
        "time_limit": (el.get(_C + "dueDate") or "").strip() or None,
        "form": _form(el),
        "flows": (incoming, outgoing, el.get("default")),
        "timer": timers,
        "handler": tuple((a, el.get(_C + a)) for a in ("topic", "class", "delegateExpression", "type")
                         if el.get(_C + a)),
        "properties": tuple(sorted(properties_of(el).items())),
        "documentation": _docs(el),
    }


def _form(el: etree._Element) -> tuple:
    fields = []
    for node in el.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NSMAP):
        constraints = tuple(sorted((c.get("name") or "", c.get("config") or "") for c in node.xpath(
            "./camunda:validation/camunda:constraint", namespaces=NSMAP)))
        values = tuple((v.get("id") or "", v.get("name") or "") for v in node.xpath("./camunda:value",
                                                                                      namespaces=NSMAP))
        fields.append((node.get("id") or "", node.get("type") or "string", node.get("label") or "",
                       node.get("defaultValue") or "", constraints, values))
    return (el.get(_C + "formKey") or "", tuple(fields))


def _docs(el: etree._Element) -> str:
    return "\n".join((d.text or "").strip() for d in el.xpath("./bpmn:documentation", namespaces=NSMAP))
