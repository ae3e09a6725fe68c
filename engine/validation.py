"""Validation of a BPMN document against what quytrinh can run safely; collects every problem."""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from . import expressions
from .durations import parse_duration
from .errors import Problem
from .model import END_OUTCOMES, STEP_SLA_KINDS, local, properties_of
from .service_tasks import handler_name_of
from .xml import BPMN_NS, CAMUNDA_NS

_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"
_NOT_FLOW_NODES = {
    "sequenceFlow", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
    "association", "laneSet", "extensionElements", "documentation", "ioSpecification", "property",
    "dataInputAssociation", "dataOutputAssociation", "group", "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics", "incoming", "outgoing",
}
_CONTAINERS = {"process", "subProcess", "transaction"}
_UNSUPPORTED = {
    "scriptTask": "script tasks are not allowed: quytrinh runs no code from a model",
    "complexGateway": "complex gateways are not supported",
    "compensateEventDefinition": "compensation is not supported",
    "transaction": "transactions are not supported",
    "dataStoreReference": "data stores are not supported",
    "businessRuleTask": "business rule tasks (DMN decisions) are not supported",
    "linkEventDefinition": "link events are not supported: draw the sequence flow instead",
    "loopDataInputRef": "multi-instance input data references are not supported: use camunda:collection",
    "loopDataOutputRef": "multi-instance output data references are not supported",
    "inputDataItem": "multi-instance input data items are not supported: use camunda:elementVariable",
    "outputDataItem": "multi-instance output data items are not supported",
}
_TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")


def check_document(root: etree._Element, handlers: Collection[str]) -> list[Problem]:
    """Every problem in the document that can be seen without running it."""
    problems: list[Problem] = []
    process_ids = {p.get("id") for p in root.iter(_B + "process")}
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_B):
            continue
        name = local(el)
        if name in _UNSUPPORTED:
            problems.append(Problem(_UNSUPPORTED[name], _owner_id(el)))
        elif name == "conditionExpression" or name == "completionCondition":
            problems.extend(_check_expression(el, _owner_id(el)))
        elif name in _TIMER_TAGS:
            problems.extend(_check_timer(el))
        elif name == "serviceTask" or name == "sendTask":
            problems.extend(_check_service(el, handlers))
        elif name in ("userTask", "manualTask", "task"):
            problems.extend(_check_step(el))
            problems.extend(_check_assignee(el))
            problems.extend(_check_vocabulary(el, "sla", STEP_SLA_KINDS))
        elif name == "endEvent":
            problems.extend(_check_vocabulary(el, "outcome", END_OUTCOMES))
        elif name == "callActivity" and el.get("calledElement") not in process_ids:
            problems.append(Problem(f"calls process '{el.get('calledElement')}', which is not in this file "
                                    "(a procedure and the processes it calls are deployed as one file)",
                                    el.get("id")))
        elif name == "process":
            problems.extend(_check_process_properties(el))
        if name in _CONTAINERS and el.get("triggeredByEvent") != "true":
            problems.extend(_check_graph(el))
        elif name in _CONTAINERS:
            problems.extend(_check_graph(el, event_subprocess=True))
    return problems


def _owner_id(el: etree._Element) -> str | None:
    while el is not None and el.get("id") is None:
        el = el.getparent()
    return None if el is None else el.get("id")


def _check_expression(el: etree._Element, owner: str | None) -> list[Problem]:
    text = (el.text or "").strip()
    if not text:
        return [Problem("condition is empty", owner)]
    if el.get("language") not in (None, "", "python", "juel", "JUEL"):
        return [Problem(f"expression language '{el.get('language')}' is not supported", owner)]
    if text.startswith("="):
        return [Problem(f"FEEL expressions (Camunda 8, '{text}') are not supported; write ${{...}} or Python", owner)]
    reason = expressions.check(text)
    if reason and reason.startswith("syntax error"):
        reason = f"not a Python or JUEL expression ({reason})"
    return [Problem(f"expression '{text}' refused: {reason}", owner)] if reason else []


def _check_vocabulary(el: etree._Element, prop: str, allowed: tuple[str, ...]) -> list[Problem]:
    value = properties_of(el).get(prop)
    if value is None or value in allowed:
        return []
    return [Problem(f"property {prop} '{value}' is unknown (use {', '.join(allowed)})", el.get("id"))]


