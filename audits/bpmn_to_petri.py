"""Translate a BPMN process into a workflow net (Dijkman, Dumas & Ouyang, 2008, simplified).

Every sequence flow becomes a place. A task (of any kind) or call activity becomes a transition
labelled with its name (or id); start and end events become silent transitions from the source
place and into the sink place; an exclusive gateway becomes one silent transition per branch (and
per merged flow); a parallel gateway one silent transition that takes every incoming flow and
fills every outgoing one. Loops need nothing special: a flow back is a place like any other. A
multi-instance activity may be done one or more times in a row (its instances).
An activity with several incoming flows merges them (a silent transition each); several outgoing
flows run in parallel. Embedded subprocesses are expanded in place; an interrupting boundary event
becomes a silent transition that takes the activity's token instead of the activity. Whatever has no
faithful place/transition counterpart is listed in `Translation.unsupported`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from engine.xml import BPMN_NS, load_xml

from .petrinet import PetriNet

_B = f"{{{BPMN_NS}}}"
ACTIVITIES = frozenset({"task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
                        "businessRuleTask", "callActivity"})
XOR_LIKE = frozenset({"exclusiveGateway", "eventBasedGateway", "inclusiveGateway", "complexGateway"})
PASS_EVENTS = frozenset({"intermediateCatchEvent", "intermediateThrowEvent"})
FLOW_NODES = ACTIVITIES | XOR_LIKE | PASS_EVENTS | {"parallelGateway", "startEvent", "endEvent", "boundaryEvent",
                                                   "subProcess", "transaction", "adHocSubProcess"}
SOURCE, SINK = "source", "sink"


@dataclass
class Translation:
    """A workflow net made from a BPMN process, with what maps back and what could not be kept."""

    net: PetriNet
    process_id: str
    process_name: str
    activities: dict[str, str] = field(default_factory=dict)  # element id -> transition label
    unsupported: list[str] = field(default_factory=list)

    @property
    def labels(self) -> set[str]:
        """The labels of the visible transitions (the activities a log may show)."""
        return set(self.activities.values())


def translate(source: str | bytes | etree._ElementTree, process_id: str | None = None,
              label_by: str = "name") -> Translation:
    """Translate one process (the first with flow nodes unless `process_id`) into a workflow net.

    `label_by="name"` labels activities with their names, as process-mining tools do; `"id"` uses
    element ids, which is what quytrinh's own event log records.
    """
    if label_by not in ("name", "id"):
        raise ValueError("label_by must be 'name' or 'id'")
    tree = source if isinstance(source, etree._ElementTree) else load_xml(source)
    process = _pick_process(tree, process_id)
    pid = process.get("id", "")
    out = Translation(PetriNet(name=pid), pid, (process.get("name") or "").strip())
    builder = _Builder(out, label_by)
    out.net.add_place(SOURCE)
    out.net.add_place(SINK)
    builder.container(process, SOURCE, [SINK])
    out.net.initial = {SOURCE: 1}
    out.net.final = {SINK: 1}
    return out


def _pick_process(tree: etree._ElementTree, process_id: str | None) -> etree._Element:
    processes = tree.getroot().findall(f"{_B}process")
    for p in processes:
        if process_id is None and any(_local(c) in FLOW_NODES for c in p):
            return p
        if p.get("id") == process_id:
            return p
    raise ValueError(f"no process {process_id!r}" if process_id else "the document has no process with flow nodes")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _name(el: etree._Element) -> str:
    # Labels are compared with log activities: collapse line breaks and repeated spaces of diagrams.
    return " ".join((el.get("name") or "").split())


class _Builder:
    """Builds the net of one process, container by container (process, then subprocesses)."""

    def __init__(self, out: Translation, label_by: str) -> None:
        self.out = out
        self.net = out.net
        self.label_by = label_by
        self._taus = 0

    def note(self, el: etree._Element, what: str) -> None:
        """Record an element that is translated approximately or not at all."""
        self.out.unsupported.append(f"{_local(el)} {el.get('id')}: {what}")

    def tau(self, hint: str, inputs: Iterable[str], outputs: Iterable[str]) -> str:
        """Add a silent transition from the input places to the output places."""
        self._taus += 1
        name = f"tau{self._taus}.{hint}"
        self.net.add_transition(name, None)
        for p in inputs:
            self.net.add_arc(p, name)
        for p in outputs:
            self.net.add_arc(name, p)
        return name

    def container(self, el: etree._Element, entry: str, exits: list[str]) -> None:
        """Translate the flow nodes and flows directly inside a process or subprocess."""
        nodes = {ident: c for c in el if _local(c) in FLOW_NODES and (ident := c.get("id")) is not None}
        ins: dict[str, list[str]] = {n: [] for n in nodes}
        outs: dict[str, list[str]] = {n: [] for n in nodes}
        for flow in el.iterchildren(f"{_B}sequenceFlow"):
            src, dst = flow.get("sourceRef"), flow.get("targetRef")
            if src is None or dst is None or src not in nodes or dst not in nodes:
                self.note(flow, "joins elements outside its container; ignored")
                continue
            fid = flow.get("id", "")
            self.net.add_place(fid, _name(flow) or None)
            outs[src].append(fid)
            ins[dst].append(fid)
            if flow.find(f"{_B}conditionExpression") is not None and _local(nodes[src]) not in XOR_LIKE:
                self.note(flow, "a conditional flow out of an activity is taken as always taken")
        _Scope(self, nodes, ins, outs, entry, exits).build()


class _Scope:
    """One container's nodes with their incoming and outgoing flow places."""

    def __init__(self, b: _Builder, nodes: dict[str, etree._Element], ins: dict[str, list[str]],
                 outs: dict[str, list[str]], entry: str, exits: list[str]) -> None:
        self.b, self.nodes, self.ins, self.outs = b, nodes, ins, outs
        self.entry, self.exits = entry, exits
        self._in_place: dict[str, str] = {}
        self.has_start = any(_local(n) == "startEvent" for n in nodes.values())

    def outputs(self, node_id: str) -> list[str]:
        """Where a node puts its tokens: its outgoing flows, else (an implicit end) the exits."""
        return self.outs[node_id] or list(self.exits)

    def in_place(self, node_id: str) -> str:
        """The one place a node consumes from, merging several incoming flows (an XOR merge)."""
        if node_id in self._in_place:
            return self._in_place[node_id]
        flows = self.ins[node_id]
        if len(flows) == 1:
            place = flows[0]
        elif not flows:
            place = self.entry
            if self.has_start:
                self.b.note(self.nodes[node_id], "has no incoming flow; taken as a start")
        else:
            place = self.b.net.add_place(f"{node_id}.in")
            for f in flows:
                self.b.tau(f"merge.{node_id}", [f], [place])
        self._in_place[node_id] = place
        return place

    def build(self) -> None:
        """Translate each node by kind."""
        for node_id, el in self.nodes.items():
            kind = _local(el)
            if kind in ACTIVITIES:
                self.activity(node_id, el)
            elif kind == "startEvent":
                self.b.tau(f"start.{node_id}", [self.entry], self.outputs(node_id))
            elif kind == "endEvent":
                if el.find(f"{_B}terminateEventDefinition") is not None:
                    self.b.note(el, "terminate end event taken as a plain end (other branches are not cancelled)")
                self.b.tau(f"end.{node_id}", [self.in_place(node_id)], self.exits)
            elif kind in PASS_EVENTS:
                if el.find(f"{_B}linkEventDefinition") is not None:
                    self.b.note(el, "link events are not supported; taken as a pass-through")
                self.b.tau(f"event.{node_id}", [self.in_place(node_id)], self.outputs(node_id))
            elif kind == "parallelGateway":
                inputs = self.ins[node_id] or [self.entry]
                self.b.tau(f"and.{node_id}", inputs, self.outputs(node_id))
            elif kind in XOR_LIKE:
                self.exclusive(node_id, el)
            elif kind == "boundaryEvent":
                self.boundary(node_id, el)
            else:
                self.subprocess(node_id, el)

    def activity(self, node_id: str, el: etree._Element) -> None:
        """A task or call activity: one labelled transition."""
        label = node_id if self.b.label_by == "id" else (_name(el) or node_id)
        self.b.out.activities[node_id] = label
        self.b.net.add_transition(node_id, label, element_id=node_id)
        self.b.net.add_arc(self.in_place(node_id), node_id)
        multi = el.find(f"{_B}multiInstanceLoopCharacteristics")
        if multi is not None:
            # A multi-instance activity is done once per instance (one per unit a CCHC plan item fans out to,
            # QT-CCHC-01): its instances, parallel or not, leave the same label one or more times in a row.
            done = self.b.net.add_place(f"{node_id}.done")
            self.b.net.add_arc(node_id, done)
            self.b.tau(f"again.{node_id}", [done], [self.in_place(node_id)])
            self.b.tau(f"next.{node_id}", [done], self.outputs(node_id))
            if multi.find(f"{_B}completionCondition") is not None:
                self.b.note(el, "a multi-instance completion condition is ignored: any number of instances fits")
        else:
            for p in self.outputs(node_id):
                self.b.net.add_arc(node_id, p)
        if el.find(f"{_B}standardLoopCharacteristics") is not None:
            self.b.note(el, "loop markers are ignored: the activity is expected once per pass")

    def exclusive(self, node_id: str, el: etree._Element) -> None:
        """An XOR-like gateway: a silent transition per incoming and per outgoing branch."""
        if _local(el) != "exclusiveGateway" and _local(el) != "eventBasedGateway":
            self.b.note(el, "translated as an exclusive gateway (one branch at a time)")
        ins = self.ins[node_id] or [self.entry]
        outs = self.outputs(node_id)
        if len(ins) == 1:
            for o in outs:
                self.b.tau(f"xor.{node_id}", ins, [o])
        elif len(outs) == 1:
            for i in ins:
                self.b.tau(f"xor.{node_id}", [i], outs)
        else:
            middle = self.b.net.add_place(f"{node_id}.p")
            for i in ins:
                self.b.tau(f"xor.{node_id}", [i], [middle])
            for o in outs:
                self.b.tau(f"xor.{node_id}", [middle], [o])

    def boundary(self, node_id: str, el: etree._Element) -> None:
        """An interrupting boundary event on a task replaces that task; others are not supported."""
        host_id = el.get("attachedToRef")
        host = self.nodes.get(host_id) if host_id is not None else None
        if host_id is None or host is None:
            self.b.note(el, "attached to an unknown activity; ignored")
        elif el.get("cancelActivity", "true").lower() == "false":
            self.b.note(el, "non-interrupting boundary events are not supported; its path is left out")
        elif _local(host) not in ACTIVITIES:
            self.b.note(el, "boundary events on subprocesses are not supported; its path is left out")
        else:
            self.b.tau(f"boundary.{node_id}", [self.in_place(host_id)], self.outputs(node_id))

    def subprocess(self, node_id: str, el: etree._Element) -> None:
        """An embedded subprocess: expanded in place between its incoming and outgoing flows."""
        if el.get("triggeredByEvent", "false").lower() == "true":
            self.b.note(el, "event subprocesses are not supported; left out")
            return
        if _local(el) == "adHocSubProcess":
            self.b.note(el, "ad-hoc subprocesses are not supported; left out")
            return
        self.b.container(el, self.in_place(node_id), self.outputs(node_id))
