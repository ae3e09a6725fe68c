"""Validation of a BPMN document against what quytrinh can run safely; collects every problem."""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from . import expressions
from .durations import parse_duration
from .errors import Problem, problem
from .model import END_OUTCOMES, STEP_SIGN_KINDS, STEP_SLA_KINDS, local, properties_of
from .problem_codes import UNCLASSIFIED
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
_UNSUPPORTED = {  # element → problem code (texts in engine.problem_codes)
    "scriptTask": "unsupported_script_task",
    "complexGateway": "unsupported_complex_gateway",
    "compensateEventDefinition": "unsupported_compensation",
    "transaction": "unsupported_transaction",
    "dataStoreReference": "unsupported_data_store",
    "businessRuleTask": "unsupported_business_rule_task",
    "linkEventDefinition": "unsupported_link_event",
    "loopDataInputRef": "unsupported_loop_data_input_ref",
    "loopDataOutputRef": "unsupported_loop_data_output_ref",
    "inputDataItem": "unsupported_input_data_item",
    "outputDataItem": "unsupported_output_data_item",
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
            problems.append(problem(_UNSUPPORTED[name], _owner_id(el)))
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
            problems.extend(_check_vocabulary(el, "sign", STEP_SIGN_KINDS))
            problems.extend(_check_sign_if(el))
        elif name == "endEvent":
            problems.extend(_check_vocabulary(el, "outcome", END_OUTCOMES))
        elif name == "callActivity" and el.get("calledElement") not in process_ids:
            problems.append(problem("called_process_missing", el.get("id"), called=el.get("calledElement")))
        elif name == "process":
            problems.extend(_check_process_properties(el))
        if name in _CONTAINERS and el.get("triggeredByEvent") != "true":
            problems.extend(_check_graph(el))
        elif name in _CONTAINERS:
            problems.extend(_check_graph(el, event_subprocess=True))
    return problems


def _owner_id(el: etree._Element) -> str | None:
    node: etree._Element | None = el
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return None if node is None else node.get("id")


def _check_expression(el: etree._Element, owner: str | None) -> list[Problem]:
    text = (el.text or "").strip()
    if not text:
        return [problem("empty_condition", owner)]
    if el.get("language") not in (None, "", "python", "juel", "JUEL"):
        return [problem("unsupported_expression_language", owner, language=el.get("language"))]
    if text.startswith("="):
        return [problem("feel_expression", owner, text=text)]
    return _refused_expression(text, owner)


def _refused_expression(text: str, owner: str | None) -> list[Problem]:
    """Why an expression (a condition, a sign_if) would be refused when it is compiled to run."""
    reason = expressions.check(text)
    if not reason:
        return []
    code = "expression_syntax_error" if reason.startswith("syntax error") else "expression_refused"
    return [problem(code, owner, text=text, reason=reason)]


def _check_vocabulary(el: etree._Element, prop: str, allowed: tuple[str, ...]) -> list[Problem]:
    value = properties_of(el).get(prop)
    if value is None or value in allowed:
        return []
    return [problem("unknown_property_value", el.get("id"), prop=prop, value=value, allowed=", ".join(allowed))]


def _check_sign_if(el: etree._Element) -> list[Problem]:
    """`sign_if`: when a signing step must be signed, an expression over the step's form (and the case's data)."""
    text = (properties_of(el).get("sign_if") or "").strip()
    return _refused_expression(text, el.get("id")) if text else []


def _check_assignee(el: etree._Element) -> list[Problem]:
    text = (el.get(_C + "assignee") or "").strip()
    if "${" not in text and "#{" not in text:
        return []
    reason = expressions.check(text)
    return [problem("assignee_expression_refused", el.get("id"), text=text, reason=reason)] if reason else []


def _check_timer(el: etree._Element) -> list[Problem]:
    owner = _owner_id(el)
    text = (el.text or "").strip()
    if not text:
        return [problem("empty_timer", owner, tag=local(el))]
    try:
        expressions.timer_value(text, {})
    except expressions.UnsafeExpression as exc:
        return [problem("timer_refused", owner, text=text, reason=str(exc))]
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
        return [Problem(str(exc), owner, "error", getattr(exc, "code", UNCLASSIFIED), getattr(exc, "params", {}))]
    if name not in handlers:
        known = ", ".join(sorted(handlers)) or "none registered"
        return [problem("unknown_service_handler", owner, handler=name, known=known)]
    return []


def _check_step(el: etree._Element) -> list[Problem]:
    due = el.get(_C + "dueDate")
    if not due:
        return []
    try:
        parse_duration(due.strip())
    except ValueError as exc:
        return [problem("bad_due_date", el.get("id"), value=due.strip(), detail=str(exc))]
    return []


def _check_process_properties(el: etree._Element) -> list[Problem]:
    props = properties_of(el)
    deadline = props.get("deadline")
    if not deadline or deadline == "same_day":
        return []
    try:
        parse_duration(deadline)
    except ValueError as exc:
        return [problem("bad_deadline", el.get("id"), value=deadline, detail=str(exc))]
    return []


def _flow_nodes(container: etree._Element) -> dict[str, etree._Element]:
    return {
        ident: child for child in container
        if isinstance(child.tag, str) and child.tag.startswith(_B)
        and local(child) not in _NOT_FLOW_NODES and (ident := child.get("id"))
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
        if src is None or dst is None or src not in nodes or dst not in nodes:
            problems.append(problem("unknown_flow_endpoints", flow.get("id"), source=src, target=dst))
            continue
        succ[src].append(dst)
        pred[dst].append(src)
    for node_id, el in nodes.items():
        host = el.get("attachedToRef")
        if local(el) == "boundaryEvent" and host is not None and host in nodes:
            succ[host].append(node_id)
            pred[node_id].append(host)
    roots = [n for n, el in nodes.items() if not pred[n] and _may_start(el)]
    reached = _walk(roots, succ)
    for n, el in nodes.items():
        if n not in reached and _may_start(el) is False:
            problems.append(problem("unreachable", n, kind=local(el)))
    ends = [n for n, el in nodes.items() if not succ[n]]
    can_finish = _walk(ends, pred)
    for n in reached:
        el = nodes[n]
        if not succ[n] and local(el) not in ("endEvent",) and not _implicit_end_ok(el):
            problems.append(problem("dead_end", n, kind=local(el)))
        elif n not in can_finish:
            problems.append(problem("never_reaches_end", n, kind=local(el)))
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
