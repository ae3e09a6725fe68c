"""PAR index (Chỉ số CCHC) self-assessment of the district's units (issue 17 item 5).

The criteria are the rules file in force on 1 January of the year (oversight/rules/par_index/, named by the
date it takes effect). A criterion whose source is not "manual" is computed from quytrinh's records
(points = max × min(1, measure / full_at)); when quytrinh has nothing to measure for a unit (a department
receives no dossiers) the unit's self-score counts instead. Manual criteria take the unit's self-score
(processes/par_scores.py, with its evidence); none entered = 0. Units are ranked by total, best first.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from audits.indicators import sla_report
from audits.periods import parse_period
from audits.report_data import headline
from processes import cchc_plan, inspections, par_scores, records
from processes.clock import Clock
from processes.db import Database
from processes.errors import InvalidInput

from . import plan_progress
from .inspections import inspected_units
from .rules_files import rules_for


@dataclass
class CriterionScore:
    """One criterion for one unit: points, whether quytrinh computed them, the measure and the evidence."""

    code: str
    name: str
    max: Decimal
    points: Decimal
    computed: bool
    measure: float | None = None
    evidence: str = ""


@dataclass
class UnitIndex:
    """A unit's index for a year."""

    unit: str
    name: str
    criteria: list[CriterionScore] = field(default_factory=list)
    rank: int = 0

    @property
    def total(self) -> Decimal:
        return sum((c.points for c in self.criteria), Decimal(0))


def criteria(year: int) -> list[dict[str, Any]]:
    """The criteria in force for `year`, flattened, each with its group."""
    rules = rules_for("par_index", dt.date(year, 1, 1))
    return [{**c, "group": g["code"], "file": rules["file"]} for g in rules["groups"] for c in g["criteria"]]


def self_score(db: Database, unit: str, year: int, criterion: str, points: Decimal, evidence: str, actor: str,
               clock: Clock) -> None:
    """Enter a unit's self-score on a criterion of the rules in force for `year`."""
    found = next((c for c in criteria(year) if c["code"] == criterion), None)
    if found is None:
        raise InvalidInput(f"no criterion {criterion} in the PAR index rules of {year}", {"criterion": criterion})
    par_scores.set_score(db, unit, year, criterion, points, evidence, actor, clock, Decimal(str(found["max"])))


def _measures(db: Database, year: int, units: list[str]) -> dict[str, dict[str, float | None]]:
    period = parse_period(str(year))
    progress = plan_progress.progress(db, year, dt.date(year, 12, 31))
    sla = sla_report(db, period)
    with db.read() as conn:
        facts = records.load_dossiers(conn, period, "either")
    selves = {i.unit for i in inspections.list_inspections(db, year) if i.kind == "self" and i.status == "done"}
    found: dict[str, dict[str, float | None]] = {}
    for unit in units:
        tally = progress.by_unit.get(unit)
        counts = sla.by_unit.get(unit)
        own = headline([f for f in facts if f.unit == unit], period)
        received = own["received"]
        found[unit] = {
            "plan_on_time": tally.counts["done_on_time"] / tally.total if tally and tally.total else None,
            "self_inspection": 1.0 if unit in selves else 0.0,
            "tthc_in_time": counts.in_time_rate if counts and counts.resolved else None,
            "tthc_online": own["received_online"] / received if received else None,
            "digitised": own["digitised"] / received if received else None,
        }
    return found


def index(db: Database, year: int) -> list[UnitIndex]:
    """Every unit's index for `year`, ranked (equal totals share a rank)."""
    rules = criteria(year)
    units = inspected_units(db)
    names = {u.code: u.name for u in cchc_plan.directory(db).units}
    measures = _measures(db, year, units)
    entered = {(s.unit, s.criterion): s for s in par_scores.scores(db, year)}
    found = []
    for unit in units:
        line = UnitIndex(unit, names.get(unit, unit))
        for c in rules:
            top = Decimal(str(c["max"]))
            mine = entered.get((unit, c["code"]))
            measure = measures[unit].get(c["source"]) if c["source"] != "manual" else None
            if measure is not None:
                share = min(1.0, measure / float(c.get("full_at", 1)))
                points = (top * Decimal(str(share))).quantize(Decimal("0.01"), ROUND_HALF_UP)
                line.criteria.append(CriterionScore(c["code"], c["name"], top, points, True, measure))
            else:
                line.criteria.append(CriterionScore(c["code"], c["name"], top, mine.points if mine else Decimal(0),
                                                    False, None, mine.evidence if mine else ""))
        found.append(line)
    found.sort(key=lambda u: (-u.total, u.unit))
    for position, line in enumerate(found, start=1):
        same = next((o for o in found[:position - 1] if o.total == line.total), None)
        line.rank = same.rank if same else position
    return found


def index_xlsx(db: Database, year: int) -> bytes:
    """The ranking and every criterion's points as XLSX (a second sheet: the self-scores' evidence)."""
    lines = index(db, year)
    rules = criteria(year)
    book = Workbook()
    if (blank := book.active) is not None:  # the empty sheet a new workbook starts with
        book.remove(blank)
    sheet = book.create_sheet("Chỉ số CCHC")
    sheet.append([f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} (tự đánh giá; tiêu chí: {rules[0]['file']})"])
    sheet.append(["Xếp hạng", "Mã", "Đơn vị", *[f"{c['code']} (/{c['max']})" for c in rules], "Tổng điểm"])
    for line in lines:
        sheet.append([line.rank, line.unit, line.name, *[float(c.points) for c in line.criteria], float(line.total)])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    evidence = book.create_sheet("Tài liệu kiểm chứng")
    evidence.append(["Mã", "Đơn vị", "Tiêu chí", "Điểm", "Cách tính / tài liệu kiểm chứng"])
    for line in lines:
        for c in line.criteria:
            how = f"quytrinh tính: {c.measure:.1%}" if c.computed and c.measure is not None else c.evidence
            evidence.append([line.unit, line.name, f"{c.code} {c.name}", float(c.points), how])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
