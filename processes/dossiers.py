"""Dossiers (hồ sơ): one per case, with its status code, appointment date, pauses and outcome.

`on_start` and `on_move` are case lifecycle listeners (declared in processes.lifecycle): they run inside
the transaction that starts or moves the case, and the events they append to `move.changes.events`
are chained with the case's other events. Lifecycle
names written to the event log (activity: the process id):

``dossier_status`` status code changed (payload: from, to, label, result when resolved);
``sla_due_set`` appointment computed (received_at, counted_from, appointment_at, deadline);
``sla_paused`` / ``sla_resumed`` supplement or payment pause and its end (paused time, new dates);
``sla_marked_late`` second supplement request (QĐ 766); ``sla_extended`` new date from an apology.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from engine.parsing import Procedure
from engine.runner import AutoStep, ReadyStep

from . import sla
from .calendar_store import calendar_for
from .citizen_scope import is_internal_level
from .clock import Clock
from .db import Database
from .dossier_rules import OPEN, PAUSED, RESOLVED, RUNNING, DossierStatus, check_transition, markers_of
from .errors import NotFound
from .eventlog import GENESIS, Chain, Event, append
from .fastsql import Fast
from .projection import OPEN as OPEN_TASKS
from .projection import CaseMove, Changes
from .schema import dossiers, human_tasks, instances
from .sla import DEFAULT_POLICY, SlaPolicy, SlaState

CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")
S = DossierStatus


@dataclass(frozen=True)
class DossierView:
    """A dossier as people see it, with its SLA state at the moment asked."""

    instance_id: int
    code: str
    procedure: str
    status_code: int
    status: str
    channel: str
    applicant_name: str | None
    applicant_id_number: str | None
    received_at: dt.datetime
    counted_from: dt.datetime
    appointment_at: dt.datetime | None
    original_appointment_at: dt.datetime | None
    due_at: dt.datetime | None
    supplement_count: int
    paused_minutes: int
    late_marked: bool
    new_date_set: bool
    result: str | None
    done_at: dt.datetime | None
    returned_at: dt.datetime | None
    sla_state: str | None


class _Dossier:
    """A dossier row being changed by one use case: the values, the events, the calendar."""

    def __init__(self, values: dict[str, Any], procedure: Procedure, calendar, now: dt.datetime,
                 actor: str | None, changes: Changes, policy: SlaPolicy) -> None:
        self.v: dict[str, Any] = values
        self.changed: set[str] = set()
        self.procedure, self.calendar, self.now, self.actor = procedure, calendar, now, actor
        self.changes, self.policy = changes, policy

    @property
    def status(self) -> DossierStatus:
        return DossierStatus(self.v["status_code"])

    def set(self, **values: Any) -> None:
        self.v.update(values)
        self.changed.update(values)

    def event(self, lifecycle: str, payload: dict[str, Any]) -> None:
        payload = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in payload.items()}
        self.changes.events.append(Event(self.procedure.process_id, lifecycle, self.now, self.actor,
                                         self.procedure.name, payload))

    def move_to(self, new: DossierStatus) -> None:
        """Change the status code through the transition table, closing a pause or the dossier."""
        old = self.status
        check_transition(old, new)
        if old in PAUSED:
            self._resume()
        self.set(status_code=int(new))
        payload: dict[str, Any] = {"from": int(old), "to": int(new), "label": new.label}
        if new in RESOLVED and self.v["done_at"] is None:
            result = sla.classify(self.calendar, self.now, self.v["due_at"], self.policy, self.v["late_marked"])
            self.set(done_at=self.now, result=result.value if result else None)
            payload["result"] = self.v["result"]
        if new is S.RETURNED:
            self.set(returned_at=self.now)
        self.event("dossier_status", payload)

    def receive(self) -> None:
        """An online submission accepted by the one-stop officer: counting starts now."""
        self.move_to(S.RECEIVED)
        self._schedule(self.now)

    def _schedule(self, received_at: dt.datetime) -> None:
        props = self.procedure.info.properties
        counted_from, due = sla.appointment(self.calendar, received_at, props.get("deadline"),
                                        props.get("deadline_kind"), props.get("cutoff"))
        self.set(received_at=received_at, counted_from=counted_from, due_at=due, appointment_at=due,
                 original_appointment_at=due, escalation_level=0)
        self.event("sla_due_set", {"received_at": received_at, "counted_from": counted_from,
                                   "appointment_at": due, "deadline": props.get("deadline")})

    def progress(self) -> None:
        """The first completed step of a received dossier puts it in progress."""
        if self.status is S.SUBMITTED:
            self.receive()
        if self.status is S.RECEIVED:
            self.move_to(S.IN_PROGRESS)

    def pause(self, kind: str, step: str) -> None:
        """A supplement or payment step opened: the clock stops; a second supplement marks it late."""
        if self.status in PAUSED or self.status not in OPEN:
            return
        if self.status is S.SUBMITTED:
            self.receive()
        self.move_to(S.SUPPLEMENT if kind == "supplement" else S.PAYMENT)
        self.set(paused_since=self.now, paused_reason=kind)
        self.event("sla_paused", {"reason": kind, "step": step, "since": self.now})
        if kind == "supplement":
            count = self.v["supplement_count"] + 1
            self.set(supplement_count=count)
            if count >= 2 and not self.v["late_marked"]:
                self.set(late_marked=True)
                self.event("sla_marked_late", {"supplement_count": count,
                                               "rule": "QĐ 766: yêu cầu bổ sung hồ sơ lần thứ hai"})

    def _resume(self) -> None:
        minutes, days = sla.pause_length(self.calendar, self.v["paused_since"], self.now)
        old_due, old_appointment = self.v["due_at"], self.v["appointment_at"]
        due = sla.extend(self.calendar, old_due, days) if old_due else None
        new_appointment = sla.extend(self.calendar, old_appointment, days) if old_appointment else None
        self.set(paused_minutes=self.v["paused_minutes"] + minutes, paused_since=None, paused_reason=None,
                 due_at=due, appointment_at=new_appointment, escalation_level=0)
        self.event("sla_resumed", {"paused_minutes": minutes, "paused_days": str(days), "due_at": due,
                                   "appointment_from": old_appointment, "appointment_at": new_appointment})

    def finish(self, outcome: DossierStatus) -> None:
        """An end event with an outcome was reached (or the case completed: done)."""
        if outcome is S.DONE and self.status in (S.DONE, S.RETURNED):
            return
        if self.status is S.SUBMITTED and outcome is not S.REFUSED:
            self.receive()
        self.move_to(outcome)

    def rewatch(self) -> None:
        """Recompute what the SLA sweep must watch: state, due-soon and apology instants, next check."""
        due = self.v["appointment_at"]
        if self.status not in RUNNING or due is None:
            state = SlaState.PAUSED.value if self.status in PAUSED else None
            self.set(sla_state=state, soon_at=None, apology_at=None, next_check_at=None)
            return
        start, statutory = self.v["counted_from"], self.v["original_appointment_at"] or due
        soon = sla.soon_at(self.calendar, start, due, self.calendar.elapsed(start, statutory), self.policy)
        state, level, next_check = sla.watch(self.now, due, soon, self.v["escalation_level"] or 0,
                                         sla.escalation_times(self.calendar, due, self.policy))
        apology_at = None
        # An internal procedure's case has no applicant to apologise to (the apology is a statutory form of the
        # one-stop mechanism, as the receipt is).
        if self.policy.apology_lead and not self.v["new_date_set"] and state is not SlaState.OVERDUE \
                and not is_internal_level(self.procedure.info.properties):
            # One lead time before the appointment; none when the whole allowance is shorter (same-day).
            ask = sla.working_before(self.calendar, due, sla.duration(self.policy.apology_lead), start)
            apology_at = max(ask, self.now) if ask > start else None
            next_check = min((t for t in (next_check, apology_at) if t is not None), default=None)
        self.set(sla_state=state.value, soon_at=soon, apology_at=apology_at, escalation_level=level,
                 next_check_at=next_check)


def _moves(d: _Dossier, conn: Connection, row, procedure: Procedure, opened: list[ReadyStep],
           auto: list[AutoStep], completed: bool) -> None:
    """Apply what the BPMN markers say about the steps just opened and the end events just reached."""
    markers = markers_of(conn, row.definition_id, procedure.sha256)
    for ready in opened:
        kind = markers.sla.get(ready.element_id)
        if kind in ("supplement", "payment"):
            d.pause(kind, ready.element_id)
    for ran in auto:
        if ran.kind == "EndEvent" and ran.element_id in markers.outcome:
            d.finish(markers.outcome[ran.element_id])
    if completed and d.status in OPEN:
        d.finish(S.DONE)


def _applicant(d: _Dossier, data: dict[str, Any]) -> None:
    """Copy the applicant's name, ID number and channel from step data that carries them."""
    values = {}
    if isinstance(data.get("ten_nguoi_nop"), str) and data["ten_nguoi_nop"].strip():
        values["applicant_name"] = data["ten_nguoi_nop"].strip()[:300]
    if isinstance(data.get("so_giay_to"), str) and data["so_giay_to"].strip():
        values["applicant_id_number"] = data["so_giay_to"].strip()[:40]
    if data.get("kenh_nop") in CHANNELS:
        values["channel"] = data["kenh_nop"]
    if values:
        d.set(**values)


