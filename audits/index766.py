"""QĐ 766/QĐ-TTg indicators of service quality, scored from quytrinh's own records with versioned rules.

The rules are JSON files under audits/rules/qd766/, named by the date they take effect; a period is
scored with the newest file in force on its first day. Each criterion is either *computed* from
the dossiers of the unit (measures below) or *manual*: entered per unit and period with
`set_manual_score` (a criterion never entered scores 0 and is reported as missing).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from processes import organisation
from processes.audit_schema import index766_manual_scores
from processes.clock import Clock
from processes.db import Database
from processes.errors import InvalidInput, NotFound
from processes.records import DossierFact, load_dossiers

from .periods import Period

RULES_DIR = Path(__file__).resolve().parent / "rules" / "qd766"


@lru_cache(maxsize=8)
def _rules_files(folder: str) -> tuple[tuple[dt.date, str], ...]:
    found = []
    for path in Path(folder).glob("*.json"):
        try:
            found.append((dt.date.fromisoformat(path.stem[:10]), str(path)))
        except ValueError:
            continue
    return tuple(sorted(found))


def rules_for(day: dt.date, folder: Path = RULES_DIR) -> dict[str, Any]:
    """The rules in force on `day` (the newest file whose effective date is not after it)."""
    files = [(d, p) for d, p in _rules_files(str(folder)) if d <= day]
    if not files:
        raise NotFound(f"no QĐ 766 rules in force on {day.isoformat()} under {folder}")
    effective, path = files[-1]
    rules = json.loads(Path(path).read_text(encoding="utf-8"))
    rules["file"] = Path(path).name
    return rules


@dataclass
class CriterionScore:
    """One criterion: its measure's value, the points it earns, and where they come from."""

    code: str
    name: str
    max: float
    source: str
    value: float | None = None
    points: float = 0.0
    basis: str = ""
    missing: bool = False


@dataclass
class UnitIndex:
    """The index of one unit (or of all units) for one period."""

    unit: str
    unit_name: str
    period: str
    rules: str
    criteria: list[CriterionScore] = field(default_factory=list)
    groups: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    grade: str = ""
    figures: dict[str, int] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)  # group code -> its name in the decision
    quarters: dict[str, float] = field(default_factory=dict)  # a year's index: each quarter's total


def measures(facts: list[DossierFact], period: Period, rules: dict[str, Any]) -> tuple[dict[str, float | None],
                                                                                       dict[str, int]]:
    """The computed measures (shares 0–1, None without data) and the counts behind them."""
    limit = int(rules.get("rules", {}).get("late_when_supplements_at_least", 2))
    satisfied_at = int(rules.get("rules", {}).get("satisfied_score_at_least", 4))
    lo, hi = period.first_instant, period.end_instant  # period.contains, read once for 100 k facts
    received = [f for f in facts if f.received_at is not None and lo <= f.received_at < hi]
    resolved = [f for f in facts if f.done_at is not None and lo <= f.done_at < hi and f.result is not None]
    late = [f for f in resolved if f.result == "late" or f.supplement_count >= limit]
    rated = [f for f in resolved if f.rating is not None]
    procedures = {f.procedure for f in received}
    online_procedures = {f.procedure for f in received if f.online}
    counts = {"received": len(received), "online": sum(f.online for f in received), "resolved": len(resolved),
              "late": len(late), "late_with_apology": sum(f.apology_signed for f in late), "rated": len(rated),
              "satisfied": sum((f.rating or 0) >= satisfied_at for f in rated),
              "digitised": sum(f.digitised for f in received), "e_result": sum(f.e_result for f in resolved),
              "e_result_signed": sum(f.signed_result for f in resolved),
              "procedures": len(procedures), "procedures_online": len(online_procedures)}

    def share(part: int, whole: int) -> float | None:
        """part / whole, None when there is nothing to divide."""
        return part / whole if whole else None

    values = {
        "in_time_rate": share(len(resolved) - len(late), len(resolved)),
        "late_rate": share(len(late), len(resolved)),
        "online_share": share(counts["online"], len(received)),
        "procedures_online_share": share(len(online_procedures), len(procedures)),
        "satisfied_share": share(counts["satisfied"], len(rated)),
        "apology_share": share(counts["late_with_apology"], len(late)),
        "digitised_share": share(counts["digitised"], len(received)),
        "e_result_share": share(counts["e_result"], len(resolved)),
        # issue 16: only results issued with a valid digital signature (rules from 2026-01-01.json)
        "signed_e_result_share": share(counts["e_result_signed"], len(resolved)),
    }
    return values, counts


