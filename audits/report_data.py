"""Everything the annual internal-audit report and the management-review pack show, gathered from the database.

Headline figures are over the administrative procedures (level other than noi_bo) and the calendar year
in Vietnam time: *received* by date received, *resolved* (early / on time / late) by date answered.
The SLA and conformance sections cover every procedure, internal ones included.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.xml import BPMN_NS, load_xml
from processes import organisation
from processes.anchors import AnchorNote, latest_anchor
from processes.catalog import active_bpmn
from processes.db import Database
from processes.organisation import department_of, top_agency_name
from processes.records import DossierFact, cases_of, load_dossiers, open_step_names

from . import index766, programme
from .casecheck import check_cases, conformance_in
from .conformance import CaseConformance, ProcedureConformance
from .indicators import SlaReport, build_sla_report, step_figures_of
from .periods import Period, parse_period
from .pictures import Picture, StepUse, picture
from .unsigned_results import unsigned_results

OBJECTIVES_DIR = Path(__file__).resolve().parent / "rules" / "objectives"
HEADLINE_LABELS = {
    "received": "Hồ sơ tiếp nhận", "received_online": "Trong đó nộp trực tuyến", "resolved": "Hồ sơ đã giải quyết",
    "early": "Giải quyết trước hạn", "on_time": "Giải quyết đúng hạn", "late": "Giải quyết quá hạn",
    "late_without_apology": "Quá hạn không có văn bản xin lỗi", "refused": "Từ chối giải quyết",
    "withdrawn": "Rút hồ sơ", "supplemented": "Hồ sơ phải bổ sung", "supplemented_twice": "Bổ sung từ lần thứ hai",
    "ratings": "Lượt đánh giá của người dân", "satisfied": "Đánh giá hài lòng, rất hài lòng",
    "digitised": "Hồ sơ được số hóa khi tiếp nhận", "e_result": "Hồ sơ có kết quả điện tử",
}


@dataclass
class AnnualReport:
    """The year's figures, findings and pictures."""

    year: int
    period: Period
    agency: str
    generated_at: dt.datetime
    headline: dict[str, int] = field(default_factory=dict)
    sla: SlaReport | None = None
    conformance: dict[str, ProcedureConformance] = field(default_factory=dict)
    deviating: list[CaseConformance] = field(default_factory=list)
    case_codes: dict[int, str] = field(default_factory=dict)
    pictures: list[Picture] = field(default_factory=list)
    index766: dict[str, list[index766.UnitIndex]] = field(default_factory=dict)
    cchc: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    previous_findings: list[dict[str, Any]] = field(default_factory=list)
    capa: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    anchor: AnchorNote | None = None  # the latest checkpoint of the event log signed outside the database
    unsigned_results: list[DossierFact] = field(default_factory=list)  # electronic results not signed (issue 16)


def headline(facts: list[DossierFact], period: Period) -> dict[str, int]:
    """The headline counts (public procedures) of a period."""
    return headlines(facts, [period])[0]


def headlines(facts: list[DossierFact], periods: list[Period]) -> list[dict[str, int]]:
    """The headline counts (public procedures) of each of `periods` (sorted, not overlapping), in one pass over the
    facts: a dossier counts as *received* in the period holding its date received and as *resolved* (when it has
    a result) in the one holding its date answered."""
    starts = [p.first_instant for p in periods]
    ends = [p.end_instant for p in periods]
    out = [dict.fromkeys(HEADLINE_LABELS, 0) for _ in periods]

    def slot(at: dt.datetime | None) -> dict[str, int] | None:
        if at is None:
            return None
        i = bisect_right(starts, at) - 1
        return out[i] if i >= 0 and at < ends[i] else None

    for f in facts:
        if not f.public:
            continue
        got = slot(f.received_at)
        if got is not None:
            got["received"] += 1
            got["received_online"] += f.channel == "truc_tuyen"
            got["withdrawn"] += f.status_code == 7
            got["supplemented"] += f.supplement_count >= 1
            got["supplemented_twice"] += f.supplement_count >= 2
            got["digitised"] += f.digitised
        if f.result is None:
            continue
        got = slot(f.done_at)
        if got is not None:
            got["resolved"] += 1
            if f.result in ("early", "on_time", "late"):
                got[f.result] += 1
            got["late_without_apology"] += f.result == "late" and not f.apology_signed
            got["refused"] += f.status_code == 3
            got["ratings"] += f.rating is not None
            got["satisfied"] += (f.rating or 0) >= 4
            got["e_result"] += f.e_result
    return out


def objectives_for(day: dt.date) -> dict[str, Any]:
    """The quality objectives in force on `day` (newest file not after it), or an empty set."""
    files = sorted(p for p in OBJECTIVES_DIR.glob("*.json") if p.stem[:10] <= day.isoformat())
    return json.loads(files[-1].read_text(encoding="utf-8")) if files else {"objectives": []}


def evaluate_objectives(facts: list[DossierFact], period: Period) -> list[dict[str, Any]]:
    """Each quality objective with its measured value and whether it was met."""
    values, counts = index766.measures([f for f in facts if f.public], period, {"rules": {}})
    received = counts["received"]
    twice = sum(f.public and f.supplement_count >= 2 and period.contains(f.received_at) for f in facts)
    values["second_supplement_share"] = twice / received if received else None
    out = []
    for o in objectives_for(period.start)["objectives"]:
        value = values.get(o["measure"])
        at_least = o["direction"] == "at_least"
        met = None if value is None else (value >= o["target"] if at_least else value <= o["target"])
        out.append({**o, "value": value, "met": met})
    return out


