"""Late-dossier apologies (thư xin lỗi, hẹn lại ngày trả): requested by the SLA sweep when a dossier is
about to be late, or on demand by the officer handling it; signed by the head of the handling unit.

Signing sets the dossier's new appointment date; a dossier's appointment can be moved this way only
once, and only to a later date. Requests, signatures and dismissals are events in the case's log
(``apology_requested``, ``apology_signed`` with ``sla_extended``, ``apology_dismissed``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, insert, select, update

from . import dossiers, organisation
from .access import check_may_see
from .assignment import may_work
from .calendar_store import calendar_for
from .case_chain import heads_step, leads_case
from .citizen_scope import internal_codes
from .clock import Clock
from .db import Database
from .dossier_rules import OPEN, DossierStatus
from .errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from .eventlog import Event
from .inserted import inserted_id
from .keys import VN
from .notifications import Notice, heads, holders
from .notifications import add as notify
from .projection import OPEN as OPEN_TASKS
from .projection import Changes
from .schema import apologies, definitions, human_tasks, units
from .schema import dossiers as dossiers_table
from .sla import DEFAULT_POLICY, SlaPolicy, duration
from .uow import UnitOfWork, unit_of_work


class ApologyState(StrEnum):
    """Where an apology request is."""

    PENDING = "pending"
    SIGNED = "signed"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        """The Vietnamese name shown to people (a msgid of web/translations)."""
        return APOLOGY_LABELS[self]


APOLOGY_LABELS: dict[ApologyState, str] = {
    ApologyState.PENDING: "Chờ ký", ApologyState.SIGNED: "Đã ký", ApologyState.DISMISSED: "Không được chấp thuận",
}


@dataclass(frozen=True)
class ApologyView:
    """An apology request as the leader's inbox shows it."""

    id: int
    dossier: str
    instance_id: int
    unit: str
    state: str
    reason: str
    appointment_at: dt.datetime
    proposed_at: dt.datetime
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    new_appointment_at: dt.datetime | None


def _local(at: dt.datetime) -> str:
    return at.astimezone(VN).strftime("%H:%M %d/%m/%Y")


def _agency_path(conn: Connection, case_row) -> str:
    return conn.execute(select(units.c.agency_path).where(units.c.id == case_row.unit_id)).scalar_one()


def _procedure(conn: Connection, case_row) -> tuple[str, str]:
    row = conn.execute(select(definitions.c.process_id, definitions.c.name)
                       .where(definitions.c.id == case_row.definition_id)).one()
    return row.process_id, row.name


def create(conn: Connection, case_row, dossier_row, reason: str, proposed_at: dt.datetime | None,
           actor: str | None, now: dt.datetime, policy: SlaPolicy = DEFAULT_POLICY,
           head: tuple[int | None, list[str]] | None = None,
           procedure: tuple[str, str] | None = None) -> tuple[int, list[Event]]:
    """Insert a pending apology for the head of the unit handling the dossier; return (id, events to log).

    `head` (unit id, leaders) and `procedure` (process id, name) may be given by a caller that knows them.
    """
    if dossier_row.new_date_set:
        raise ConflictError.of("appointment_moved_already", dossier=dossier_row.code)
    if conn.execute(select(apologies.c.id).where(apologies.c.dossier_id == dossier_row.id,
                                                 apologies.c.state == ApologyState.PENDING.value)).first():
        raise ConflictError.of("apology_pending", dossier=dossier_row.code)
    current = dossier_row.appointment_at
    if current is None:
        raise InvalidInput.of("no_appointment", dossier=dossier_row.code)
    calendar = calendar_for(conn, dossier_row.unit_id)
    proposed = proposed_at or calendar.add(current, duration(policy.apology_extension)).astimezone(dt.UTC)
    _check_later(proposed, current)
    if head is None:
        agency_path = _agency_path(conn, case_row)
        open_tasks = conn.execute(select(human_tasks.c.roles, human_tasks.c.assignee).where(
            human_tasks.c.instance_id == case_row.id, human_tasks.c.state.in_(OPEN_TASKS)))
        paths = sorted({h.path for t in open_tasks for h in holders(conn, t.roles, agency_path, t.assignee)})
        head = heads(conn, paths or [agency_path], agency_path)
    unit_id, leaders = head
    unit_id = unit_id if unit_id is not None else case_row.unit_id
    apology_id = inserted_id(conn.execute(insert(apologies).values(
        dossier_id=dossier_row.id, unit_id=unit_id, state=ApologyState.PENDING.value, reason=reason,
        appointment_at=current, proposed_at=proposed, requested_by=actor, requested_at=now,
    )))
    conn.execute(update(dossiers_table).where(dossiers_table.c.id == dossier_row.id).values(apology_at=None))
    process_id, name = procedure or _procedure(conn, case_row)
    text = (f"Hồ sơ {dossier_row.code} có nguy cơ trễ hạn (hẹn trả {_local(current)}): đề nghị ký thư xin lỗi "
            f"và hẹn lại ngày trả {_local(proposed)}. Lý do: {reason}")
    notify(conn, [Notice(u, "apology_requested", text, f"/apologies/{apology_id}", case_row.id) for u in leaders], now)
    event = Event(process_id, "apology_requested", now, actor, name, {
        "apology": apology_id, "reason": reason, "appointment_at": current.isoformat(),
        "proposed_at": proposed.isoformat(), "leaders": leaders})
    return apology_id, [event]


