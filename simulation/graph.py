"""A procedure's flow as the simulation walks it: steps with their roles and limits, gateways, ends.

Read from the BPMN text with the engine's own dialect reader (engine.model: roles from lanes and
candidateGroups, dueDate, sla and outcome properties), so a draft is simulated exactly as the engine
would assign it. Only what changes how long a dossier takes is kept: exclusive and inclusive gateways
choose one path (inclusive ones are simplified to one path), parallel gateways split and join tokens,
service/script/send tasks, timers and messages take no office time, a subprocess or call activity is
one step with its limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.durations import parse_duration
from engine.lint_flow import DAY_MINUTES
from engine.model import STEP_TAGS, local, properties_of, read_process
from engine.xml import BPMN_NS, load_xml

_B = f"{{{BPMN_NS}}}"
_XOR = ("exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
_WORK = STEP_TAGS + ("subProcess", "callActivity", "transaction", "adHocSubProcess")
_SKIP = {"sequenceFlow", "laneSet", "extensionElements", "documentation", "textAnnotation", "association",
         "dataObject", "dataObjectReference", "dataStoreReference", "boundaryEvent", "ioSpecification", "property"}


@dataclass(frozen=True)
class Node:
    """One flow node: kind is start, end, step, xor, and (parallel gateway) or auto (no office time)."""

    id: str
    kind: str
    name: str
    roles: tuple[str, ...] = ()
    limit: str | None = None  # the step's dueDate as written (P2D, PT4H…)
    limit_minutes: float = 0.0  # that limit in office minutes (a day = 8 hours), 0 without one
    sla: str | None = None  # supplement / payment pause the dossier; return hands the result over
    outcome: str | None = None  # of an end event: done, refused, stopped


@dataclass
class FlowGraph:
    """The main process of a BPMN text as nodes and sequence flows."""

    process_id: str
    code: str
    name: str
    properties: dict[str, str]
    nodes: dict[str, Node]
    out: dict[str, list[str]]  # node → the nodes its outgoing flows lead to (default flow first)
    starts: list[str]
    joins: dict[str, int] = field(default_factory=dict)  # parallel join → incoming flows it waits for

    @property
    def deadline(self) -> str | None:
        """The statutory deadline as written (P15D, same_day…), None without one."""
        return self.properties.get("deadline") or None

    @property
    def steps(self) -> dict[str, Node]:
        """The human steps by element id."""
        return {k: n for k, n in self.nodes.items() if n.kind == "step"}


def main_process(root: etree._Element, process_id: str | None = None) -> etree._Element:
    """The process a file deploys (the executable one no call activity calls), else the first with steps."""
    processes = list(root.iter(_B + "process"))
    if process_id is not None:
        processes = [p for p in processes if p.get("id") == process_id]
    called = {c.get("calledElement") for c in root.iter(_B + "callActivity")}
    ranked = sorted(processes, key=lambda p: (p.get("isExecutable", "true").lower() == "false",
                                              p.get("id") in called, not any(True for _ in p.iter(_B + "task",
                                              _B + "userTask", _B + "manualTask"))))
    if not ranked:
        raise ValueError("no process in the BPMN text")
    return ranked[0]


def read_graph(xml: bytes | str, process_id: str | None = None) -> FlowGraph:
    """The flow graph of the main process of a BPMN text (not validated here: see simulation.model.check_draft)."""
    process = main_process(load_xml(xml).getroot(), process_id)
    info, _ = read_process(process, {})
    nodes: dict[str, Node] = {}
    for el in process:
        if not isinstance(el.tag, str) or not el.tag.startswith(_B) or not (ident := el.get("id")):
            continue
        kind_tag = local(el)
        if kind_tag in _SKIP:
            continue
        nodes[ident] = _node(el, kind_tag, info.steps.get(ident))
    out: dict[str, list[str]] = {n: [] for n in nodes}
    incoming: dict[str, int] = dict.fromkeys(nodes, 0)
    defaults = {el.get("id"): el.get("default") for el in process if isinstance(el.tag, str) and el.get("default")}
    for flow in process.iterfind(_B + "sequenceFlow"):
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        if src is not None and dst is not None and src in nodes and dst in nodes:
            if defaults.get(src) == flow.get("id"):
                out[src].insert(0, dst)
            else:
                out[src].append(dst)
            incoming[dst] += 1
    starts = [n for n, node in nodes.items() if node.kind == "start" and incoming[n] == 0]
    joins = {n: incoming[n] for n, node in nodes.items() if node.kind == "and" and incoming[n] > 1}
    return FlowGraph(process.get("id", ""), info.code, info.name, info.properties, nodes, out, starts, joins)


def _node(el: etree._Element, tag: str, step) -> Node:
    name = (el.get("name") or el.get("id") or "").strip()
    props = properties_of(el)
    if tag == "startEvent":
        return Node(el.get("id", ""), "start", name)
    if tag == "endEvent":
        return Node(el.get("id", ""), "end", name, outcome=props.get("outcome") or None)
    if tag in _XOR:
        return Node(el.get("id", ""), "xor", name)
    if tag == "parallelGateway":
        return Node(el.get("id", ""), "and", name)
    if tag in _WORK:
        due = step.due if step is not None else (el.get("{http://camunda.org/schema/1.0/bpmn}dueDate") or None)
        roles = step.roles if step is not None else ()
        return Node(el.get("id", ""), "step", name, tuple(roles), due, limit_minutes(due),
                    props.get("sla") or None)
    return Node(el.get("id", ""), "auto", name)


def limit_minutes(due: str | None) -> float:
    """A step limit in office minutes (a working day counted as 8 hours, like the design lint), 0 if none."""
    if not due:
        return 0.0
    try:
        return float(parse_duration(due).total_minutes(DAY_MINUTES))
    except ValueError:
        return 0.0