def score(value: float | None, criterion: dict[str, Any]) -> float:
    """Points of a criterion for a measured value, by its scoring rule."""
    top = float(criterion["max"])
    if value is None:
        return top if criterion.get("no_data") == "full" else 0.0
    rule = criterion["scoring"]
    if rule["kind"] == "linear":
        low, high = float(rule["zero_at"]), float(rule["full_at"])
        share = (value - low) / (high - low) if high != low else float(value >= high)
        return round(top * min(1.0, max(0.0, share)), 2)
    if rule["kind"] == "steps":
        for bound, points in rule.get("at_most", []):
            if value <= bound + 1e-12:
                return float(points)
        for bound, points in rule.get("at_least", []):
            if value >= bound - 1e-12:
                return float(points)
        return 0.0
    raise InvalidInput(f"criterion {criterion['code']}: unknown scoring kind {rule['kind']!r}")


def grade(total: float, rules: dict[str, Any]) -> str:
    """The class (Xuất sắc, Tốt, Khá, Trung bình, Yếu) of a total."""
    for entry in rules["classes"]:
        if total >= float(entry["from"]) - 1e-9:
            return entry["name"]
    return rules["classes"][-1]["name"]


def build_index(facts: list[DossierFact], period: Period, rules: dict[str, Any], unit: str, unit_name: str,
                manual: dict[str, tuple[float, str]]) -> UnitIndex:
    """Score one unit's dossiers (public procedures only when the rules say so) with manual entries."""
    if rules.get("scope") == "public":
        facts = [f for f in facts if f.public]
    values, counts = measures(facts, period, rules)
    out = UnitIndex(unit, unit_name, period.label, rules["file"], figures=counts)
    for group in rules["groups"]:
        out.group_names[group["code"]] = group.get("name", group["code"])
        subtotal = 0.0
        for c in group["criteria"]:
            entry = CriterionScore(c["code"], c["name"], float(c["max"]), c["source"])
            if c["source"] == "manual":
                points, note = manual.get(c["code"], (0.0, ""))
                entry.points, entry.missing = min(points, entry.max), c["code"] not in manual
                entry.basis = note or ("chưa nhập điểm" if entry.missing else "")
            else:
                entry.value = values.get(c["measure"])
                entry.points = score(entry.value, c)
                entry.basis = c["measure"]
            subtotal += entry.points
            out.criteria.append(entry)
        out.groups[group["code"]] = round(min(subtotal, float(group["max"])), 2)
    out.total = round(sum(out.groups.values()), 2)
    out.grade = grade(out.total, rules)
    return out


def index766(db: Database, period: Period, unit: str | None = None,
             facts: list[DossierFact] | None = None, agencies: Collection[str] | None = None) -> list[UnitIndex]:
    """The index of every agency with dossiers in the period (or one unit), then of all of them together.

    `facts`: dossiers already loaded (any superset of those received or resolved in the period).
    A year is scored as the mean of its quarters (docs/audits.md says why), not from its dossiers at once.
    `agencies`: only the agencies with these codes (a reader sees the agencies they oversee)."""
    if "-" not in period.label:
        return year_index(db, period, unit, facts, agencies)
    rules = rules_for(period.start)
    with db.read() as conn:
        if facts is None:
            facts = load_dossiers(conn, period, "either")
        else:
            lo, hi = period.first_instant, period.end_instant
            facts = [f for f in facts if (f.received_at is not None and lo <= f.received_at < hi)
                     or (f.done_at is not None and lo <= f.done_at < hi)]
        manual = _manual(conn, period.label)
        names = organisation.unit_names(conn)
    if agencies is not None:
        facts = [f for f in facts if f.unit in agencies]
        manual = {(u, c): v for (u, c), v in manual.items() if u in agencies}
    codes = sorted({f.unit for f in facts} | {u for u, _ in manual})
    if unit is not None:
        if unit not in names:
            raise NotFound(f"no unit '{unit}'")
        codes = [unit]
    by_unit: dict[str, list[DossierFact]] = {}
    for f in facts:
        by_unit.setdefault(f.unit, []).append(f)
    out = [build_index(by_unit.get(code, []), period, rules, code, names.get(code, code),
                       {c: v for (u, c), v in manual.items() if u == code}) for code in codes]
    if unit is None and len(codes) > 1:
        combined: dict[str, list[float]] = {}
        for code in codes:
            for (u, c), (points, _) in manual.items():
                if u == code:
                    combined.setdefault(c, []).append(points)
        averaged = {c: (sum(v) / len(v), "trung bình các đơn vị") for c, v in combined.items() if len(v) == len(codes)}
        out.append(build_index(facts, period, rules, "*", "Toàn bộ các đơn vị", averaged))
    return out


