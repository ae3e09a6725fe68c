"""What the audit programme's pages and documents show: the year's coverage of units, one plan with its sample,
checklist and findings, who may plan and who may audit. Reads only; the use cases are in audits.programme."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from processes import catalog, organisation
from processes.audit_schema import audit_plans
from processes.db import Database
from processes.queries import full_names

from . import evidence, programme
from .periods import parse_period

ANSWER_LABELS = {"conformity": "Phù hợp", "observation": "Khuyến nghị (điểm cần cải tiến)",
                 "nonconformity": "Không phù hợp", "not_applicable": "Không áp dụng"}
STATUS_LABELS = {"planned": "Đã lập kế hoạch", "in_progress": "Đang đánh giá", "done": "Đã kết thúc"}


@dataclass(frozen=True)
class UnitCoverage:
    """A unit of the organisation and the audits of the year that covered it."""

    code: str
    name: str
    depth: int
    plans: list[tuple[str, str]]  # (plan code, status)
    nonconformities: int

    @property
    def audited(self) -> bool:
        """Covered by a plan of the year (closed or not)."""
        return bool(self.plans)


@dataclass(frozen=True)
class PlanView:
    """One plan with everything its page and its documents print."""

    plan: programme.Plan
    unit_name: str
    agency: str
    objective: str
    period_from: dt.date
    period_to: dt.date
    team: list[tuple[str, str, str]]  # (username, full name, lead|member)
    sample: list[str]
    checklist: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    created_by: str
    names: dict[str, str] = field(default_factory=dict)

    @property
    def unanswered(self) -> int:
        """Checklist items without an answer (the plan cannot close while any is left)."""
        return sum(1 for item in self.checklist if not item["answer"])


def coverage(db: Database, year: int) -> list[UnitCoverage]:
    """Every unit in tree order with the year's plans that audited it (ISO 9001:2015 9.2.2 a: the programme
    covers the organisation; a unit without a plan is a gap the page shows)."""
    plans = programme.list_plans(db, year)
    counts: dict[str, int] = {}
    for finding in programme.findings(db, year=year):
        if finding["kind"] == "nonconformity":
            counts[finding["unit"]] = counts.get(finding["unit"], 0) + 1
    with db.read() as conn:
        names = organisation.unit_names(conn)
        tree = organisation.unit_tree(conn)
    return [UnitCoverage(u.code, names.get(u.code, u.code), u.path.strip("/").count("/"),
                         [(p.code, p.status) for p in plans if p.unit == u.code], counts.get(u.code, 0))
            for u in sorted(tree, key=lambda u: u.path)]


def plan_view(db: Database, plan_ref: int | str) -> PlanView:
    """A plan with its team, sample, checklist and findings."""
    plan = programme.get_plan(db, plan_ref)
    with db.read() as conn:
        row = conn.execute(select(audit_plans.c.objective, audit_plans.c.created_by)
                           .where(audit_plans.c.id == plan.id)).one()
        unit_name = organisation.unit_names(conn).get(plan.unit, plan.unit)
        agency = organisation.top_agency_name(conn)
    period = parse_period(plan.period)
    findings = programme.findings(db, plan_id=plan.id)
    names = full_names(db, {u for u, _ in plan.team} | {f["by"] for f in findings} | {row.created_by})
    team = [(u, names.get(u, u), role) for u, role in plan.team]
    return PlanView(plan, unit_name, agency, row.objective, period.start, period.end - dt.timedelta(days=1), team,
                    programme.draw_sample(db, plan.id), programme.checklist(db, plan.id), findings, row.created_by,
                    names)


def auditors(db: Database) -> list[tuple[str, str]]:
    """(username, full name) of everyone holding an auditor role, for the plan form."""
    with db.read() as conn:
        held = sorted({h.username for h in organisation.role_holders(conn) if h.role_code in programme.AUDITOR_ROLES})
    names = full_names(db, set(held))
    return [(u, names.get(u, u)) for u in held]


def may_plan(db: Database, username: str | None) -> bool:
    """Internal auditors and the ISO secretary plan audits (ISO 9001:2015 9.2.2: the programme's owners)."""
    if not username:
        return False
    with db.read() as conn:
        return any(m.role in programme.AUDITOR_ROLES for m in organisation.memberships_of(conn, username))


def units(db: Database) -> list[tuple[str, str]]:
    """(code, name) of every unit, in tree order, for the plan form."""
    with db.read() as conn:
        names = organisation.unit_names(conn)
        return [(u.code, names.get(u.code, u.code)) for u in sorted(organisation.unit_tree(conn), key=lambda u: u.path)]


def procedure_codes(db: Database) -> list[str]:
    """Codes of the procedures in force, for the plan form."""
    with db.read() as conn:
        return sorted({v.code for v in catalog.active_versions(conn)})


def evidence_refs(text: str) -> list[dict[str, Any]]:
    """'HS-1, HS-2:5' (a dossier, or an event of its log by number) as evidence links for the use cases."""
    links = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        ref, _, seq = part.strip().partition(":")
        if ref:
            number = seq.strip()
            links.append({"dossier": ref.strip(), "seq": int(number) if number.isdigit() else number or None})
    return links


def document_data(view: PlanView) -> dict[str, Any]:
    """A plan as plain data for documents.audit_documents (which cannot read the database)."""
    return {
        "agency": view.agency, "code": view.plan.code, "unit": view.unit_name, "unit_code": view.plan.unit,
        "period": view.plan.period, "period_from": view.period_from, "period_to": view.period_to,
        "planned_from": view.plan.planned_from, "planned_to": view.plan.planned_to, "objective": view.objective,
        "procedures": view.plan.procedures, "status": STATUS_LABELS.get(view.plan.status, view.plan.status),
        "team": [{"name": name, "role": "Trưởng đoàn" if role == "lead" else "Thành viên"}
                 for _u, name, role in view.team],
        "sample": view.sample, "sample_size_rule": "√N + 1, tối thiểu 5, tối đa 30 (ISO 19011:2018, A.6)",
        "checklist": [{**item, "answer_label": ANSWER_LABELS.get(item["answer"] or "", ""),
                       "evidence_text": _evidence_text(item["evidence"])} for item in view.checklist],
        "findings": [{**f, "kind_label": ANSWER_LABELS.get(f["kind"], f["kind"]),
                      "by_name": view.names.get(f["by"], f["by"]), "evidence_text": _evidence_text(f["evidence"])}
                     for f in view.findings],
    }


def _evidence_text(links: list[dict[str, Any]] | str) -> str:
    items = json.loads(links) if isinstance(links, str) else links
    return "; ".join(evidence.describe(e) for e in items)
