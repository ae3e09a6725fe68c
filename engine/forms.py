"""Step forms: Camunda formData read from the XML, exposed as JSON Schema, enforced on completion."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import form_rules
from .errors import FormInvalid, Problem, problem
from .field_errors import BadValue, FieldError
from .xml import NSMAP

FIELD_TYPES = {"string", "long", "boolean", "date", "enum"}
_CONSTRAINTS = {"required", "min", "max", "minlength", "maxlength", "readonly"} | form_rules.RULES
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRUE = {"true", "1", "on", "yes", "co", "có"}
_FALSE = {"false", "0", "off", "no", "khong", "không", ""}
MAX_FREE_DATA_BYTES = 64 * 1024


@dataclass(frozen=True)
class FormField:
    """One field of a step's form."""

    id: str
    type: str
    label: str
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    constraints: dict[str, str | None] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        """True when the field must be filled in."""
        return "required" in self.constraints

    @property
    def readonly(self) -> bool:
        """True when the field is shown but never taken from the user."""
        return "readonly" in self.constraints


@dataclass(frozen=True)
class Form:
    """A step's form: its key and fields, in document order."""

    key: str | None
    fields: tuple[FormField, ...]

    def json_schema(self) -> dict[str, Any]:
        """The form as a JSON Schema (draft 2020-12) object."""
        props = {f.id: _field_schema(f) for f in self.fields}
        required = [f.id for f in self.fields if f.required and not f.readonly]
        return {"type": "object", "properties": props, "required": required, "additionalProperties": False}

    def validate(self, data: dict[str, Any], context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return cleaned, typed values for `data`, or raise FormInvalid naming every bad field.

        `context` holds what the conditional rules may refer to besides this form's fields: the case data
        so far and the case facts (form_rules.FACTS); a rule whose reference is unknown is not checked.
        """
        if not isinstance(data, dict):
            raise FormInvalid({"_": FieldError("not_object")})
        errors: dict[str, Any] = {}
        known = {f.id for f in self.fields}
        for key in data:
            if key not in known:
                errors[key] = FieldError("unknown_field")
        cleaned: dict[str, Any] = {}
        for f in self.fields:
            if f.readonly:
                continue
            value = data.get(f.id)
            if (value is None or value == "") and f.default not in (None, ""):
                value = f.default
            if value is None or value == "":
                if f.required:
                    errors[f.id] = FieldError("required")
                continue
            try:
                cleaned[f.id] = _clean(f, value)
            except BadValue as exc:
                errors[f.id] = exc.error
        # A field whose visible_if does not hold takes no value: what was sent for it is dropped, not refused
        # (a browser that showed it before the choice changed may still send it), and it is never required.
        for fid in form_rules.hidden(self.fields, {**(context or {}), **cleaned}):
            cleaned.pop(fid, None)
            errors.pop(fid, None)
        form_rules.check(self.fields, cleaned, context or {}, errors)
        if errors:
            raise FormInvalid(errors)
        return cleaned

    def clean_given(self, data: Any, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The values given, typed as the form's fields (unknown or badly typed ones refused), none required.

        For recording what was decided outside the system: no field must be filled in and the conditional
        rules are not applied, but a value the form could not hold is still refused.
        """
        if not isinstance(data, dict):
            raise FormInvalid({"_": FieldError("not_object")})
        fields = {f.id: f for f in self.fields if not f.readonly}
        errors: dict[str, Any] = {k: FieldError("unknown_field") for k in data if k not in fields}
        cleaned: dict[str, Any] = {}
        for fid, value in data.items():
            if fid in fields and value not in (None, ""):
                try:
                    cleaned[fid] = _clean(fields[fid], value)
                except BadValue as exc:
                    errors[fid] = exc.error
        if errors:
            raise FormInvalid(errors)
        for fid in form_rules.hidden(self.fields, {**(context or {}), **cleaned}):
            cleaned.pop(fid, None)
        return cleaned


def validate_free_data(data: Any) -> dict[str, Any]:
    """Check data for a step without a form: a JSON object with identifier keys."""
    if not isinstance(data, dict):
        raise FormInvalid({"_": FieldError("not_object")})
    bad: dict[str, str] = {k: FieldError("identifier") for k in data if not isinstance(k, str) or not _IDENT.match(k)}
    if bad:
        raise FormInvalid(bad)
    if len(repr(data)) > MAX_FREE_DATA_BYTES:
        raise FormInvalid({"_": FieldError("data_too_large")})
    return dict(data)


def _field_schema(f: FormField) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": f.label or f.id}
    c = f.constraints
    if f.type == "long":
        schema["type"] = "integer"
        if (low := c.get("min")) is not None:
            schema["minimum"] = int(low)
        if (high := c.get("max")) is not None:
            schema["maximum"] = int(high)
    elif f.type == "boolean":
        schema["type"] = "boolean"
    elif f.type == "date":
        schema.update(type="string", format="date")
    elif f.type == "enum":
        schema.update(type="string", enum=[o[0] for o in f.options])
        schema["x-labels"] = dict(f.options)
    else:
        schema["type"] = "string"
        if (shortest := c.get("minlength")) is not None:
            schema["minLength"] = int(shortest)
        if (longest := c.get("maxlength")) is not None:
            schema["maxLength"] = int(longest)
    if f.default not in (None, ""):
        schema["default"] = f.default
    if f.readonly:
        schema["readOnly"] = True
    if rules := {k: v for k, v in c.items() if k in form_rules.RULES}:
        schema["x-rules"] = rules  # as written in the BPMN; web asks processes for the browser's form of them
    return schema


def _clean(f: FormField, value: Any) -> Any:
    cleaner = {"long": _clean_long, "boolean": _clean_bool, "date": _clean_date, "enum": _clean_enum}
    return cleaner.get(f.type, _clean_string)(f, value)


def _clean_long(f: FormField, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadValue("whole_number")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadValue("whole_number") from None
    lo, hi = f.constraints.get("min"), f.constraints.get("max")
    if lo is not None and number < int(lo):
        raise BadValue("at_least", min=lo)
    if hi is not None and number > int(hi):
        raise BadValue("at_most", max=hi)
    return number


def _clean_bool(f: FormField, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("boolean")


def _clean_date(f: FormField, value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise BadValue("date") from None


def _clean_enum(f: FormField, value: Any) -> str:
    allowed = [o[0] for o in f.options]
    if str(value) not in allowed:
        raise BadValue("one_of", allowed=", ".join(allowed))
    return str(value)


def _clean_string(f: FormField, value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadValue("text")
    text = str(value)
    lo, hi = f.constraints.get("minlength"), f.constraints.get("maxlength")
    if lo is not None and len(text) < int(lo):
        raise BadValue("min_length", min=lo)
    if hi is not None and len(text) > int(hi):
        raise BadValue("max_length", max=hi)
    return text


def read_form(task: etree._Element) -> tuple[Form | None, list[Problem]]:
    """Read the camunda:formData of a task element; return the form and any problems found."""
    element_id = task.get("id")
    key = task.get(f"{{{NSMAP['camunda']}}}formKey")
    nodes = task.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NSMAP)
    problems: list[Problem] = []
    fields = []
    for node in nodes:
        f, found = _read_field(node, element_id)
        problems.extend(found)
        if f is not None:
            fields.append(f)
    types = {f.id: f.type for f in fields}
    for f in fields:
        for name in sorted(form_rules.RULES & f.constraints.keys()):
            problems.extend(form_rules.read_problems(element_id, f.id, f.type, name, f.constraints[name], types))
    seen: set[str] = set()
    for f in fields:
        if f.id in seen:
            problems.append(problem("form_field_declared_twice", element_id, field=f.id))
        seen.add(f.id)
    if not fields:
        # A form key alone names an embedded form quytrinh cannot see: treat the step as form-less.
        return None, problems
    return Form(key, tuple(fields)), problems


def _read_field(node: etree._Element, element_id: str | None) -> tuple[FormField | None, list[Problem]]:
    fid, ftype = node.get("id") or "", node.get("type") or "string"
    problems = []
    if not _IDENT.match(fid):
        problems.append(problem("form_field_bad_id", element_id, field=fid))
    if ftype not in FIELD_TYPES:
        problems.append(problem("form_field_bad_type", element_id, field=fid, type=ftype))
    constraints: dict[str, str | None] = {}
    for c in node.xpath("./camunda:validation/camunda:constraint", namespaces=NSMAP):
        name = c.get("name") or ""
        if name not in _CONSTRAINTS:
            problems.append(problem("form_field_unknown_constraint", element_id, field=fid, constraint=name))
            continue
        config = c.get("config")
        if name in {"min", "max", "minlength", "maxlength"} and not _is_int(config):
            problems.append(problem("form_field_constraint_not_number", element_id, field=fid, constraint=name))
            continue
        constraints[name] = config
    options = tuple((v.get("id") or "", v.get("name") or v.get("id") or "")
                    for v in node.xpath("./camunda:value", namespaces=NSMAP))
    if ftype == "enum" and not options:
        problems.append(problem("enum_field_without_values", element_id, field=fid))
    if problems:
        return None, problems
    label = node.get("label") or fid
    return FormField(fid, ftype, label, node.get("defaultValue"), options, constraints), []


def _is_int(text: str | None) -> bool:
    return text is not None and re.fullmatch(r"-?\d+", text.strip()) is not None