def _check_assignee(el: etree._Element) -> list[Problem]:
    text = (el.get(_C + "assignee") or "").strip()
    if "${" not in text and "#{" not in text:
        return []
    reason = expressions.check(text)
    return [Problem(f"assignee expression '{text}' refused: {reason}", el.get("id"))] if reason else []


def _check_timer(el: etree._Element) -> list[Problem]:
    owner = _owner_id(el)
    text = (el.text or "").strip()
    if not text:
        return [Problem(f"timer has an empty {local(el)}", owner)]
    try:
        expressions.timer_value(text, {})
    except expressions.UnsafeExpression as exc:
        return [Problem(f"timer '{text}' refused: {exc}", owner)]
    except expressions.ExpressionError:
        pass  # names it reads are only known when the timer starts
    return []


def _check_service(el: etree._Element, handlers: Collection[str]) -> list[Problem]:
    owner = el.get("id")
    if local(el) == "sendTask" and el.get("messageRef") and not el.get(_C + "topic"):
        return []
    try:
        name = handler_name_of(el)
    except ValueError as exc:
        return [Problem(str(exc), owner)]
    if name not in handlers:
        known = ", ".join(sorted(handlers)) or "none registered"
        return [Problem(f"unknown service handler '{name}' (known: {known})", owner)]
    return []


def _check_step(el: etree._Element) -> list[Problem]:
    due = el.get(_C + "dueDate")
    if not due:
        return []
    try:
        parse_duration(due.strip())
    except ValueError as exc:
        return [Problem(f"time limit camunda:dueDate: {exc}", el.get("id"))]
    return []


def _check_process_properties(el: etree._Element) -> list[Problem]:
    props = properties_of(el)
    deadline = props.get("deadline")
    if not deadline or deadline == "same_day":
        return []
    try:
        parse_duration(deadline)
    except ValueError as exc:
        return [Problem(f"process property deadline: {exc}", el.get("id"))]
    return []


def _flow_nodes(container: etree._Element) -> dict[str, etree._Element]:
    return {
        child.get("id"): child for child in container
        if isinstance(child.tag, str) and child.tag.startswith(_B)
        and local(child) not in _NOT_FLOW_NODES and child.get("id")
    }


def _check_graph(container: etree._Element, event_subprocess: bool = False) -> list[Problem]:
    """Find flows to nowhere, unreachable nodes and nodes from which no end can be reached."""
    nodes = _flow_nodes(container)
    if local(container) == "adHocSubProcess" or not nodes:
        return []
    problems: list[Problem] = []
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    pred: dict[str, list[str]] = {n: [] for n in nodes}
    for flow in container.iterfind(_B + "sequenceFlow"):
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        if src not in nodes or dst not in nodes:
            problems.append(Problem(f"sequence flow connects unknown elements {src} → {dst}", flow.get("id")))
            continue
        succ[src].append(dst)
        pred[dst].append(src)
    for node_id, el in nodes.items():
        if local(el) == "boundaryEvent" and el.get("attachedToRef") in nodes:
            succ[el.get("attachedToRef")].append(node_id)
            pred[node_id].append(el.get("attachedToRef"))
    roots = [n for n, el in nodes.items() if not pred[n] and _may_start(el)]
    reached = _walk(roots, succ)
    for n, el in nodes.items():
        if n not in reached and _may_start(el) is False:
            problems.append(Problem(f"{local(el)} cannot be reached from a start event", n))
    ends = [n for n, el in nodes.items() if not succ[n]]
    can_finish = _walk(ends, pred)
    for n in reached:
        el = nodes[n]
        if not succ[n] and local(el) not in ("endEvent",) and not _implicit_end_ok(el):
            problems.append(Problem(f"{local(el)} has no outgoing flow (dead end)", n))
        elif n not in can_finish:
            problems.append(Problem(f"{local(el)} is on a path that can never reach an end", n))
    return problems


def _may_start(el: etree._Element) -> bool:
    # Start events and event subprocesses begin on their own; everything else needs an incoming flow.
    return local(el) == "startEvent" or el.get("triggeredByEvent") == "true"


def _implicit_end_ok(el: etree._Element) -> bool:
    # An event subprocess or a compensation handler has no outgoing flow by design.
    return el.get("triggeredByEvent") == "true" or el.get("isForCompensation") == "true"


def _walk(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
