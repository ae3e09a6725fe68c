"""Lint rules about the flow: exclusive gateways that always choose, step limits within the deadline."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from lxml import etree

from . import expressions
from .durations import WorkingDuration, parse_duration
from .findings import ERROR, WARNING, Finding, finding
from .model import STEP_TAGS, local, properties_of
from .xml import BPMN_NS, CAMUNDA_NS, NSMAP

_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"
_NOT_NODES = {"sequenceFlow", "laneSet", "extensionElements", "documentation", "textAnnotation", "association",
              "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification", "boundaryEvent",
              "property", "group"}
DAY_MINUTES = 480  # one working day is counted as 8 office hours when days and hours are added
MAX_COMBINATIONS = 512
MAX_EXPANSIONS = 50_000
Next = Callable[[str, list[str]], list[str]]


def gateway_findings(process: etree._Element) -> list[Finding]:
    """Exclusive gateways whose flows lack conditions, or whose conditions can leave a case stuck."""
    flows = list(process.iter(_B + "sequenceFlow"))
    domains = field_domains(process)
    found: list[Finding] = []
    for gateway in process.iter(_B + "exclusiveGateway"):
        gid, default = gateway.get("id"), gateway.get("default")
        out = [f for f in flows if f.get("sourceRef") == gid]
        if len(out) < 2:
            continue
        name = gateway.get("name") or gid
        if default and default not in {f.get("id") for f in out}:
            found.append(finding("bad_default", gid, ERROR, gateway=name, flow=default))
        conditions, bare = [], []
        for flow in out:
            text = _condition(flow)
            if flow.get("id") == default:
                continue
            if text:
                conditions.append(text)
            else:
                bare.append(flow.get("name") or flow.get("id"))
        for label in bare:
            found.append(finding("gateway_flow_without_condition", gid, ERROR, gateway=name, flow=label))
        if default or bare:
            continue
        gap = uncovered(conditions, domains)
        if gap is None:
            found.append(finding("gateway_without_default", gid, WARNING, gateway=name))
        elif gap:
            shown = ", ".join(f"{k} = {v!r}" for k, v in gap.items())
            found.append(finding("gateway_not_covered", gid, ERROR, gateway=name, values=shown))
    return found


def _condition(flow: etree._Element) -> str:
    cond = flow.find(_B + "conditionExpression")
    return (cond.text or "").strip() if cond is not None else ""


def field_domains(process: etree._Element) -> dict[str, list[Any]]:
    """The values each enum and boolean form field of the process can take (None when optional)."""
    domains: dict[str, list[Any]] = {}
    for node in process.xpath(".//camunda:formField", namespaces=NSMAP):
        fid, ftype = node.get("id") or "", node.get("type") or "string"
        if ftype == "enum":
            values: list[Any] = [v.get("id") or "" for v in node.xpath("./camunda:value", namespaces=NSMAP)]
        elif ftype == "boolean":
            values = [True, False]
        else:
            domains[fid] = []  # a free field: its values cannot be enumerated
            continue
        required = node.xpath("./camunda:validation/camunda:constraint[@name='required']", namespaces=NSMAP)
        if not required:
            values.append(None)
        known = domains.setdefault(fid, [])
        known.extend(v for v in values if v not in known)
    return domains


def uncovered(conditions: Iterable[str], domains: dict[str, list[Any]]) -> dict[str, Any] | None:
    """Values for which no condition holds ({} when every case is covered, None when unknowable)."""
    texts = list(conditions)
    names: set[str] = set()
    for text in texts:
        try:
            names |= expressions.compile_expression(text).names
        except expressions.ExpressionError:
            return None
    ordered = sorted(names)
    if not ordered or any(not domains.get(n) for n in ordered):
        return None
    sizes = [len(domains[n]) for n in ordered]
    if _product(sizes) > MAX_COMBINATIONS:
        return None
    for values in itertools.product(*(domains[n] for n in ordered)):
        data = dict(zip(ordered, values, strict=True))
        try:
            if not any(expressions.evaluate(text, data) for text in texts):
                return data
        except expressions.ExpressionError:
            return None
    return {}


def _product(sizes: list[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total


def path_findings(process: etree._Element) -> list[Finding]:
    """Step limits past the statutory deadline: an error on the main path, a warning on other paths.

    The main path follows the default flow of every exclusive gateway that has one (the normal
    case), unless that flow loops back; the other paths are every loop-free path to an end.
    """
    props = properties_of(process)
    text = (props.get("deadline") or "").strip()
    if not text or props.get("deadline_kind") == "calendar":
        return []
    try:
        deadline = parse_duration("P1D" if text == "same_day" else text)
    except ValueError:
        return []  # the validator reports a malformed deadline
    graph = _Graph(process)
    limit = deadline.total_minutes(DAY_MINUTES)
    for main, code, severity in ((True, "over_deadline", ERROR), (False, "over_deadline_branch", WARNING)):
        total, path = longest_path(graph.starts, graph.successors(main), graph.minutes, graph.ends)
        if total > limit:
            return [finding(code, graph.culprit(path, limit), severity, total=str(graph.sum(path)), deadline=text,
                            steps=graph.describe(path))]
    return []


class _Graph:
    """The top-level flow nodes of a process with their step limits."""

    def __init__(self, process: etree._Element) -> None:
        self.nodes = {ident: el for el in process if isinstance(el.tag, str) and el.tag.startswith(_B)
                      and local(el) not in _NOT_NODES and (ident := el.get("id"))}
        self.succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        has_incoming: set[str] = set()
        self.flow_target: dict[str, str] = {}
        for flow in process.iterfind(_B + "sequenceFlow"):
            src, dst = flow.get("sourceRef"), flow.get("targetRef")
            if src is not None and dst is not None and src in self.nodes and dst in self.nodes:
                self.succ[src].append(dst)
                if (flow_id := flow.get("id")) is not None:  # gateways name their default flow by id
                    self.flow_target[flow_id] = dst
                has_incoming.add(dst)
        self.weights = {n: _limit(el) for n, el in self.nodes.items()}
        self.minutes = {n: w.total_minutes(DAY_MINUTES) for n, w in self.weights.items()}
        self.starts = [n for n, el in self.nodes.items() if local(el) == "startEvent" and n not in has_incoming]
        self.ends = {n for n, nexts in self.succ.items() if not nexts}

    def successors(self, main: bool) -> Next:
        """A function giving the next nodes from a node on a path (main: defaults first)."""

        def nexts(node: str, path: list[str]) -> list[str]:
            """The nodes a path may go on to from `node` without a loop."""
            free = [n for n in self.succ[node] if n not in path]
            el = self.nodes[node]
            default = self.flow_target.get(el.get("default") or "")
            if main and local(el) == "exclusiveGateway" and default is not None and default not in path:
                return [default]
            return free

        return nexts

    def sum(self, path: list[str]) -> WorkingDuration:
        """The step limits of a path added up."""
        return sum((self.weights[n] for n in path), WorkingDuration())

    def describe(self, path: list[str]) -> str:
        """The names of the steps with a limit on a path."""
        return " → ".join((self.nodes[n].get("name") or n).strip() for n in path if self.minutes[n])

    def culprit(self, path: list[str], limit: Any) -> str:
        """The first node of the path at which the running total passes the limit."""
        running = Fraction(0)
        for node in path:
            running += self.minutes[node]
            if running > limit:
                return node
        return path[-1]


def _limit(el: etree._Element) -> WorkingDuration:
    due = (el.get(_C + "dueDate") or "").strip()
    if not due or local(el) not in STEP_TAGS + ("subProcess", "callActivity"):
        return WorkingDuration()
    try:
        return parse_duration(due)
    except ValueError:
        return WorkingDuration()


def longest_path(starts: list[str], nexts: Next, weight: dict[str, Any], ends: set[str]) -> tuple[Any, list[str]]:
    """The heaviest loop-free path from a start to an end node (bounded search)."""
    best: tuple[Any, list[str]] = (0, [])
    budget = MAX_EXPANSIONS
    for start in starts:
        stack: list[tuple[str, list[str], Any]] = [(start, [start], weight[start])]
        while stack and budget > 0:
            node, path, total = stack.pop()
            budget -= 1
            if node in ends and total > best[0]:
                best = (total, path)
            for nxt in nexts(node, path):
                stack.append((nxt, path + [nxt], total + weight[nxt]))
    return best
