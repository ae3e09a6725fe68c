"""Conditional form rules: constraints that depend on other fields, on case facts or on a pattern.

They are written as ordinary Camunda constraints (so Camunda Modeler keeps and edits them), e.g.
`<camunda:constraint name="required_if" config="ket_qua == 'bo_sung'" />`; docs/dialect.md lists them.
A field with `visible_if` applies only while its expression holds: the browser hides it otherwise, and
the server drops a value sent for it then (and never requires it).
The same rules are checked on the server (`check`) and sent to the browser (`browser_rules`), so the two
give the same coded message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from . import expressions
from .errors import Problem, problem
from .field_errors import FieldError

# Facts of the case a date may be compared with; the caller supplies them (dates or datetimes).
FACTS = ("received_at", "notified_at", "today")
RULES = frozenset({"required_if", "visible_if", "not_before", "not_after", "not_future", "pattern"})
_CONDITIONS = ("required_if", "visible_if")  # rules whose config is an expression over the values
_MAX_PATTERN = 200


def refs(config: str | None) -> list[str]:
    """The field ids or fact names a not_before / not_after constraint names (comma-separated)."""
    return [r.strip() for r in (config or "").split(",") if r.strip()]


def read_problems(element_id: str | None, fid: str, ftype: str, name: str, config: str | None,
                  field_types: Mapping[str, str]) -> list[Problem]:
    """Why a rule constraint cannot be used, checked when the model is deployed."""
    bad = []
    if name in _CONDITIONS:
        reason = expressions.check(config or "")
        if reason is not None:
            bad.append(problem("form_rule_bad_expression", element_id, field=fid, constraint=name, reason=reason))
    elif name in ("not_before", "not_after", "not_future"):
        if ftype != "date":
            bad.append(problem("form_rule_needs_date", element_id, field=fid, constraint=name))
        for ref in refs(config) if name != "not_future" else []:
            if ref not in FACTS and field_types.get(ref) != "date":
                bad.append(problem("form_rule_unknown_date", element_id, field=fid, constraint=name, ref=ref))
        if name != "not_future" and not refs(config):
            bad.append(problem("form_rule_unknown_date", element_id, field=fid, constraint=name, ref=""))
    elif name == "pattern":
        if ftype != "string":
            bad.append(problem("form_rule_pattern_not_text", element_id, field=fid))
        elif not config or len(config) > _MAX_PATTERN or not _compiles(config):
            bad.append(problem("form_rule_bad_pattern", element_id, field=fid, pattern=(config or "")[:80]))
    return bad


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def is_required(config: str | None, values: Mapping[str, Any]) -> bool:
    """Whether a required_if expression holds; a missing name reads as empty, a failing expression as no."""
    try:
        compiled = expressions.compile_expression(config or "")
        env = {name: values.get(name) for name in compiled.names}
        return bool(compiled.evaluate(env))
    except expressions.ExpressionError:
        return False


def is_shown(constraints: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether a field applies: it has no visible_if, or its expression holds over `values`."""
    return "visible_if" not in constraints or is_required(constraints["visible_if"], values)


def hidden(fields: Any, values: Mapping[str, Any]) -> set[str]:
    """The ids of the fields whose visible_if does not hold over `values` (they take no value)."""
    return {f.id for f in fields if not is_shown(f.constraints, values)}


def as_date(value: Any) -> dt.date | None:
    """A date from a form value or a fact (ISO text, date or datetime); None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def check(fields: Any, cleaned: dict[str, Any], context: Mapping[str, Any],
          errors: dict[str, FieldError]) -> None:
    """Add the rule errors of `cleaned` (values of this form over `context`) to `errors`, field by field."""
    values = {**context, **cleaned}
    labels = {f.id: f.label for f in fields}
    for f in fields:
        c = f.constraints
        if f.id in errors or f.readonly or not is_shown(c, values):
            continue
        value = cleaned.get(f.id)
        if value is None:
            if "required_if" in c and is_required(c["required_if"], values):
                errors[f.id] = FieldError("required")
            continue
        found = _date_error(f, value, values, labels) if f.type == "date" else None
        if found is None and "pattern" in c and isinstance(value, str) and not re.fullmatch(c["pattern"] or "",
                                                                                             value.strip()):
            found = FieldError("pattern")
        if found is not None:
            errors[f.id] = found


def needs_facts(fields: Any) -> bool:
    """Whether any field's rules compare with a case fact (so the caller must look the facts up)."""
    return any("not_future" in f.constraints
               or any(ref in FACTS for name in ("not_before", "not_after") for ref in refs(f.constraints.get(name)))
               for f in fields)


def _date_error(f: Any, value: Any, values: Mapping[str, Any], labels: Mapping[str, str]) -> FieldError | None:
    day = as_date(value)
    if day is None:
        return None
    today = as_date(values.get("today"))
    if "not_future" in f.constraints and today is not None and day > today:
        return FieldError("not_future")
    for name, later in (("not_before", False), ("not_after", True)):
        for ref in refs(f.constraints.get(name)):
            other = as_date(values.get(ref))
            if other is not None and (day > other if later else day < other):
                return FieldError(name, other=_ref_label(ref, labels), date=f"{other:%d/%m/%Y}")
    return None


def _ref_label(ref: str, labels: Mapping[str, str]) -> str | FieldError:
    # A fact is named by a coded text (translated by the web layer); a field by its label in the BPMN.
    if ref in FACTS:
        return FieldError(f"fact_{ref}")
    label = labels.get(ref, ref)
    # Mid-sentence, "Ngày thông báo…" reads "ngày thông báo…"; an acronym ("CCCD…") keeps its capitals.
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def browser_rules(fields: Any, facts: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per field, what the browser checks: shown / required when an enum field takes some values, date bounds
    (a field id, or a fact resolved here to its date), not in the future, a pattern.

    A required_if over one enum or boolean field of the form is enumerated with the server's evaluator,
    so the browser needs no expression language; other expressions are left to the server.
    """
    by_id = {f.id: f for f in fields}
    found: dict[str, dict[str, Any]] = {}
    for f in fields:
        c, rule = f.constraints, dict[str, Any]()
        for name, key in (("required_if", "required_when"), ("visible_if", "visible_when")):
            if name in c and (when := _enumerated(c[name], by_id)) is not None:
                rule[key] = when
        for name in ("not_before", "not_after"):
            bounds = []
            for ref in refs(c.get(name)):
                if ref in by_id:
                    bounds.append({"field": ref, "label": by_id[ref].label})
                elif (day := as_date(facts.get(ref))) is not None:
                    bounds.append({"date": day.isoformat(), "fact": ref})
            if bounds:
                rule[name] = bounds
        if "not_future" in c and (today := as_date(facts.get("today"))) is not None:
            rule["not_future"] = today.isoformat()
        if "pattern" in c:
            rule["pattern"] = c["pattern"]
        if rule:
            found[f.id] = rule
    return found


def _enumerated(config: str | None, by_id: Mapping[str, Any]) -> dict[str, list[Any]] | None:
    try:
        names = expressions.compile_expression(config or "").names
    except expressions.ExpressionError:
        return None
    if len(names) != 1 or next(iter(names)) not in by_id:
        return None
    driver = by_id[next(iter(names))]
    if driver.type == "enum":
        choices: list[Any] = [o[0] for o in driver.options]
    elif driver.type == "boolean":
        choices = [True, False]
    else:
        return None
    return {driver.id: [v for v in choices if is_required(config, {driver.id: v})]}
