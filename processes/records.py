"""Reading the records audits and reports need, in bulk: dossiers with their outcome facts, completed
steps, the cases of a procedure, and the rows the process-mining export describes cases with.

Audits read the tables of processes through this module (and case_logs, catalog, organisation), never
through processes.schema (an import-linter contract says so): a change of schema is made here, beside
the tables, not in every report.

Digitisation is read from the attachments table (the only trace of scans quytrinh keeps): a dossier
is *digitised* when a file was attached before it was resolved (scans at the counter, the online
submission), and has an *electronic result* when a file was attached when or after it was resolved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, func, select

from .catalog import procedure_info
from .schema import apologies, definitions, dossiers, human_tasks, instances, units
from .signed_results import signed_result_cases
from .workspace_schema import attachments, ratings

OPEN_STEP_STATES = ("ready", "claimed")


class Span(Protocol):
    """A half-open range of instants [first_instant, end_instant), such as an audit period."""

    @property
    def first_instant(self) -> dt.datetime: ...

    @property
    def end_instant(self) -> dt.datetime: ...


@dataclass(frozen=True)
class DossierFact:
    """One dossier with what the indicators count about it."""

    instance_id: int
    code: str
    procedure: str
    procedure_name: str
    public: bool  # an administrative procedure for citizens (level other than noi_bo)
    unit: str
    unit_name: str
    unit_id: int
    channel: str
    status_code: int
    received_at: dt.datetime
    done_at: dt.datetime | None
    due_at: dt.datetime | None
    result: str | None
    supplement_count: int
    late_marked: bool
    apology_signed: bool
    digitised: bool
    e_result: bool
    rating: int | None
    signed_result: bool = False  # its result-signing step completed with a valid signature (signed_results.py)

    @property
    def online(self) -> bool:
        """True when submitted through the public service portal."""
        return self.channel == "truc_tuyen"


@dataclass(frozen=True)
class StepFact:
    """One completed step."""

    instance_id: int
    unit_id: int
    procedure: str
    element_id: str
    name: str
    roles: str
    created_at: dt.datetime
    completed_at: dt.datetime
    completed_by: str | None
    due: str | None
    due_at: dt.datetime | None
    result: str | None


def _period_clauses(period: Span | None, by: str, procedures: Iterable[str] | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if period is not None:
        received = and_(dossiers.c.received_at >= period.first_instant, dossiers.c.received_at < period.end_instant)
        done = and_(dossiers.c.done_at >= period.first_instant, dossiers.c.done_at < period.end_instant)
        clauses.append({"received": received, "done": done}.get(by, received | done))
    if procedures:
        clauses.append(dossiers.c.procedure.in_(list(procedures)))
    return clauses


def _dossier_query(conn: Connection, clauses: list[ColumnElement[bool]]) -> Select[Any]:
    """One statement: the dossiers with their per-dossier facts joined from grouped sub-queries (the
    attachments' first and last upload, signed apologies, completed result-signing steps), each read once
    for the dossiers in the period instead of once per dossier."""
    files = (select(attachments.c.instance_id, func.min(attachments.c.uploaded_at).label("first"),
                    func.max(attachments.c.uploaded_at).label("last"))
             .join(dossiers, dossiers.c.instance_id == attachments.c.instance_id).where(*clauses)
             .group_by(attachments.c.instance_id).subquery())
    apologised = (select(apologies.c.dossier_id).where(apologies.c.state == "signed")
                  .group_by(apologies.c.dossier_id).subquery())
    signed_ids = signed_result_cases(conn, clauses).subquery()
    done = dossiers.c.done_at
    scanned = and_(files.c.instance_id.is_not(None), done.is_(None) | (files.c.first < done))
    electronic = and_(files.c.instance_id.is_not(None), done.is_not(None), files.c.last >= done)
    return (select(dossiers.c.instance_id, dossiers.c.code, dossiers.c.procedure, dossiers.c.unit_id,
                   dossiers.c.channel, dossiers.c.status_code, dossiers.c.received_at, dossiers.c.done_at,
                   dossiers.c.due_at, dossiers.c.result, dossiers.c.supplement_count, dossiers.c.late_marked,
                   units.c.code.label("unit"), units.c.name.label("unit_name"),
                   apologised.c.dossier_id.is_not(None).label("apology_signed"), scanned.label("digitised"),
                   electronic.label("e_result"), ratings.c.score.label("rating"),
                   signed_ids.c.instance_id.is_not(None).label("signed_result"))
            .join(units, units.c.id == dossiers.c.unit_id)
            .outerjoin(ratings, ratings.c.instance_id == dossiers.c.instance_id)
            .outerjoin(files, files.c.instance_id == dossiers.c.instance_id)
            .outerjoin(apologised, apologised.c.dossier_id == dossiers.c.id)
            .outerjoin(signed_ids, signed_ids.c.instance_id == dossiers.c.instance_id)
            .where(*clauses))


def load_dossiers(conn: Connection, period: Span | None = None, by: str = "either",
                  procedures: Iterable[str] | None = None) -> list[DossierFact]:
    """Dossiers received (`by="received"`), resolved (`"done"`) or either in the period (all without one)."""
    info = procedure_info(conn)
    query = _dossier_query(conn, _period_clauses(period, by, procedures))
    out = []
    # Fetched at once and unpacked (rows are tuples, in _dossier_query's column order): cheaper than row
    # attributes.
    for (instance_id, code, procedure, unit_id, channel, status_code, received_at, done_at, due_at, result,
         supplements, late_marked, unit, unit_name, apology_signed, digitised, e_result, rating,
         signed_result) in conn.execute(query.order_by(dossiers.c.instance_id)).all():
        meta = info.get(procedure, {"name": procedure, "public": True})
        out.append(DossierFact(
            instance_id, code, procedure, meta["name"], meta["public"], unit, unit_name, unit_id, channel,
            status_code, received_at, done_at, due_at, result, supplements, bool(late_marked),
            bool(apology_signed), bool(digitised), bool(e_result), rating, bool(signed_result)))
    return out


def load_steps(conn: Connection, instance_ids: Iterable[int] | None = None,
               period: Span | None = None, of_dossiers_in: Span | None = None) -> list[StepFact]:
    """Completed steps of the given cases, or completed in `period`, or of the dossiers received or
    resolved in `of_dossiers_in`."""
    query = (select(human_tasks.c.instance_id, instances.c.unit_id, definitions.c.code, human_tasks.c.element_id,
                    human_tasks.c.name, human_tasks.c.roles, human_tasks.c.created_at, human_tasks.c.completed_at,
                    human_tasks.c.completed_by, human_tasks.c.due_duration, human_tasks.c.due_at,
                    human_tasks.c.result)
             .join(instances, instances.c.id == human_tasks.c.instance_id)
             .join(definitions, definitions.c.id == instances.c.definition_id)
             .where(human_tasks.c.state == "completed"))
    if period is not None:
        query = query.where(human_tasks.c.completed_at >= period.first_instant,
                            human_tasks.c.completed_at < period.end_instant)
    if of_dossiers_in is not None:
        p = of_dossiers_in
        query = query.where(human_tasks.c.instance_id.in_(select(dossiers.c.instance_id).where(
            and_(dossiers.c.received_at >= p.first_instant, dossiers.c.received_at < p.end_instant)
            | and_(dossiers.c.done_at >= p.first_instant, dossiers.c.done_at < p.end_instant))))
    rows: list[Any] = []
    if instance_ids is not None:
        ids = sorted(set(instance_ids))
        for i in range(0, len(ids), 900):
            rows.extend(conn.execute(query.where(human_tasks.c.instance_id.in_(ids[i:i + 900]))))
    else:
        rows.extend(conn.execute(query))
    return [StepFact(r.instance_id, r.unit_id, r.code, r.element_id, r.name, r.roles, r.created_at, r.completed_at,
                     r.completed_by, r.due_duration, r.due_at, r.result) for r in rows]


@dataclass(frozen=True)
class OpenStep:
    """A step of a case waiting to be done (ready or claimed)."""

    task_uuid: str
    element_id: str
    roles: tuple[str, ...]
    due: str | None
    assignee: str | None


def open_steps(conn: Connection, instance_id: int) -> list[OpenStep]:
    """The steps of one case waiting to be done, in the order they were opened."""
    rows = conn.execute(select(human_tasks.c.task_uuid, human_tasks.c.element_id, human_tasks.c.roles,
                               human_tasks.c.due_duration, human_tasks.c.assignee)
                        .where(human_tasks.c.instance_id == instance_id, human_tasks.c.state.in_(OPEN_STEP_STATES))
                        .order_by(human_tasks.c.id))
    return [OpenStep(r.task_uuid, r.element_id, tuple(x for x in r.roles.split(",") if x), r.due_duration,
                     r.assignee) for r in rows]


@dataclass(frozen=True)
class DossierState:
    """Where a dossier stands: its current appointment, status code and result (None until answered)."""

    appointment_at: dt.datetime | None
    status_code: int
    result: str | None


def dossier_state(conn: Connection, instance_id: int) -> DossierState | None:
    """The state of the dossier of a case, or None when the case has no dossier."""
    row = conn.execute(select(dossiers.c.appointment_at, dossiers.c.status_code, dossiers.c.result)
                       .where(dossiers.c.instance_id == instance_id)).first()
    return None if row is None else DossierState(row.appointment_at, row.status_code, row.result)


@dataclass(frozen=True)
class LateDossier:
    """A dossier answered late, and whether a signed apology was sent for it."""

    instance_id: int
    code: str
    apologised: bool


def late_dossiers(conn: Connection, instance_ids: Iterable[int]) -> list[LateDossier]:
    """The dossiers of the given cases that were answered late, in case order."""
    signed = exists().where(apologies.c.dossier_id == dossiers.c.id, apologies.c.state == "signed")
    rows = conn.execute(select(dossiers.c.instance_id, dossiers.c.code, signed.label("apologised"))
                        .where(dossiers.c.instance_id.in_(list(instance_ids)), dossiers.c.result == "late")
                        .order_by(dossiers.c.instance_id))
    return [LateDossier(r.instance_id, r.code, bool(r.apologised)) for r in rows]


@dataclass(frozen=True)
class CaseSummary:
    """One case of a procedure: its code, status and when it was opened and closed."""

    instance_id: int
    business_key: str | None
    status: str
    created_at: dt.datetime
    completed_at: dt.datetime | None


def case_summaries(conn: Connection, instance_ids: Iterable[int]) -> dict[int, CaseSummary]:
    """The given cases by id (those that exist)."""
    rows = conn.execute(select(instances.c.id, instances.c.business_key, instances.c.status, instances.c.created_at,
                               instances.c.completed_at).where(instances.c.id.in_(list(instance_ids))))
    return {r.id: CaseSummary(r.id, r.business_key, r.status, r.created_at, r.completed_at) for r in rows}


def case_definitions(conn: Connection, instance_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Case id → (the id of the definition version it runs on, its status), for the given cases."""
    ids, out = sorted(set(instance_ids)), {}
    for i in range(0, len(ids), 900):  # under SQLite's limit of bound parameters
        out.update({r.id: (r.definition_id, r.status) for r in conn.execute(
            select(instances.c.id, instances.c.definition_id, instances.c.status)
            .where(instances.c.id.in_(ids[i:i + 900])))})
    return out


def received_cases(conn: Connection, span: Span, agencies: Iterable[str] | None = None) -> dict[int, tuple[int, str]]:
    """Case id → (its definition version id, its status), for the dossiers received in the span (optionally only
    those of the agencies with these codes): case_definitions of received_in in one query."""
    query = (select(instances.c.id, instances.c.definition_id, instances.c.status)
             .join(dossiers, dossiers.c.instance_id == instances.c.id)
             .where(dossiers.c.received_at >= span.first_instant, dossiers.c.received_at < span.end_instant))
    if agencies is not None:
        query = query.join(units, units.c.id == dossiers.c.unit_id).where(units.c.code.in_(sorted(agencies)))
    return {r.id: (r.definition_id, r.status) for r in conn.execute(query.order_by(instances.c.id))}


def cases_of(conn: Connection, procedure: str) -> list[CaseSummary]:
    """Every case of every version of a procedure (e.g. the corrective-action cases), oldest first."""
    rows = conn.execute(select(instances.c.id, instances.c.business_key, instances.c.status, instances.c.created_at,
                               instances.c.completed_at)
                        .join(definitions, definitions.c.id == instances.c.definition_id)
                        .where(definitions.c.code == procedure).order_by(instances.c.id))
    return [CaseSummary(r.id, r.business_key, r.status, r.created_at, r.completed_at) for r in rows]


def open_step_names(conn: Connection) -> dict[int, str]:
    """Case id → the name of a step waiting to be done (ready or claimed) in it."""
    return {r.instance_id: r.name for r in conn.execute(
        select(human_tasks.c.instance_id, human_tasks.c.name).where(human_tasks.c.state.in_(OPEN_STEP_STATES)))}


def case_attributes(conn: Connection, procedure: str | None = None) -> list[dict[str, Any]]:
    """Every case (of one procedure) with what describes it in an exported log: id, business_key, status,
    code, version, name, unit, channel, status_code, result (the last three None without a dossier)."""
    query = (select(instances.c.id, instances.c.business_key, instances.c.status, definitions.c.code,
                    definitions.c.version, definitions.c.name, units.c.code.label("unit"), dossiers.c.channel,
                    dossiers.c.status_code, dossiers.c.result)
             .join(definitions, definitions.c.id == instances.c.definition_id)
             .join(units, units.c.id == instances.c.unit_id)
             .outerjoin(dossiers, dossiers.c.instance_id == instances.c.id).order_by(instances.c.id))
    if procedure:
        query = query.where(definitions.c.code == procedure)
    return [r._asdict() for r in conn.execute(query)]


@dataclass(frozen=True)
class DossierRef:
    """A dossier as evidence refers to it: its case id and its code, and what an audit's scope is checked on
    (the agency that received it, its procedure, when it was received)."""

    instance_id: int
    code: str
    agency_path: str = field(default="", compare=False)
    procedure: str = field(default="", compare=False)
    received_at: dt.datetime | None = field(default=None, compare=False)


def find_dossier(conn: Connection, ref: str | int) -> DossierRef | None:
    """The dossier whose case id (digits) or code is given, or None."""
    text = str(ref).strip()
    cond = dossiers.c.instance_id == int(text) if text.isdigit() else dossiers.c.code == text
    row = conn.execute(select(dossiers.c.instance_id, dossiers.c.code, units.c.path, dossiers.c.procedure,
                              dossiers.c.received_at).join(units, units.c.id == dossiers.c.unit_id)
                       .where(cond)).first()
    return None if row is None else DossierRef(row.instance_id, row.code, row.path, row.procedure, row.received_at)


def dossier_codes(conn: Connection, instance_ids: Iterable[int]) -> dict[int, str]:
    """Case id → dossier code, for those of the given cases that have a dossier."""
    return {r.instance_id: r.code for r in conn.execute(
        select(dossiers.c.instance_id, dossiers.c.code).where(dossiers.c.instance_id.in_(list(instance_ids))))}


def procedures_received(conn: Connection, unit_id: int, span: Span) -> list[str]:
    """The procedures of the dossiers a unit received in the span, by code."""
    return list(conn.execute(select(dossiers.c.procedure).distinct().where(
        dossiers.c.unit_id == unit_id, dossiers.c.received_at >= span.first_instant,
        dossiers.c.received_at < span.end_instant).order_by(dossiers.c.procedure)).scalars())


def received_in_agency(conn: Connection, agency_path: str, procedures: Iterable[str], span: Span) -> list[int]:
    """Case ids of the dossiers of these procedures received in the span by the agency at `agency_path`."""
    query = (select(dossiers.c.instance_id).join(units, units.c.id == dossiers.c.unit_id)
             .where(dossiers.c.procedure.in_(list(procedures)), units.c.path == agency_path,
                    dossiers.c.received_at >= span.first_instant, dossiers.c.received_at < span.end_instant)
             .order_by(dossiers.c.instance_id))
    return list(conn.execute(query).scalars())


def received_in(conn: Connection, span: Span, agencies: Iterable[str] | None = None) -> list[int]:
    """Case ids of every dossier received in the span (the cases a year's conformance covers), optionally only
    those of the agencies with these codes (a reader sees the agencies they oversee, issue 12)."""
    query = select(dossiers.c.instance_id).where(
        dossiers.c.received_at >= span.first_instant, dossiers.c.received_at < span.end_instant)
    if agencies is not None:
        query = query.join(units, units.c.id == dossiers.c.unit_id).where(units.c.code.in_(sorted(agencies)))
    return list(conn.execute(query.order_by(dossiers.c.instance_id)).scalars())
