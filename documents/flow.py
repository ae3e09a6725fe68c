"""The human steps of a BPMN procedure in flow order: the main path first, then the other branches."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lxml import etree

from engine.model import STEP_TAGS, ProcessInfo, local, read_process
from engine.xml import BPMN_NS, NSMAP, load_xml

_B = f"{{{BPMN_NS}}}"
_UNREACHABLE = -1_000_000


@dataclass(frozen=True)
class FlowStep:
    """A human step with where it sits in the flow: on the main path, or on a named branch."""

    element_id: str
    name: str
    lane: str
    roles: tuple[str, ...]
    due: str | None
    form_key: str | None
    documentation: str
    main: bool
    branch: str = ""


@dataclass(frozen=True)
class _Flow:
    target: str
    name: str


def _process(tree: etree._ElementTree, process_id: str | None) -> etree._Element:
    processes = tree.getroot().findall(f"{_B}process")
    for el in processes:
        if process_id is None and el.get("isExecutable", "true").lower() != "false" or el.get("id") == process_id:
            return el
    if processes and process_id is None:
        return processes[0]
    raise ValueError(f"no process {process_id!r} in the BPMN file")


def _graph(process: etree._Element) -> tuple[dict[str, list[_Flow]], dict[str, str], list[str], dict[str, str]]:
    """Outgoing flows per node, default flow per gateway, start events, node kind per id."""
    outgoing: dict[str, list[_Flow]] = defaultdict(list)
    defaults: dict[str, str] = {}
    kinds: dict[str, str] = {}
    flows: dict[str, etree._Element] = {}
    for el in process.iter():
        if not isinstance(el.tag, str) or not (el_id := el.get("id")):
            continue
        kind = local(el)
        kinds[el_id] = kind
        if kind == "sequenceFlow":
            flows[el_id] = el
        if default := el.get("default"):
            defaults[el_id] = default
    # A missing reference reads as "": like the id of no element, it leads nowhere.
    for flow_id, el in flows.items():
        outgoing[el.get("sourceRef", "")].append(_Flow(el.get("targetRef", ""), (el.get("name") or "").strip()))
        kinds.setdefault(flow_id, "sequenceFlow")
    # A boundary event continues from the step it is attached to (an exceptional branch).
    for el in process.iter(f"{_B}boundaryEvent"):
        outgoing[el.get("attachedToRef", "")].append(_Flow(el.get("id", ""), (el.get("name") or "").strip()))
    for node, default in list(defaults.items()):
        target = flows.get(default)
        defaults[node] = target.get("targetRef", "") if target is not None else ""
    starts = [el.get("id", "") for el in process.findall(f"{_B}startEvent")]
    return outgoing, defaults, starts, kinds


def _longest(node: str, outgoing, steps: set[str], kinds, seen: frozenset[str], depth: int = 0) -> int:
    """Most steps on a path from `node` to an end event without revisiting `seen` (unreachable: very low)."""
    if node in seen or depth > 200:
        return _UNREACHABLE
    here = 1 if node in steps else 0
    if kinds.get(node) == "endEvent" or not outgoing.get(node):
        return here
    seen = seen | {node}
    best = max(_longest(f.target, outgoing, steps, kinds, seen, depth + 1) for f in outgoing[node])
    return here + best if best > _UNREACHABLE else _UNREACHABLE


def _main_path(start: str, outgoing, defaults, steps: set[str], kinds) -> list[str]:
    path, seen, node = [], set(), start
    while node and node not in seen:
        seen.add(node)
        path.append(node)
        flows = [f for f in outgoing.get(node, []) if kinds.get(f.target) != "boundaryEvent"]
        if not flows:
            break
        if len(flows) == 1:
            node = flows[0].target
            continue
        default = defaults.get(node)
        if default and default not in seen and _longest(default, outgoing, steps, kinds, frozenset(seen)) > 0:
            node = default
            continue
        scores = [_longest(f.target, outgoing, steps, kinds, frozenset(seen)) for f in flows]
        node = flows[scores.index(max(scores))].target
    return path


def flow_steps(bpmn: bytes | str, process_id: str | None = None) -> tuple[ProcessInfo, list[FlowStep]]:
    """The process's metadata and its human steps, main path first, then branches as they leave it."""
    tree = load_xml(bpmn)
    process = _process(tree, process_id)
    info, _problems = read_process(process, {})
    steps = {s.spec_name: s for s in info.steps.values()}
    docs = {el.get("id"): " ".join(t.strip() for t in el.xpath("./bpmn:documentation/text()", namespaces=NSMAP))
            for tag in STEP_TAGS for el in process.iter(f"{_B}{tag}")}
    outgoing, defaults, starts, kinds = _graph(process)
    ordered: list[tuple[str, bool, str]] = []
    listed: set[str] = set()
    main_nodes: list[str] = []
    for start in starts:
        main_nodes.extend(_main_path(start, outgoing, defaults, set(steps), kinds))
    for node in main_nodes:
        if node in steps and node not in listed:
            ordered.append((node, True, ""))
            listed.add(node)
    on_main = set(main_nodes)
    for node in main_nodes:
        for flow in outgoing.get(node, []):
            if flow.target not in on_main:
                _collect(flow.target, flow.name, outgoing, steps, ordered, listed, on_main)
    for spec_name in steps:  # anything not reachable from a start event, in document order
        if spec_name not in listed:
            ordered.append((spec_name, False, ""))
            listed.add(spec_name)
    result = []
    for spec_name, main, branch in ordered:
        s = steps[spec_name]
        result.append(FlowStep(s.element_id, s.name, s.lane or ", ".join(s.roles), s.roles, s.due,
                               s.form.key if s.form else None, docs.get(spec_name, ""), main, branch))
    return info, result


def _collect(node: str, branch: str, outgoing, steps, ordered, listed: set[str], stop: set[str]) -> None:
    """Depth-first, in document order: the steps of a branch until it rejoins the main path."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current in seen or current in stop:
            continue
        seen.add(current)
        if current in steps and current not in listed:
            ordered.append((current, False, branch))
            listed.add(current)
        stack.extend(f.target for f in reversed(outgoing.get(current, [])))
