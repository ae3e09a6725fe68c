"""Importing a CCHC plan's appendix: read the sheet, read each deadline, match each unit name, preview or store.

Unit names are matched forgivingly (processes.cchc_plan.fold_name: case, diacritics, "&" = "và", dashes),
by unit code, by a declared alias (`quytrinh cchc alias`), or by an explicit mapping given with the import
(--map "NAME=UNIT_CODE", checked first). A cell may name several units, one per line or separated by ";"
or ","; commas inside a name ("UBND các xã, phường") are kept by taking the longest run of pieces that
names something. Groups fan out to every matching unit:

* "UBND các xã, phường" / "các xã, thị trấn" … → every commune-level agency (a unit whose name starts
  with "UBND xã", "UBND phường" or "UBND thị trấn");
* "Các cơ quan, đơn vị" / "các phòng, ban" / "các cơ quan chuyên môn" → every department directly under the
  top agency.

Nothing is stored when any row is wrong; the preview lists every wrong row in Vietnamese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from processes import cchc_plan
from processes.cchc_plan import Directory, NewItem, UnitRef, fold_name
from processes.clock import Clock
from processes.db import Database
from processes.errors import InvalidInput

from .deadlines import DeadlineUnreadable, read_deadline
from .plan_sheet import LABELS, RowError, read_sheet

_COMMUNE_WORDS = {"ubnd", "cac", "xa", "phuong", "thi", "tran"}
_DEPARTMENT_WORDS = {"cac", "co", "quan", "don", "vi", "phong", "ban", "nganh", "chuyen", "mon", "thuoc",
                     "huyen", "ubnd", "truc"}
_COMMUNE_NAME = re.compile(r"^ubnd (xa|phuong|thi tran)\b")


@dataclass
class Preview:
    """What an import would store (or stored), item by item, and every wrong row."""

    year: int
    items: list[NewItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    stored: bool = False

    @property
    def budget_total(self) -> Decimal:
        return sum((i.budget for i in self.items if i.budget is not None), Decimal(0))

    def sections(self) -> list[tuple[str, str, int, Decimal]]:
        """(number, title, items, budget) per section, in the plan's order."""
        found: dict[str, tuple[str, str, int, Decimal]] = {}
        for i in self.items:
            no, title, count, money = found.get(i.section_no, (i.section_no, i.section_title, 0, Decimal(0)))
            found[i.section_no] = (no, title, count + 1, money + (i.budget or 0))
        return list(found.values())


class Matcher:
    """Unit names → units, for one import."""

    def __init__(self, units: Directory, mapping: dict[str, str]) -> None:
        self.units = {u.code: u for u in units.units}
        by_code = {u.code.lower(): u.code for u in units.units}
        names: dict[str, set[str]] = {}
        for u in units.units:
            names.setdefault(fold_name(u.name), set()).add(u.code)
        self.names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}
        self.codes = by_code
        self.aliases = units.aliases
        self.mapping = {fold_name(k): v for k, v in mapping.items()}
        top = min((u.depth for u in units.units), default=0)
        self.top = [u for u in units.units if u.depth == top]

    def one(self, name: str) -> list[UnitRef] | None:
        """The units `name` stands for, or None when it names nothing."""
        folded = fold_name(name)
        code = (self.mapping.get(folded) or self.codes.get(name.strip().lower()) or self.aliases.get(folded)
                or self.names.get(folded))
        if code is not None and code in self.units:
            return [self.units[code]]
        words = set(folded.split())
        if words and words <= _COMMUNE_WORDS and words & {"xa", "phuong", "tran"}:
            return [u for u in self.units.values()
                    if u.path == u.agency_path and _COMMUNE_NAME.match(fold_name(u.name))]
        if "cac" in words and words <= _DEPARTMENT_WORDS and words & {"co", "phong", "don"}:
            tops = {t.path for t in self.top}
            return [u for u in self.units.values() if u.kind == "department"
                    and u.path[:u.path.rstrip("/").rfind("/") + 1] in tops]
        return None

    def cell(self, text: str) -> tuple[list[UnitRef], list[str]]:
        """Every unit a cell names (fanned out, first mention first) and the names matched to nothing."""
        found: dict[str, UnitRef] = {}
        unknown: list[str] = []
        for part in re.split(r"[;\n]", text):
            pieces = [p.strip(" -+•*\t") for p in part.split(",")]
            pieces = [p for p in pieces if p]
            start = 0
            while start < len(pieces):
                for end in range(len(pieces), start, -1):
                    units = self.one(", ".join(pieces[start:end]))
                    if units is not None:
                        found.update((u.code, u) for u in units)
                        start = end
                        break
                else:
                    unknown.append(pieces[start])
                    start += 1
        return list(found.values()), unknown