def _check_later(proposed: dt.datetime, current: dt.datetime) -> None:
    if proposed.tzinfo is None:
        raise InvalidInput.of("appointment_needs_zone")
    if proposed <= current:
        raise InvalidInput.of("appointment_not_later", proposed=_local(proposed), current=_local(current))


def request(db: Database, ref: str | int, actor: str, clock: Clock, reason: str,
            proposed_at: dt.datetime | None = None, policy: SlaPolicy = DEFAULT_POLICY) -> ApologyView:
    """The officer handling a dossier (or a leader) asks the head of the unit for an apology."""
    if not reason or not reason.strip():
        raise InvalidInput.of("apology_reason_missing", {"reason": "required"})
    now = clock.now()
    with db.write() as conn:
        case = dossiers.lock_case(conn, dossiers.find(conn, ref).instance_id)
        dossier = dossiers.find(conn, case.id)
        if dossier.procedure in internal_codes(conn):  # the apology is a letter to the applicant
            raise InvalidInput.of("apology_internal_case", dossier=dossier.code)
        if DossierStatus(dossier.status_code) not in OPEN:
            raise ConflictError.of("dossier_closed", dossier=dossier.code,
                                status_label=DossierStatus(dossier.status_code).label)
        agency_path = _agency_path(conn, case)
        member = organisation.memberships_of(conn, actor)
        open_tasks = list(conn.execute(select(human_tasks.c.roles, human_tasks.c.assignee).where(
            human_tasks.c.instance_id == case.id, human_tasks.c.state.in_(OPEN_TASKS))))
        check_may_see(conn, actor, case.id, now)  # a leader above the agency who cannot read it may not ask
        leads = leads_case(member, agency_path) or any(heads_step(conn, member, t.roles, agency_path)
                                                       for t in open_tasks)
        if not leads and not any(
                may_work(actor, member, t.roles, t.assignee, agency_path, organisation.unit_paths(conn, t.roles))
                for t in open_tasks):
            raise PermissionDenied.of("may_not_ask_apology", actor=actor, dossier=dossier.code)
        apology_id, events = create(conn, case, dossier, reason.strip(), proposed_at, actor, now, policy)
        dossiers.log_events(conn, case, events)
    return get(db, apology_id)


def sign(db: Database, apology_id: int, actor: str, clock: Clock, new_date: dt.datetime | None = None) -> ApologyView:
    """The head of the unit signs: the dossier's appointment moves to the new date (once per dossier)."""
    with unit_of_work(db) as uow:
        sign_in(uow, apology_id, actor, clock, new_date)
    return get(db, apology_id)


def sign_in(uow: UnitOfWork, apology_id: int, actor: str, clock: Clock, new_date: dt.datetime | None = None) -> None:
    """Sign an apology inside `uow` (see sign): decision, new appointment, log and notice together."""
    now = clock.now()
    conn = uow.conn
    apology, case, dossier = _pending(conn, apology_id, actor)
    if dossier.new_date_set:
        raise ConflictError.of("appointment_moved_once", dossier=dossier.code,
                               moved_to=_local(dossier.appointment_at))
    new = new_date or apology.proposed_at
    _check_later(new, dossier.appointment_at)
    new = new.astimezone(dt.UTC)
    procedure = uow.procedure(case.definition_id)
    changes = Changes(events=[Event(procedure.process_id, "apology_signed", now, actor, procedure.name,
                                    {"apology": apology.id, "new_appointment_at": new.isoformat()})])
    dossiers.set_new_appointment(conn, dossier, procedure, new, now, actor, changes, apology.id)
    conn.execute(update(apologies).where(apologies.c.id == apology.id).values(
        state=ApologyState.SIGNED.value, decided_by=actor, decided_at=now, new_appointment_at=new))
    dossiers.log_events(conn, case, changes.events)
    if apology.requested_by:
        notify(conn, [Notice(apology.requested_by, "apology_signed",
                             f"Thư xin lỗi hồ sơ {dossier.code} đã được ký; ngày hẹn trả mới {_local(new)}.",
                             f"/cases/{dossier.code}", case.id)], now)


