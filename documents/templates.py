"""Form templates are configuration: templates/<form>/<effective_from>.json, picked by the document's date.

A template names its legal basis and form number, the paper, the header, the title and a list of body
blocks. Text may hold placeholders ``{path.to.value|filter}`` filled from the document's context;
filters: date, long_date, datetime, time, duration, result, channel, copy, upper, blank (empty
instead of dots when missing). Blocks: paragraph, heading, fields, table (rows_from a list), list
(items_from a list), qr, signatures, spacer; any block may carry ``when``/``unless`` (a context path).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import vn
from .layout import (
    Column,
    Document,
    Fields,
    Header,
    Heading,
    Image,
    Paragraph,
    Signature,
    Signatures,
    Spacer,
    Table,
    Title,
)
from .qr import qr_png

TEMPLATE_ROOT = Path(__file__).parent / "templates"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:\|([a-z_]+))?\}")
MISSING = "……………"
_FILTERS: dict[str, Callable[[Any], str]] = {
    "date": vn.short_date, "long_date": vn.long_date, "datetime": vn.date_time, "time": vn.clock_time,
    "duration": vn.duration_vn, "result": vn.result_label, "channel": vn.channel_label,
    "copy": vn.copy_label, "upper": lambda v: vn.nfc(v).upper(),
}


@dataclass(frozen=True)
class FormTemplate:
    """One version of a form: in force from `effective_from` until the next version's date."""

    form: str
    effective_from: dt.date
    spec: dict[str, Any]
    path: Path

    @property
    def legal_basis(self) -> str:
        """The circular the form comes from, e.g. 'Thông tư 03/2025/TT-VPCP'."""
        return self.spec.get("legal_basis", "")

    @property
    def form_number(self) -> str:
        """The form's number in that circular ('Mẫu số 01'), '' when it has none."""
        return self.spec.get("form_number") or ""


def template_roots() -> list[Path]:
    """Folders searched for templates: QUYTRINH_TEMPLATE_DIR (an agency's own versions) first, then ours."""
    extra = os.environ.get("QUYTRINH_TEMPLATE_DIR")
    return ([Path(extra)] if extra else []) + [TEMPLATE_ROOT]


@lru_cache(maxsize=256)
def _load(path: Path, mtime: float) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def template_versions(form: str) -> list[FormTemplate]:
    """Every version of a form, oldest first (an agency's file wins over ours for the same date)."""
    found: dict[dt.date, FormTemplate] = {}
    for root in reversed(template_roots()):
        folder = root / form
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                effective = dt.date.fromisoformat(path.stem)
            except ValueError:
                raise ValueError(f"template {path}: the file name must be its effective date YYYY-MM-DD") from None
            spec = _load(path, path.stat().st_mtime)
            if spec.get("form") not in (None, form):
                raise ValueError(f"template {path} says it is form {spec.get('form')!r}, not {form!r}")
            found[effective] = FormTemplate(form, effective, spec, path)
    return [found[d] for d in sorted(found)]


def template_for(form: str, on_date: dt.date | dt.datetime) -> FormTemplate:
    """The version of `form` in force on `on_date` (the latest whose effective date is not after it)."""
    day = vn.as_date(on_date)
    versions = [t for t in template_versions(form) if t.effective_from <= day]
    if not versions:
        known = [t.effective_from.isoformat() for t in template_versions(form)]
        raise LookupError(f"no template for form {form!r} in force on {day.isoformat()} (versions: {known})")
    return versions[-1]


def lookup(context: dict[str, Any], path: str) -> Any:
    """The value at a dotted path in nested dicts/objects, None when any part is missing."""
    value: Any = context
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            value = getattr(value, part, None)
        if value is None:
            return None
    return value


def fill(text: str, context: dict[str, Any], missing: str = MISSING) -> str:
    """Text with every {path|filter} placeholder replaced (`missing`, dots by default, when absent)."""

    def one(match: re.Match) -> str:
        path, name = match.group(1), match.group(2)
        value = lookup(context, path)
        if value is None or value == "" or value == []:
            return "" if name == "blank" else missing
        if name in _FILTERS:
            return _FILTERS[name](value)
        return vn.nfc(value)

    return _PLACEHOLDER.sub(one, vn.nfc(text))