def _parts(units: list[UnitRef], row: int, column: str, errors: list[RowError]) -> list[tuple[str, str]]:
    parts = []
    for u in units:
        if u.leader is None:
            errors.append(RowError(row, column, f"đơn vị «{u.name}» chưa có lãnh đạo để giao nhiệm vụ"))
        else:
            parts.append((u.code, u.leader))
    return parts


def preview(db: Database, data: bytes, year: int, mapping: dict[str, str] | None = None) -> Preview:
    """What importing the appendix `data` as the plan of `year` would store, and every wrong row."""
    sheet = read_sheet(data)
    result = Preview(year, errors=list(sheet.errors))
    units = cchc_plan.directory(db)
    for code in (mapping or {}).values():
        if code not in {u.code for u in units.units}:
            result.errors.append(RowError(0, "--map", f"không có đơn vị mã «{code}»"))
    matcher = Matcher(units, mapping or {})
    for t in sheet.tasks:
        try:
            deadline = read_deadline(t.deadline, year)
            due = deadline.due
        except DeadlineUnreadable as exc:
            result.errors.append(RowError(t.row, LABELS["deadline"], str(exc)))
            due = None
        leads, unknown = matcher.cell(t.lead)
        for name in unknown:
            result.errors.append(RowError(t.row, LABELS["lead"], f"không có đơn vị «{name}»"))
        cooperating, unknown = matcher.cell(t.cooperating)
        for name in unknown:
            result.errors.append(RowError(t.row, LABELS["cooperating"], f"không có đơn vị «{name}»"))
        lead_parts = _parts(leads, t.row, LABELS["lead"], result.errors)
        lead_codes = {c for c, _ in lead_parts}
        # A unit that leads does not also cooperate on its own item.
        coop_parts = [p for p in _parts(cooperating, t.row, LABELS["cooperating"], result.errors)
                      if p[0] not in lead_codes]
        if not t.section_no:
            result.errors.append(RowError(t.row, LABELS["number"], "nhiệm vụ nằm ngoài mục nào (thiếu dòng I, II…)"))
        result.items.append(NewItem(t.row, t.section_no, t.section_title, t.number, t.task, t.product, t.lead,
                                    lead_parts, coop_parts, t.budget, t.deadline, due))
    result.errors.sort(key=lambda e: e.row)
    return result


def import_plan(db: Database, data: bytes, year: int, actor: str, clock: Clock, file_name: str = "",
                mapping: dict[str, str] | None = None) -> Preview:
    """Import the appendix as the plan of `year`: every item a QT-CCHC-01 case; nothing when any row is wrong."""
    result = preview(db, data, year, mapping)
    if result.errors:
        raise InvalidInput(f"{len(result.errors)} rows of the plan are wrong; nothing was imported",
                           {str(i): f"dòng {e.row}: {e.column}: {e.message}" for i, e in enumerate(result.errors)})
    cchc_plan.store_plan(db, year, file_name, result.items, actor, clock)
    result.stored = True
    return result