def dismiss(db: Database, apology_id: int, actor: str, clock: Clock, note: str = "") -> ApologyView:
    """The head of the unit declines the request (the dossier will be on time after all)."""
    now = clock.now()
    with db.write() as conn:
        apology, case, _ = _pending(conn, apology_id, actor)
        process_id, name = _procedure(conn, case)
        conn.execute(update(apologies).where(apologies.c.id == apology.id).values(
            state=ApologyState.DISMISSED.value, decided_by=actor, decided_at=now))
        dossiers.log_events(conn, case, [Event(process_id, "apology_dismissed", now, actor, name,
                                               {"apology": apology.id, "note": note})])
    return get(db, apology_id)


def _pending(conn: Connection, apology_id: int, actor: str):
    """Lock the case of a pending apology and check that `actor` heads its unit (or a unit above)."""
    first = conn.execute(select(apologies.c.dossier_id).where(apologies.c.id == apology_id)).first()
    if first is None:
        raise NotFound.of("apology_not_found", apology=apology_id)
    instance_id = conn.execute(select(dossiers_table.c.instance_id)
                               .where(dossiers_table.c.id == first.dossier_id)).scalar_one()
    case = dossiers.lock_case(conn, instance_id)
    dossier = dossiers.find(conn, instance_id)
    apology = conn.execute(select(apologies, units.c.path).join(units, units.c.id == apologies.c.unit_id)
                           .where(apologies.c.id == apology_id)).one()
    agency_path = _agency_path(conn, case)
    member = organisation.memberships_of(conn, actor)
    if not any(m.role_kind == "leader" and apology.path.startswith(m.unit_path) and m.unit_path.startswith(agency_path)
               for m in member):
        raise PermissionDenied.of("not_unit_head", actor=actor, dossier=dossier.code)
    if apology.state != ApologyState.PENDING.value:
        raise ConflictError.of("apology_decided", apology=apology_id, dossier=dossier.code, state=apology.state)
    if DossierStatus(dossier.status_code) not in OPEN:
        raise ConflictError.of("dossier_closed", dossier=dossier.code,
                                status_label=DossierStatus(dossier.status_code).label)
    return apology, case, dossier


_VIEW = (select(apologies, dossiers_table.c.code.label("dossier"), dossiers_table.c.instance_id,
                units.c.code.label("unit"))
         .join(dossiers_table, dossiers_table.c.id == apologies.c.dossier_id)
         .join(units, units.c.id == apologies.c.unit_id))


def _view(r) -> ApologyView:
    return ApologyView(r.id, r.dossier, r.instance_id, r.unit, r.state, r.reason, r.appointment_at, r.proposed_at,
                       r.requested_by, r.requested_at, r.decided_by, r.decided_at, r.new_appointment_at)


def get(db: Database, apology_id: int) -> ApologyView:
    """One apology request."""
    with db.read() as conn:
        row = conn.execute(_VIEW.where(apologies.c.id == apology_id)).first()
    if row is None:
        raise NotFound.of("apology_not_found", apology=apology_id)
    return _view(row)


def of_dossier(db: Database, ref: str | int) -> list[ApologyView]:
    """Every apology request of a dossier, oldest first."""
    with db.read() as conn:
        dossier = dossiers.find(conn, ref)
        rows = conn.execute(_VIEW.where(apologies.c.dossier_id == dossier.id).order_by(apologies.c.id))
        return [_view(r) for r in rows]


def pending_for(db: Database, leader: str) -> list[ApologyView]:
    """The apologies waiting for this leader's signature (the units they head), oldest first."""
    with db.read() as conn:
        unit_ids = [m.unit_id for m in organisation.memberships_of(conn, leader) if m.role_kind == "leader"]
        if not unit_ids:
            return []
        rows = conn.execute(_VIEW.where(apologies.c.state == ApologyState.PENDING.value,
                                        apologies.c.unit_id.in_(unit_ids),
                                        dossiers_table.c.status_code.in_([int(s) for s in OPEN]))
                            .order_by(apologies.c.requested_at, apologies.c.id))
        return [_view(r) for r in rows]