def on_start(move: CaseMove, policy: SlaPolicy = DEFAULT_POLICY) -> None:
    """Create the dossier of a case just started: status 1 or 2, appointment date, first pauses."""
    conn, row, procedure, data, now, changes = move.conn, move.row, move.procedure, move.data, move.now, move.changes
    channel = data.get("kenh_nop") if data.get("kenh_nop") in CHANNELS else "truc_tiep"
    status = S.SUBMITTED if channel == "truc_tuyen" else S.RECEIVED
    values = {"instance_id": row.id, "code": row.business_key, "procedure": procedure.code, "unit_id": row.unit_id,
              "channel": channel, "applicant_name": None, "applicant_id_number": None, "status_code": int(status),
              "deadline": procedure.info.deadline, "supplement_count": 0, "paused_since": None,
              "paused_reason": None, "paused_minutes": 0, "late_marked": False, "new_date_set": False,
              "result": None, "done_at": None, "returned_at": None, "escalation_level": 0}
    d = _Dossier(values, procedure, calendar_for(conn, row.unit_id), now, move.actor, changes, policy)
    d.event("dossier_status", {"from": None, "to": int(status), "label": status.label})
    d._schedule(now)
    _applicant(d, data)
    _moves(d, conn, row, procedure, changes.opened, move.auto, move.completed)
    d.rewatch()
    _DOSSIER_NEW.execute(conn, {**d.v, "updated_at": now})


