"""Inspections of the district's units for CCHC and ISO (issue 17 item 4): the year's plan, self-inspections,
what was concluded, and findings — a nonconformity starts a QT-CAPA-01 case in the same unit of work, as an
internal-audit finding does (audits/programme.py). oversight/inspections.py computes coverage and the minutes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from . import instances, organisation
from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound, PermissionDenied
from .inserted import inserted_id
from .oversight_schema import inspection_findings, inspections
from .schema import instances as instances_table
from .schema import units
from .uow import UnitOfWork, unit_of_work

KINDS = ("inspection", "self")
CONTENTS = ("cchc", "iso")
FINDING_KINDS = ("observation", "nonconformity")
CAPA_CODE = "QT-CAPA-01"


@dataclass(frozen=True)
class Inspection:
    """An inspection as stored."""

    id: int
    code: str
    year: int
    unit: str
    unit_name: str
    kind: str
    planned_from: dt.date
    planned_to: dt.date
    team: list[str]
    content: list[str]
    status: str
    done_on: dt.date | None
    conclusion: str


@dataclass(frozen=True)
class Finding:
    """A finding of an inspection, with its corrective-action case when it is a nonconformity."""

    ref: str
    kind: str
    statement: str
    capa: str | None


def plan_inspection(db: Database, year: int, unit: str, planned_from: dt.date, planned_to: dt.date,
                    team: list[str], actor: str, clock: Clock, kind: str = "inspection",
                    content: tuple[str, ...] = CONTENTS) -> Inspection:
    """Plan an inspection of `unit` (kind "self": the unit's own self-inspection) in `year`."""
    with unit_of_work(db) as uow:
        inspection_id = plan_inspection_in(uow, year, unit, planned_from, planned_to, team, actor, clock, kind,
                                           content)
    return get(db, inspection_id)


def plan_inspection_in(uow: UnitOfWork, year: int, unit: str, planned_from: dt.date, planned_to: dt.date,
                       team: list[str], actor: str, clock: Clock, kind: str = "inspection",
                       content: tuple[str, ...] = CONTENTS) -> int:
    """Plan the inspection inside `uow` (see plan_inspection); returns its id."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", {"kind": kind})
    if not content or any(c not in CONTENTS for c in content):
        raise InvalidInput(f"content is one or more of {', '.join(CONTENTS)}", {"content": ",".join(content)})
    if planned_to < planned_from or planned_from.year != year:
        raise InvalidInput("the inspection's dates are in its year, the end not before the start",
                           {"planned_from": planned_from.isoformat()})
    if not team:
        raise InvalidInput("an inspection needs a team", {"team": "required"})
    conn = uow.conn
    target = organisation.unit_by_code(conn, unit)
    for member in dict.fromkeys(team):
        organisation.user_by_name(conn, member)
    number = conn.execute(select(func.count(inspections.c.id)).where(inspections.c.year == year)).scalar_one()
    prefix = "TKT" if kind == "self" else "KT"
    return inserted_id(conn.execute(insert(inspections).values(
        code=f"{prefix}-{year}-{number + 1:02d}", year=year, unit_id=target.id, kind=kind,
        planned_from=planned_from, planned_to=planned_to, team=json.dumps(list(dict.fromkeys(team))),
        content=json.dumps(list(dict.fromkeys(content))), status="planned", conclusion="",
        created_by=actor, created_at=clock.now())))


def conclude(db: Database, code: str, done_on: dt.date, conclusion: str, actor: str, clock: Clock) -> None:
    """Record that inspection `code` was carried out on `done_on`, with its conclusion (by a team member)."""
    with unit_of_work(db) as uow:
        conclude_in(uow, code, done_on, conclusion, actor, clock)


def conclude_in(uow: UnitOfWork, code: str, done_on: dt.date, conclusion: str, actor: str, clock: Clock) -> None:
    """Record the conclusion inside `uow` (see conclude)."""
    found = _get(uow.conn, code)
    _member(found, actor)
    if done_on > clock.now().date():
        raise InvalidInput("an inspection cannot be done in the future", {"done_on": done_on.isoformat()})
    if len(conclusion.strip()) < 5:
        raise InvalidInput("write the inspection's conclusion", {"conclusion": "required"})
    uow.conn.execute(update(inspections).where(inspections.c.id == found.id)
                     .values(status="done", done_on=done_on, conclusion=conclusion.strip()))


def record_finding(db: Database, code: str, kind: str, statement: str, actor: str, clock: Clock,
                   responsible: str | None = None) -> Finding:
    """Record a finding of inspection `code`; a nonconformity starts a corrective-action case."""
    with unit_of_work(db) as uow:
        return record_finding_in(uow, code, kind, statement, actor, clock, responsible)


def record_finding_in(uow: UnitOfWork, code: str, kind: str, statement: str, actor: str, clock: Clock,
                      responsible: str | None = None) -> Finding:
    """Record the finding inside `uow` (see record_finding): the finding and its CAPA case commit together."""
    if kind not in FINDING_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(FINDING_KINDS)}", {"kind": kind})
    if len(statement.strip()) < 5:
        raise InvalidInput("state the finding", {"statement": "required"})
    conn = uow.conn
    found = _get(conn, code)
    _member(found, actor)
    number = (conn.execute(select(func.max(inspection_findings.c.number))
                           .where(inspection_findings.c.inspection_id == found.id)).scalar() or 0) + 1
    ref = f"{found.code}/{number:02d}"
    capa = None
    if kind == "nonconformity":
        if not responsible:
            raise InvalidInput("name who corrects the nonconformity", {"responsible": "required"})
        organisation.user_by_name(conn, responsible)
        capa = instances.start_in(uow, CAPA_CODE, {
            "ma_phat_hien": ref, "mo_ta": statement.strip()[:4000], "dieu_khoan": "", "quy_trinh": "",
            "don_vi": found.unit, "nguoi_chiu_trach_nhiem": responsible}, actor, clock)
    conn.execute(insert(inspection_findings).values(
        inspection_id=found.id, number=number, kind=kind, statement=statement.strip(), created_by=actor,
        created_at=clock.now(), capa_instance_id=capa.instance_id if capa else None))
    return Finding(ref, kind, statement.strip(), capa.business_key if capa else None)


def _member(found: Inspection, actor: str) -> None:
    if actor not in found.team:
        raise PermissionDenied(f"{actor} is not on the team of {found.code}")


_COLUMNS = (inspections, units.c.code.label("unit"), units.c.name.label("unit_name"))


def _view(r) -> Inspection:
    return Inspection(r.id, r.code, r.year, r.unit, r.unit_name, r.kind, r.planned_from, r.planned_to,
                      json.loads(r.team), json.loads(r.content), r.status, r.done_on, r.conclusion)


def _get(conn: Connection, code: str) -> Inspection:
    row = conn.execute(select(*_COLUMNS).join(units, units.c.id == inspections.c.unit_id)
                       .where(inspections.c.code == code)).first()
    if row is None:
        raise NotFound(f"no inspection {code}")
    return _view(row)


def get(db: Database, inspection_id: int | str) -> Inspection:
    """One inspection by id or code."""
    with db.read() as conn:
        if isinstance(inspection_id, str):
            return _get(conn, inspection_id)
        code = conn.execute(select(inspections.c.code).where(inspections.c.id == inspection_id)).scalar_one()
        return _get(conn, code)


def list_inspections(db: Database, year: int) -> list[Inspection]:
    """The inspections of `year` in the order they were planned."""
    with db.read() as conn:
        rows = conn.execute(select(*_COLUMNS).join(units, units.c.id == inspections.c.unit_id)
                            .where(inspections.c.year == year).order_by(inspections.c.id))
        return [_view(r) for r in rows]


def findings_of(db: Database, code: str) -> list[Finding]:
    """The findings of inspection `code`, in their order."""
    with db.read() as conn:
        found = _get(conn, code)
        rows = conn.execute(select(inspection_findings.c.number, inspection_findings.c.kind,
                                   inspection_findings.c.statement, instances_table.c.business_key)
                            .outerjoin(instances_table,
                                       instances_table.c.id == inspection_findings.c.capa_instance_id)
                            .where(inspection_findings.c.inspection_id == found.id)
                            .order_by(inspection_findings.c.number))
        return [Finding(f"{found.code}/{r.number:02d}", r.kind, r.statement, r.business_key) for r in rows]
