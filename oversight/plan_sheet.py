"""Reading a CCHC plan's appendix as agencies type it in Excel: rows, not meaning yet.

Title rows above the header are skipped; the header row is the first with a task column and a lead-unit
column (any case, with or without diacritics); a row of column numbers under it ("(1) (2) (3)…") is
skipped. A row numbered with a Roman numeral ("I", "II.") — or whose task cell starts with one — opens a
section; a row numbered 1, 2, 1.1 … is a task; blank rows and a "Tổng cộng" row are skipped; anything
else is reported on its row. Cells may span several lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from processes.search_terms import fold

MAX_BYTES = 5_000_000
# field -> folded header words, checked in this order (the cooperating column also says "đơn vị").
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("stt", "tt", "so tt")),
    ("cooperating", ("phoi hop",)),
    ("lead", ("chu tri", "thuc hien")),
    ("product", ("san pham", "ket qua")),
    ("budget", ("kinh phi", "du toan")),
    ("deadline", ("thoi gian", "thoi han")),
    ("task", ("nhiem vu", "noi dung")),
)
REQUIRED = ("number", "task", "product", "lead", "deadline")
LABELS = {"number": "STT", "task": "nhiệm vụ", "product": "sản phẩm", "lead": "đơn vị chủ trì",
          "cooperating": "đơn vị phối hợp", "budget": "kinh phí", "deadline": "thời gian hoàn thành"}
_ROMAN = re.compile(r"^([IVXL]+)\s*[.:)/-]?\s*(.*)$", re.S)
_NUMBER = re.compile(r"^\d+(\.\d+)*\.?$")
_COLUMN_NO = re.compile(r"^\(?\d+\)?$")


@dataclass
class RowError:
    """What is wrong with one row, in Vietnamese."""

    row: int
    column: str
    message: str


@dataclass
class TaskRow:
    """A numbered task row as typed (texts trimmed, lines kept)."""

    row: int
    section_no: str
    section_title: str
    number: str
    task: str
    product: str
    lead: str
    cooperating: str
    budget: Decimal | None
    deadline: str


@dataclass
class Sheet:
    """The rows of the appendix and what could not be read."""

    tasks: list[TaskRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = [" ".join(line.split()) for line in str(value).replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _header(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        head = " ".join(fold(cell).split())
        for name, words in COLUMNS:
            if name not in found and any(head == w or head.startswith(w + " ") or f" {w}" in f" {head}"
                                         for w in words):
                found[name] = index
                break
    return found


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    return cells[columns[name]] if name in columns else ""


def read_budget(value: Any) -> Decimal | None:
    """Million VND: a number, "150", "1.500" (thousands) or "12,5" (decimal comma); empty → None.

    Words without figures ("Trong dự toán được giao", "Không") also give None: no amount was planned.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip()
    if not re.search(r"\d", text):
        return None
    plain = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", plain):
        plain = plain.replace(".", "")
    plain = plain.replace(",", ".")
    try:
        return Decimal(plain)
    except InvalidOperation:
        raise ValueError(f"kinh phí «{text}» không phải là số (triệu đồng)") from None


def read_sheet(data: bytes) -> Sheet:
    """The task rows of the first sheet of the XLSX `data`, with their sections, and per-row errors."""
    sheet = Sheet()
    if len(data) > MAX_BYTES:
        sheet.errors.append(RowError(0, "", "tệp quá lớn (tối đa 5 MB)"))
        return sheet
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        sheet.errors.append(RowError(0, "", "không đọc được tệp: cần tệp Excel (.xlsx)"))
        return sheet
    rows = [[_text(v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    columns: dict[str, int] = {}
    start = 0
    for index, cells in enumerate(rows):
        found = _header(cells)
        if "task" in found and "lead" in found:
            columns, start = found, index + 1
            break
    if not columns:
        sheet.errors.append(RowError(0, "", "không tìm thấy dòng tiêu đề (cột nhiệm vụ, đơn vị chủ trì)"))
        return sheet
    missing = [LABELS[c] for c in REQUIRED if c not in columns]
    if missing:
        sheet.errors.append(RowError(start, "", "thiếu cột " + ", ".join(missing)))
        return sheet
    section_no, section_title = "", ""
    for index in range(start, len(rows)):
        cells = rows[index] + [""] * 20
        line = index + 1

        filled = [c for c in cells if c]
        if not filled or all(_COLUMN_NO.match(c) for c in filled):
            continue
        number, task = _cell(cells, columns, "number"), _cell(cells, columns, "task")
        if fold(task).startswith("tong cong") or fold(number).startswith("tong cong"):
            continue
        roman = _ROMAN.match(number.upper()) if number else _ROMAN.match(task) if task else None
        if roman and not _NUMBER.match(number):
            section_no = roman.group(1)
            section_title = (task if number else roman.group(2)).replace("\n", " ").strip()
            continue
        if not _NUMBER.match(number):
            sheet.errors.append(RowError(line, "STT", f"dòng không có số thứ tự nhiệm vụ («{number or task[:40]}»)"))
            continue
        try:
            budget = read_budget(cells[columns["budget"]] if "budget" in columns else None)
        except ValueError as exc:
            sheet.errors.append(RowError(line, LABELS["budget"], str(exc)))
            budget = None
        if not task:
            sheet.errors.append(RowError(line, LABELS["task"], "chưa ghi nhiệm vụ"))
        if not _cell(cells, columns, "lead"):
            sheet.errors.append(RowError(line, LABELS["lead"], "chưa ghi đơn vị chủ trì"))
        lead, cooperating = _cell(cells, columns, "lead"), _cell(cells, columns, "cooperating")
        sheet.tasks.append(TaskRow(line, section_no, section_title, number.rstrip("."), task,
                                   _cell(cells, columns, "product"), lead, cooperating, budget,
                                   _cell(cells, columns, "deadline")))
    return sheet