_DOSSIER_NEW = Fast(insert(dossiers))
_DOSSIER_OF = Fast(select(dossiers).where(dossiers.c.instance_id == bindparam("b_instance")))
_DOSSIER_SET = Fast(update(dossiers).where(dossiers.c.id == bindparam("b_id")))


def on_move(move: CaseMove, policy: SlaPolicy = DEFAULT_POLICY) -> None:
    """Move the dossier after its workflow moved: a step completed with its data, or a timer fired."""
    conn, row, procedure, task, now = move.conn, move.row, move.procedure, move.task, move.now
    calendar = calendar_for(conn, row.unit_id)
    found = _DOSSIER_OF.execute(conn, {"b_instance": row.id}).first()
    if found is None:  # a case started before dossiers existed
        return
    d = _Dossier(found._asdict(), procedure, calendar, now, move.actor, move.changes, policy)
    _applicant(d, move.data)
    kind = markers_of(conn, row.definition_id, procedure.sha256).sla.get(task.element_id) if task else None
    if kind in ("supplement", "payment") and d.status in PAUSED:
        d.move_to(S.IN_PROGRESS)
    elif kind == "return" and d.status in OPEN:
        if d.status is S.SUBMITTED:
            d.receive()
        d.move_to(S.RETURNED)
    elif task is not None and d.status in (S.SUBMITTED, S.RECEIVED):
        d.progress()
    _moves(d, conn, row, procedure, move.changes.opened, move.auto, move.completed)
    _save(conn, d, now)


def _save(conn: Connection, d: _Dossier, now: dt.datetime) -> None:
    if d.changed & {"status_code", "appointment_at"}:  # what the sweep watches moved
        d.rewatch()
    if not d.changed:
        return
    _DOSSIER_SET.execute(conn, {"b_id": d.v["id"], **{k: d.v[k] for k in d.changed}, "updated_at": now})