def year_index(db: Database, year: Period, unit: str | None = None,
               facts: list[DossierFact] | None = None, agencies: Collection[str] | None = None) -> list[UnitIndex]:
    """A year's index: per unit, the mean of the quarters it has an index for (points, groups and total)."""
    by_unit: dict[str, list[UnitIndex]] = {}
    for quarter in year.quarters():
        for found in index766(db, quarter, unit, facts, agencies):
            by_unit.setdefault(found.unit, []).append(found)
    out = []
    for code, quarters in by_unit.items():
        first, n = quarters[0], len(quarters)
        mean = UnitIndex(code, first.unit_name, year.label, first.rules, group_names=first.group_names)
        mean.quarters = {q.period: q.total for q in quarters}
        for group in first.groups:
            mean.groups[group] = round(sum(q.groups.get(group, 0.0) for q in quarters) / n, 2)
        for c in first.criteria:
            same = [x for q in quarters for x in q.criteria if x.code == c.code]
            mean.criteria.append(CriterionScore(c.code, c.name, c.max, c.source,
                                                points=round(sum(x.points for x in same) / n, 2),
                                                basis="trung bình các quý", missing=any(x.missing for x in same)))
        for key in first.figures:
            mean.figures[key] = sum(q.figures.get(key, 0) for q in quarters)
        mean.total = round(sum(mean.groups.values()), 2)
        mean.grade = grade(mean.total, rules_for(year.start))
        out.append(mean)
    # The line of all units together stays last, as for a quarter.
    return sorted(out, key=lambda u: (u.unit == "*", u.unit))


@dataclass(frozen=True)
class ManualScore:
    """A criterion entered by hand: for which unit and period, the points, the evidence, who and when."""

    unit: str
    unit_name: str
    period: str
    criterion: str
    points: float
    note: str
    entered_by: str
    entered_at: dt.datetime | None


def manual_criteria(period: Period) -> list[dict[str, Any]]:
    """The criteria of the rules in force that are entered by hand (code, name, max)."""
    rules = rules_for(period.start)
    return [{"code": c["code"], "name": c["name"], "max": float(c["max"]), "group": g.get("name", g["code"])}
            for g in rules["groups"] for c in g["criteria"] if c["source"] == "manual"]


def manual_scores(db: Database, period: Period) -> list[ManualScore]:
    """Every hand-entered criterion of a period (for a year: of its quarters too), with who entered it and when."""
    labels = [period.label] + [q.label for q in period.quarters() if q.label != period.label]
    t = index766_manual_scores.c
    with db.read() as conn:
        codes = organisation.unit_codes(conn)
        names = organisation.unit_names(conn)
        rows = conn.execute(select(t.unit_id, t.period, t.criterion, t.points, t.note, t.entered_by, t.entered_at)
                            .where(t.period.in_(labels))).all()
    out = [ManualScore(codes[r.unit_id], names.get(codes[r.unit_id], codes[r.unit_id]), r.period, r.criterion,
                       float(r.points), r.note or "", r.entered_by or "", r.entered_at) for r in rows]
    return sorted(out, key=lambda m: (m.period, m.unit, m.criterion))


def score_units(db: Database) -> list[tuple[str, str]]:
    """(code, name) of every unit a criterion can be entered for, by code."""
    with db.read() as conn:
        return sorted(organisation.unit_names(conn).items())


def _manual(conn, period: str) -> dict[tuple[str, str], tuple[float, str]]:
    # The scores table is ours; the unit codes come from organisation, which owns the units table.
    codes = organisation.unit_codes(conn)
    query = (select(index766_manual_scores.c.unit_id, index766_manual_scores.c.criterion,
                    index766_manual_scores.c.points, index766_manual_scores.c.note)
             .where(index766_manual_scores.c.period == period))
    return {(codes[r.unit_id], r.criterion): (r.points, r.note) for r in conn.execute(query)}


def set_manual_score(db: Database, unit: str, period: Period, criterion: str, points: float, actor: str,
                     clock: Clock, note: str = "") -> None:
    """Enter (or replace) the points of a manual criterion for a unit and period."""
    rules = rules_for(period.start)
    manual = {c["code"]: c for g in rules["groups"] for c in g["criteria"] if c["source"] == "manual"}
    if criterion not in manual:
        raise InvalidInput.of("criterion_not_manual", criterion=criterion,
                              manual=", ".join(sorted(manual)))
    if not 0 <= points <= float(manual[criterion]["max"]):
        raise InvalidInput.of("criterion_points_range", criterion=criterion,
                              top=manual[criterion]["max"])
    with db.write() as conn:
        unit_row = organisation.unit_by_code(conn, unit)
        conn.execute(delete(index766_manual_scores).where(
            index766_manual_scores.c.unit_id == unit_row.id, index766_manual_scores.c.period == period.label,
            index766_manual_scores.c.criterion == criterion))
        conn.execute(insert(index766_manual_scores).values(
            unit_id=unit_row.id, period=period.label, criterion=criterion, points=float(points), note=note,
            entered_by=actor, entered_at=clock.now()))
