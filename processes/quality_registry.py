"""Each agency's quality system (issue 17 item 1): what it declared (scope, announcement decision, its list of
internal procedures, the last management review) and the facts quytrinh holds about it (procedures in force,
internal audits, nonconformities still open). oversight/registry.py judges them.

An agency is a unit whose agency path is its own path (the district, each commune). Procedures are
organisation-wide: those in force for an agency are the active ones of its level (huyen for the top
agency, xa below it) and the internal ones (noi_bo).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from . import organisation
from .audit_schema import audit_findings, audit_plans
from .catalog import INTERNAL_LEVEL, procedure_info
from .clock import Clock
from .db import Database
from .errors import InvalidInput
from .oversight_schema import quality_systems
from .schema import definitions, human_tasks, instances, units
from .uow import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class Declared:
    """An internal procedure an agency lists in its quality system (code as it numbers it, and name)."""

    code: str
    name: str


@dataclass(frozen=True)
class AuditDone:
    """An internal audit of a unit of the agency (audits/programme.py's plan)."""

    code: str
    unit: str
    planned_to: dt.date
    status: str


@dataclass(frozen=True)
class OpenNonconformity:
    """A nonconformity whose corrective-action case is still running; overdue when a step of it is."""

    ref: str
    capa: str
    overdue: bool


@dataclass(frozen=True)
class AgencyFacts:
    """What the registry knows of one agency."""

    code: str
    name: str
    level: str
    scope: str
    decision_no: str
    decision_date: dt.date | None
    decision_file: str
    declared: list[Declared]
    last_review_on: dt.date | None
    in_force: dict[str, str]  # procedure code → name
    audits: list[AuditDone]
    open_nonconformities: list[OpenNonconformity]


def declare(db: Database, unit: str, actor: str, clock: Clock, scope: str = "", decision_no: str = "",
            decision_date: dt.date | None = None, decision_file: str = "",
            declared: list[Declared] | None = None) -> None:
    """Record (or replace) what agency `unit` declared of its quality system."""
    with unit_of_work(db) as uow:
        declare_in(uow, unit, actor, clock, scope, decision_no, decision_date, decision_file, declared)


def declare_in(uow: UnitOfWork, unit: str, actor: str, clock: Clock, scope: str = "", decision_no: str = "",
               decision_date: dt.date | None = None, decision_file: str = "",
               declared: list[Declared] | None = None) -> None:
    """Record the declaration inside `uow` (see declare)."""
    row = _agency(uow.conn, unit)
    values = {"scope": scope.strip(), "decision_no": decision_no.strip()[:60], "decision_date": decision_date,
              "decision_file": decision_file.strip()[:500],
              "declared": json.dumps([{"code": d.code, "name": d.name} for d in declared or []], ensure_ascii=False),
              "updated_by": actor, "updated_at": clock.now()}
    _upsert(uow.conn, row.id, values)


def record_review(db: Database, unit: str, held_on: dt.date, actor: str, clock: Clock) -> None:
    """Note that agency `unit` held a management review (ISO 9001:2015 9.3) on `held_on`."""
    with unit_of_work(db) as uow:
        record_review_in(uow, unit, held_on, actor, clock)


def record_review_in(uow: UnitOfWork, unit: str, held_on: dt.date, actor: str, clock: Clock) -> None:
    """Note the review inside `uow` (see record_review); a later date replaces an earlier one only."""
    if held_on > clock.now().date():
        raise InvalidInput("a management review cannot be held in the future", {"held_on": held_on.isoformat()})
    row = _agency(uow.conn, unit)
    current = uow.conn.execute(select(quality_systems.c.last_review_on)
                               .where(quality_systems.c.unit_id == row.id)).first()
    if current is not None and current.last_review_on is not None and current.last_review_on >= held_on:
        return
    _upsert(uow.conn, row.id, {"last_review_on": held_on, "updated_by": actor, "updated_at": clock.now()})


def _agency(conn: Connection, unit: str):
    row = organisation.unit_by_code(conn, unit)
    if row.path != row.agency_path:
        raise InvalidInput(f"{unit} is not an agency: a quality system belongs to an agency", {"unit": unit})
    return row


def _upsert(conn: Connection, unit_id: int, values: dict) -> None:
    found = conn.execute(select(quality_systems.c.id).where(quality_systems.c.unit_id == unit_id)).first()
    if found is None:
        conn.execute(insert(quality_systems).values(unit_id=unit_id, **values))
    else:
        conn.execute(update(quality_systems).where(quality_systems.c.id == found.id).values(**values))


def agency_facts(db: Database, now: dt.datetime) -> list[AgencyFacts]:
    """Every agency with what it declared and what quytrinh holds of it, the top agency first."""
    with db.read() as conn:
        agencies = list(conn.execute(select(units.c.id, units.c.code, units.c.name, units.c.path)
                                     .where(units.c.path == units.c.agency_path).order_by(units.c.path)))
        systems = {r.unit_id: r for r in conn.execute(select(quality_systems))}
        info = procedure_info(conn)
        active = {r.code for r in conn.execute(select(definitions.c.code).where(definitions.c.status == "active"))}
        plans = list(conn.execute(select(audit_plans.c.id, audit_plans.c.code, audit_plans.c.planned_to,
                                         audit_plans.c.status, units.c.code.label("unit"), units.c.agency_path)
                                  .join(units, units.c.id == audit_plans.c.unit_id)))
        open_ncs = list(conn.execute(
            select(audit_findings.c.plan_id, audit_findings.c.number, audit_findings.c.capa_instance_id,
                   instances.c.business_key)
            .join(instances, instances.c.id == audit_findings.c.capa_instance_id)
            .where(audit_findings.c.kind == "nonconformity", instances.c.status == "running")))
        overdue = {r.instance_id for r in conn.execute(
            select(human_tasks.c.instance_id).where(human_tasks.c.state.in_(("ready", "claimed")),
                                                    human_tasks.c.due_at < now))}
    top = agencies[0].path if agencies else ""
    plan_by_id = {p.id: p for p in plans}
    found = []
    for a in agencies:
        level = "huyen" if a.path == top else "xa"
        system = systems.get(a.id)
        in_force = {code: i["name"] for code, i in info.items()
                    if code in active and i["level"] in (level, INTERNAL_LEVEL)}
        audits = [AuditDone(p.code, p.unit, p.planned_to, p.status) for p in plans if p.agency_path == a.path]
        ncs = [OpenNonconformity(f"{plan_by_id[n.plan_id].code}/{n.number:02d}", n.business_key,
                                 n.capa_instance_id in overdue)
               for n in open_ncs if plan_by_id[n.plan_id].agency_path == a.path]
        declared = [Declared(d["code"], d["name"]) for d in json.loads(system.declared)] if system else []
        found.append(AgencyFacts(
            a.code, a.name, level, system.scope if system else "", system.decision_no if system else "",
            system.decision_date if system else None, system.decision_file if system else "", declared,
            system.last_review_on if system else None, in_force, audits, ncs))
    return found
