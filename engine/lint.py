"""Design lint: what a quality manager should fix before a procedure goes for approval.

The engine's validator (engine.parsing.compile_procedure) says whether a model can run at all;
the lint adds the ISO design rules on top: every step has a responsible role that exists, a time
limit, limits that fit the statutory deadline along the longest path, exclusive gateways that
always choose a path, safe assignee expressions and coherent forms. Every finding names the
element it is about and says whether it blocks approval ("error") or not ("warning").
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from lxml import etree

from . import expressions
from .errors import ModelInvalid, Problem
from .findings import ERROR, WARNING, Finding, finding
from .lint_flow import gateway_findings, path_findings
from .model import STEP_TAGS, properties_of, split_roles
from .parsing import compile_procedure
from .problem_codes import RULE
from .xml import BPMN_NS, CAMUNDA_NS, NSMAP, load_xml

_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"
__all__ = ["ERROR", "WARNING", "Finding", "engine_findings", "has_errors", "lint"]


def lint(xml: bytes | str, handlers: Collection[str] = (), known_roles: Collection[str] | None = None,
         known_units: Collection[str] | None = None) -> list[Finding]:
    """Every validator problem and design finding of a BPMN text (raises ModelInvalid if not BPMN)."""
    root = load_xml(xml).getroot()
    found = engine_findings(xml, handlers)
    for process in _executable_processes(root):
        found.extend(_role_findings(process, known_roles, known_units))
        found.extend(_limit_findings(process))
        found.extend(_form_findings(process))
        found.extend(gateway_findings(process))
        found.extend(path_findings(process))
    return _unique(found)


def engine_findings(xml: bytes | str, handlers: Collection[str]) -> list[Finding]:
    """The engine validator's problems as findings (code "engine", the problem's own code as params["rule"])."""
    try:
        procedure = compile_procedure(xml, handlers)
    except ModelInvalid as exc:
        return [_from_problem(p, ERROR) for p in exc.problems]
    return [_from_problem(p, WARNING) for p in procedure.warnings]


def _from_problem(p: Problem, severity: str) -> Finding:
    return Finding("engine", p.message, p.element_id, p.severity or severity, {RULE: p.code, **p.params})


def has_errors(findings: Collection[Finding]) -> bool:
    """True when any finding blocks approval."""
    return any(f.severity == ERROR for f in findings)


def _unique(found: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in found:
        key = (f.code, f.message, f.element_id)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _executable_processes(root: etree._Element) -> list[etree._Element]:
    processes = list(root.iter(_B + "process"))
    return [p for p in processes if p.get("isExecutable", "true").lower() != "false"]


def _steps(process: etree._Element):
    for tag in STEP_TAGS:
        yield from process.iter(_B + tag)


def _role_findings(process: etree._Element, known: Collection[str] | None,
                   units: Collection[str] | None) -> list[Finding]:
    found: list[Finding] = []
    step_ids = {s.get("id") for s in _steps(process)}
    in_lane: set[str] = set()
    for lane in process.iter(_B + "lane"):
        name = (lane.get("name") or lane.get("id") or "").strip()
        refs = {r.text.strip() for r in lane.xpath("./bpmn:flowNodeRef", namespaces=NSMAP) if r.text}
        in_lane |= refs
        # A lane answers for its steps unless every one of them names its own candidateGroups.
        lane_steps = [s for s in _steps(process) if s.get("id") in refs & step_ids
                      and not split_roles(s.get(_C + "candidateGroups"))]
        if lane_steps and not lane.xpath("./bpmn:childLaneSet", namespaces=NSMAP):
            role = properties_of(lane).get("role") or name
            found.extend(_check_role(role, lane.get("id"), known, units, name))
    for step in _steps(process):
        sid = step.get("id")
        groups = split_roles(step.get(_C + "candidateGroups"))
        assignee = (step.get(_C + "assignee") or "").strip()
        if assignee and ("${" in assignee or "#{" in assignee):
            reason = expressions.check(assignee)
            if reason:
                found.append(finding("unsafe_expression", sid, ERROR, rule="assignee_expression_refused",
                                     text=assignee, reason=reason))
        if groups:
            for role in groups:
                found.extend(_check_role(role, sid, known, units, None))
        elif sid not in in_lane and not assignee:
            found.append(finding("no_role", sid, step=_name(step)))
    return found


def _check_role(role: str, where: str | None, known: Collection[str] | None, units: Collection[str] | None,
                lane: str | None) -> list[Finding]:
    """Findings about one role code; `lane` names the lane it comes from (None: camunda:candidateGroups)."""
    source = f"lane '{lane}'" if lane is not None else "candidateGroups"
    if "${" in role or "#{" in role:
        return [finding("unsafe_expression", where, ERROR, rule="role_expression", source=source, lane=lane,
                        role=role)]
    code, _, unit = role.partition("@")
    found = []
    if known is not None and code not in known:
        found.append(finding("unknown_role", where, ERROR, source=source, lane=lane, role=code))
    if unit and units is not None and unit not in units:
        found.append(finding("unknown_unit", where, ERROR, source=source, lane=lane, unit=unit, role=role))
    return found


def _limit_findings(process: etree._Element) -> list[Finding]:
    found = []
    if not properties_of(process).get("deadline"):
        found.append(finding("missing_deadline", process.get("id"), WARNING))
    for step in _steps(process):
        if not (step.get(_C + "dueDate") or "").strip():
            found.append(finding("missing_time_limit", step.get("id"), WARNING, step=_name(step)))
    return found


def _form_findings(process: etree._Element) -> list[Finding]:
    found = []
    fields = "./bpmn:extensionElements/camunda:formData/camunda:formField"
    # A required_if may name any field of the procedure (earlier steps' values are in the case data).
    known = {n.get("id") for s in process.iter(_B + "userTask", _B + "startEvent")
             for n in s.xpath(fields, namespaces=NSMAP)}
    for step in process.iter(_B + "userTask", _B + "startEvent"):
        sid = step.get("id")
        for node in step.xpath(fields, namespaces=NSMAP):
            found.extend(_field_findings(node, sid))
            found.extend(_rule_names(node, sid, known))
    return found


def _rule_names(node: etree._Element, sid: str | None, known: set[str | None]) -> list[Finding]:
    # A name no form fills is always empty: the field would never (or, under "not", always) be required or shown.
    found = []
    for c in node.xpath("./camunda:validation/camunda:constraint[@name='required_if' or @name='visible_if']",
                        namespaces=NSMAP):
        try:
            names = expressions.compile_expression(c.get("config") or "").names
        except expressions.ExpressionError:
            continue  # the engine's own check reports it (form_rule_bad_expression)
        for name in sorted(names - known - {"null", "true", "false"}):
            found.append(_bad_form("bad_form_rule_unknown_name", sid, WARNING, field=node.get("id") or "",
                                   constraint=c.get("name") or "", name=name))
    return found


def _field_findings(node: etree._Element, sid: str | None) -> list[Finding]:
    fid, ftype = node.get("id") or "", node.get("type") or "string"
    limits = {c.get("name"): c.get("config") for c in
              node.xpath("./camunda:validation/camunda:constraint", namespaces=NSMAP)}
    found = []
    for lo, hi in (("min", "max"), ("minlength", "maxlength")):
        low, high = _int(limits.get(lo)), _int(limits.get(hi))
        if low is not None and high is not None and low > high:
            found.append(_bad_form("bad_form_range", sid, field=fid, low=lo, low_value=limits[lo], high=hi,
                                   high_value=limits[hi]))
    if ftype != "long" and {"min", "max"} & set(limits):
        found.append(_bad_form("bad_form_min_max_type", sid, field=fid, type=ftype))
    if ftype != "string" and {"minlength", "maxlength"} & set(limits):
        found.append(_bad_form("bad_form_length_type", sid, field=fid, type=ftype))
    values = [v.get("id") or "" for v in node.xpath("./camunda:value", namespaces=NSMAP)]
    if ftype != "enum" and values:
        found.append(_bad_form("bad_form_values_not_enum", sid, field=fid, type=ftype))
    if len(values) != len(set(values)):
        found.append(_bad_form("bad_form_repeated_value", sid, field=fid))
    default = node.get("defaultValue")
    if default not in (None, "") and not _default_fits(ftype, default, values):
        found.append(_bad_form("bad_form_default", sid, field=fid, default=default, type=ftype))
    if "required" in limits and "readonly" in limits:
        found.append(_bad_form("bad_form_required_readonly", sid, WARNING, field=fid))
    return found


def _bad_form(rule: str, sid: str | None, severity: str = ERROR, **params: Any) -> Finding:
    return finding("bad_form", sid, severity, rule=rule, **params)


def _default_fits(ftype: str, default: str, values: list[str]) -> bool:
    if ftype == "long":
        return _int(default) is not None
    if ftype == "boolean":
        return default.lower() in ("true", "false")
    if ftype == "enum":
        return default in values
    if ftype == "date":
        import datetime as dt

        try:
            dt.date.fromisoformat(default)
        except ValueError:
            return False
    return True


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def _name(el: etree._Element) -> str:
    return (el.get("name") or el.get("id") or "").strip()
