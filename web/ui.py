"""Page building blocks: step forms from their JSON Schema, the process picture."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import escape

from engine.errors import EngineError
from engine.field_errors import FieldError
from engine.render import render_svg
from processes.timeline import DiagramState

from .bpmn_view import case_view, has_layout
from .field_text import field_message
from .labels import RESULT_LABELS, duration_text, vn_date

TEXTAREA_FROM = 300  # strings allowed longer than this get a text area


@dataclass(frozen=True)
class UiField:
    """One input of a generated form."""

    id: str
    label: str
    input: str  # text | textarea | number | checkbox | date | select
    required: bool
    readonly: bool
    options: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    minlength: int | None = None
    maxlength: int | None = None
    default: Any = None
    rules: dict[str, Any] | None = None  # what static/form_rules.js checks (engine.form_rules.browser_rules)


def ui_fields(schema: dict[str, Any] | None, skip: frozenset[str] = frozenset(),
              rules: dict[str, dict[str, Any]] | None = None) -> list[UiField]:
    """The inputs of a step's form, in the order the BPMN declares them, with their browser-side rules."""
    if not schema:
        return []
    rules = rules or {}
    required = set(schema.get("required") or [])
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        if name in skip:
            continue
        kind = prop.get("type")
        if "enum" in prop:
            labels = prop.get("x-labels") or {}
            widget, options = "select", tuple((v, labels.get(v, v)) for v in prop["enum"])
        elif kind == "integer":
            widget, options = "number", ()
        elif kind == "boolean":
            widget, options = "checkbox", ()
        elif prop.get("format") == "date":
            widget, options = "date", ()
        else:
            widget = "textarea" if (prop.get("maxLength") or 0) > TEXTAREA_FROM else "text"
            options = ()
        found.append(UiField(name, prop.get("title") or name, widget, name in required, bool(prop.get("readOnly")),
                             options, prop.get("minimum"), prop.get("maximum"), prop.get("minLength"),
                             prop.get("maxLength"), prop.get("default"), _named(rules.get(name))))
    return found


def _named(rule: dict[str, Any] | None) -> dict[str, Any] | None:
    # A bound on a case fact carries its date; the script shows the fact's name and the date as people read them.
    if not rule:
        return None
    shown = dict(rule)
    for key in ("not_before", "not_after"):
        shown[key] = [{**b, "label": field_message(FieldError(f"fact_{b['fact']}")), "shown": vn_date(b["date"])}
                      if "fact" in b else b for b in rule.get(key, [])]
    return shown


# ---- the process picture ------------------------------------------------------------------------------

_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)
_cache: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()
_CACHE_SIZE = 256


def diagram_svg(state: DiagramState) -> str | None:
    """The case's diagram as inline SVG, current steps lit and finished ones marked; None without Graphviz."""
    if has_layout(state.bpmn_xml):  # issue 13: bpmn-js draws the file's own layout; Graphviz only without one
        return case_view(state)
    locale = str(get_locale())
    key = (state.sha256, state.open_elements, state.results, locale)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    notes = {element: f"✓ {RESULT_LABELS.get(result, result)}" for element, result in state.results}
    for element in state.open_elements:
        notes[element] = "▶ " + str(_now_label())
    try:
        svg = render_svg(state.bpmn_xml, highlight=state.open_elements, process_id=state.process_id, notes=notes)
    except EngineError:
        return None
    text = _PROLOG.sub("", svg.decode("utf-8"), count=1)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    # Graphviz writes the step's ISO time limit after a clock sign that office fonts lack: say it in words.
    text = re.sub(r"⏱ (P[0-9A-Z.,]+)", lambda m: _limit_label(m.group(1)), text)
    with _lock:
        _cache[key] = text
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return text


def _limit_label(iso: str) -> str:
    return str(escape(_("Hạn %(d)s", d=duration_text(iso))))


def _now_label() -> str:
    return _("Đang xử lý")