def _active(block: dict[str, Any], context: dict[str, Any]) -> bool:
    if "when" in block and not lookup(context, block["when"]):
        return False
    return not ("unless" in block and lookup(context, block["unless"]))


def compose(template: FormTemplate, context: dict[str, Any]) -> Document:
    """The template filled with a context: a Document ready for render_pdf / render_docx."""
    spec = template.spec
    page = spec.get("page", {})
    doc = Document(title=fill(spec["title"], context), page_size=page.get("size", "A4"),
                   landscape=bool(page.get("landscape")), font_size=float(page.get("font_size", 13)),
                   footer_page_numbers=bool(page.get("page_numbers")),
                   subject=f"{template.form_number} {template.legal_basis}".strip())
    if "header" in spec:
        head = spec["header"]
        doc.add(Header(
            agency_lines=tuple(fill(line, context) for line in head.get("agency_lines", [])),
            number=fill(head.get("number", ""), context),
            place_date=vn.place_date(context.get("place"), context.get("document_date"))
            if head.get("place_date", True) else "",
            form_number=template.form_number if head.get("show_form_number", True) else "",
        ))
    doc.add(Title(fill(spec["title"], context), tuple(fill(t, context) for t in spec.get("title_lines", []))))
    for block in spec.get("body", []):
        if _active(block, context):
            doc.add(*_block(block, context))
    return doc


def _block(block: dict[str, Any], context: dict[str, Any]) -> list:
    kind = block.get("type", "paragraph")
    if kind == "paragraph":
        return [Paragraph(fill(block["text"], context), bold=block.get("bold", False),
                          italic=block.get("italic", False), align=block.get("align", "J"),
                          indent=block.get("indent", False), size=block.get("size"))]
    if kind == "heading":
        return [Heading(fill(block["text"], context), block.get("level", 1))]
    if kind == "fields":
        # A row written [label, value, "optional"] is left out when its value is missing.
        rows = [(fill(row[0], context), fill(row[1], context)) for row in block["rows"]
                if not (len(row) > 2 and row[2] == "optional" and fill(row[1], context) in ("", MISSING))]
        return [Fields(tuple(rows))]
    if kind == "table":
        return _table(block, context)
    if kind == "list":
        items = lookup(context, block["items_from"]) or []
        lines = [fill(block.get("item", "{text}"), {**context, **_row(item)}) for item in items]
        numbered = block.get("numbered", True)
        text = [f"{i}. {line}" if numbered else f"- {line}" for i, line in enumerate(lines, 1)]
        return [Paragraph(line, align="L") for line in text] or [Paragraph(block.get("empty", MISSING))]
    if kind == "qr":
        url = fill(block["value"], context)
        caption = tuple(fill(line, {**context, "qr_value": url}) for line in block.get("caption", []))
        return [Image(qr_png(url), float(block.get("size_mm", 30)), caption, block.get("align", "C"),
                      float_right=block.get("float") == "right")]
    if kind == "signatures":
        blocks = tuple(Signature(fill(b.get("title", ""), context), fill(b.get("note", ""), context),
                                 fill(b.get("name", ""), context), fill(b.get("over", ""), context))
                       for b in block["blocks"])
        return [Signatures(blocks, tuple(fill(r, context) for r in block.get("recipients", [])))]
    if kind == "spacer":
        return [Spacer(float(block.get("mm", 4)))]
    raise ValueError(f"unknown template block type {kind!r}")


def _row(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "__dataclass_fields__"):
        return {name: getattr(item, name) for name in item.__dataclass_fields__}
    return {"text": item}


def _table(block: dict[str, Any], context: dict[str, Any]) -> list:
    items = lookup(context, block["rows_from"]) or []
    columns = tuple(Column(fill(c["header"], context), float(c.get("width", 1)), c.get("align", "L"))
                    for c in block["columns"])
    rows = []
    for index, item in enumerate(items, 1):
        row_context = {**context, **_row(item), "index": index}
        missing = "" if block.get("blank_missing") else MISSING
        rows.append(tuple(fill(c["value"], row_context, missing).strip() for c in block["columns"]))
    if not rows and block.get("empty"):
        return [Paragraph(fill(block["empty"], context), italic=True)]
    return [Table(columns, tuple(rows), size=block.get("size"))]