def conformance_of(db: Database, case_ids: list[int],
                   stored: bool = True) -> tuple[dict[str, ProcedureConformance], list[CaseConformance]]:
    """Conformance of the given cases to the versions they ran on (roles as recorded at each step);
    closed cases' verdicts as stored when their model is unchanged (`stored=False`: all afresh)."""
    return check_cases(db, case_ids, stored=stored)


def build_annual_report(db: Database, year: int, pictures: bool = True, png: bool = True,
                        stored: bool = True, agencies: Collection[str] | None = None) -> AnnualReport:
    """Gather the annual report of `year` (`stored=False`: every case's conformance computed afresh and every step
    row read, no monthly rollup; `agencies`: only the dossiers of the agencies with these codes, those the reader
    oversees — issue 12 defect 2)."""
    period = parse_period(str(year))
    with db.read() as conn:
        facts = load_dossiers(conn, period, "either")
        if agencies is not None:
            facts = [f for f in facts if f.unit in agencies]
        departments = department_of(conn)
        unit_names = organisation.unit_names(conn)
        root = top_agency_name(conn)
        xml = active_bpmn(conn)
        capa_cases = cases_of(conn, programme.CAPA_CODE)
        open_steps = open_step_names(conn)
        anchor = latest_anchor(conn)
    report = AnnualReport(year, period, root, dt.datetime.now(dt.UTC))
    report.anchor = anchor
    report.headline = headline(facts, period)
    # The SLA counts the steps completed in the year, of its dossiers, grouped in SQL.
    report.sla = build_sla_report(period, facts, step_figures_of(db, period, agencies=agencies, rollups=stored),
                                  departments)
    # Every unit by name, those without a dossier this year too (departments, audited units).
    report.names = {**unit_names, **report.sla.names}
    report.case_codes = {f.instance_id: f.code for f in facts}
    report.conformance, verdicts = conformance_in(db, period, agencies, stored)
    report.deviating = [v for v in verdicts if v.deviations]
    if pictures:
        report.pictures = _pictures(report, verdicts, xml, png)
    report.index766 = {q.label: index766.index766(db, q, facts=facts) for q in period.quarters()}
    report.cchc = cchc_rows(facts, period)
    report.plans = [{"plan": p, "sample": programme.draw_sample(db, p.id), "checklist": programme.checklist(db, p.id)}
                    for p in programme.list_plans(db, year)]
    report.findings = programme.findings(db, year)
    report.previous_findings = [f for f in programme.findings(db) if f["at"].year < year]
    report.capa = [{"case": c.business_key, "status": c.status, "opened": c.created_at, "closed": c.completed_at,
                    "step": open_steps.get(c.instance_id, "")} for c in capa_cases]
    report.objectives = evaluate_objectives(facts, period)
    report.unsigned_results = unsigned_results(facts, period)
    return report


def _pictures(report: AnnualReport, verdicts: list[CaseConformance], xml: dict[str, str],
              png: bool) -> list[Picture]:
    uses: dict[str, dict[str, StepUse]] = {}
    for figure in report.sla.steps if report.sla else []:
        use = uses.setdefault(figure.procedure, {}).setdefault(figure.element_id, StepUse())
        use.count, use.median_hours, use.limit_hours = figure.counts.resolved, figure.median_hours, figure.limit_hours
        use.late = figure.counts.late
    codes = {f.procedure for f in report.sla.steps} if report.sla else set()
    by_process: dict[str, dict[str, int]] = {}
    for verdict in verdicts:
        for dev in verdict.deviations:
            by_process.setdefault(verdict.process_id, {}).setdefault(dev.activity, 0)
            by_process[verdict.process_id][dev.activity] += 1
    out = []
    for code in sorted(codes):
        if code not in xml:
            continue
        process_id = _process_id(xml[code])
        for activity, count in by_process.get(process_id, {}).items():
            uses.setdefault(code, {}).setdefault(activity, StepUse()).deviations = count
        out.append(picture(code, xml[code], uses.get(code, {}), png))
    return out


def _process_id(text: str) -> str:
    return next(p.get("id", "") for p in load_xml(text).getroot().iter(f"{{{BPMN_NS}}}process")
                if p.get("isExecutable", "true") != "false")


def cchc_rows(facts: list[DossierFact], period: Period) -> list[dict[str, Any]]:
    """The quarterly administrative-reform (CCHC) figures per unit: received, online, in time, digitised, satisfied."""
    out = []
    by_unit: dict[str, list[DossierFact]] = {}
    for f in facts:
        if f.public:
            by_unit.setdefault(f.unit, []).append(f)
    quarters = period.quarters()
    per_unit = {unit: headlines(own, quarters) for unit, own in by_unit.items()}
    for q, quarter in enumerate(quarters):
        for unit in sorted(by_unit):
            own = by_unit[unit]
            h = per_unit[unit][q]
            rated = h["ratings"]
            out.append({"quarter": quarter.label, "unit": unit, "unit_name": own[0].unit_name if own else unit,
                        "received": h["received"], "online": h["received_online"], "resolved": h["resolved"],
                        "in_time": h["early"] + h["on_time"], "late": h["late"], "digitised": h["digitised"],
                        "ratings": rated, "satisfied": h["satisfied"],
                        "satisfied_share": h["satisfied"] / rated if rated else None})
    return out