def close(conn: Connection, dossier_row, procedure: Procedure, new: DossierStatus, now: dt.datetime,
          actor: str | None, changes: Changes) -> None:
    """Move a dossier to a final status decided outside the workflow (withdrawn 7, stopped 8)."""
    d = _Dossier(dossier_row._asdict(), procedure, calendar_for(conn, dossier_row.unit_id), now, actor, changes,
                 DEFAULT_POLICY)
    d.move_to(new)
    _save(conn, d, now)


def find(conn: Connection, ref: str | int):
    """The dossier row of a case id or dossier code, or NotFound."""
    text = str(ref).strip()
    cond = dossiers.c.instance_id == int(text) if text.isdigit() else dossiers.c.code == text
    found = conn.execute(select(dossiers).where(cond)).first()
    if found is None:
        raise NotFound.of("dossier_not_found", ref=ref)
    return found


def get(db: Database, ref: str | int, clock: Clock | None = None) -> DossierView:
    """A dossier by case id or dossier code, with its SLA state now (by `clock`, else stored)."""
    with db.read() as conn:
        r = find(conn, ref)
    status = DossierStatus(r.status_code)
    state = r.sla_state
    if clock is not None and status in RUNNING:
        state = sla.state_at(clock.now(), r.appointment_at, r.soon_at).value
    return DossierView(
        r.instance_id, r.code, r.procedure, r.status_code, status.label, r.channel, r.applicant_name,
        r.applicant_id_number, r.received_at, r.counted_from, r.appointment_at, r.original_appointment_at,
        r.due_at, r.supplement_count, r.paused_minutes, r.late_marked, r.new_date_set, r.result, r.done_at,
        r.returned_at, state)


@dataclass(frozen=True)
class StepSla:
    """A step of a dossier against its time limit: state while open, result once completed."""

    task: str
    element_id: str
    name: str
    state: str
    due_at: dt.datetime | None
    sla_state: str | None
    result: str | None


def steps(db: Database, ref: str | int, clock: Clock | None = None) -> list[StepSla]:
    """Every step of a dossier in order, open ones with their SLA state now (by `clock`, else stored)."""
    with db.read() as conn:
        case_id = find(conn, ref).instance_id
        rows = list(conn.execute(select(human_tasks).where(human_tasks.c.instance_id == case_id)
                                 .order_by(human_tasks.c.id)))
    found = []
    for r in rows:
        state = r.sla_state if r.state in OPEN_TASKS else None
        if state is not None and clock is not None:
            state = sla.state_at(clock.now(), r.due_at, r.soon_at).value
        found.append(StepSla(r.task_uuid, r.element_id, r.name, r.state, r.due_at, state, r.result))
    return found


def lock_case(conn: Connection, instance_id: int):
    """Lock a case row (PostgreSQL) before changing its dossier or its log outside the workflow use cases."""
    query = select(instances).where(instances.c.id == instance_id)
    row = conn.execute(query.with_for_update() if conn.dialect.name == "postgresql" else query).first()
    if row is None:
        raise NotFound.of("instance_not_found", instance=instance_id)
    return row


def log_events(conn: Connection, case_row, new: list[Event]) -> None:
    """Append events to the chain of a case locked with lock_case."""
    chain = append(conn, case_row.id, Chain(case_row.event_count, case_row.event_head or GENESIS), new)
    conn.execute(update(instances).where(instances.c.id == case_row.id).values(
        event_count=chain.count, event_head=chain.head))


def set_new_appointment(conn: Connection, dossier_row, procedure: Procedure, new_at: dt.datetime,
                        now: dt.datetime, actor: str | None, changes: Changes, apology_id: int) -> None:
    """Move the appointment to the date of a signed apology and mark the dossier's new date as set."""
    d = _Dossier(dossier_row._asdict(), procedure, calendar_for(conn, dossier_row.unit_id), now, actor, changes,
                 DEFAULT_POLICY)
    old = d.v["appointment_at"]
    d.set(appointment_at=new_at, new_date_set=True, escalation_level=0)
    d.event("sla_extended", {"from": old, "to": new_at, "apology": apology_id})
    _save(conn, d, now)
