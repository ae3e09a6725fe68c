"""Instance lifecycle use cases: start, complete a step, cancel. Each is one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, bindparam, insert, select, update

from engine import runner
from engine.calendar import WorkingCalendar, default_calendar
from engine.errors import FormInvalid, StepFailed, TaskNotReady
from engine.forms import validate_free_data
from engine.parsing import Procedure
from engine.scripting import RestrictedScriptEngine
from engine.state import STATE_VERSION, dump_state, load_state

from . import approval, catalog, dossiers, organisation, sla, substitutes, timers
from .assignment import may_lead, may_work
from .calendar_store import calendar_for
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from .eventlog import Chain, Event, append
from .fastsql import Fast
from .handlers import registered
from .keys import next_business_key
from .projection import Changes, auto_events, open_tasks, sync_tasks
from .schema import human_tasks, instances, units
from .statuses import InstanceStatus, TaskStatus, check_instance_transition


@dataclass(frozen=True)
class Moved:
    """The outcome of a use case that moved a case: its key, status and the steps now open."""

    instance_id: int
    business_key: str
    status: str
    opened: list[runner.ReadyStep]
    end_event: str | None = None


@dataclass
class _Case:
    row: Any
    procedure: Procedure
    workflow: BpmnWorkflow
    scope_path: str


def script_engine(clock: Clock | None = None, calendar: WorkingCalendar | None = None) -> RestrictedScriptEngine:
    """The script engine workflows run with: restricted expressions, handlers, the timers' clock and calendar."""
    return RestrictedScriptEngine(handlers=registered(), clock=clock, calendar=calendar or default_calendar())


def start(db: Database, code: str, data: dict[str, Any], actor: str, clock: Clock,
          unit: str | None = None) -> Moved:
    """Start a case of the active version of a procedure, received by `actor` in `unit`."""
    try:
        data = validate_free_data(data)
    except FormInvalid as exc:
        raise InvalidInput.of("start_data_invalid", exc.errors) from None
    now = clock.now()
    with db.write() as conn:
        definition = catalog.active_definition(conn, code)
        procedure = db.procedures.get(conn, definition.id)
        workflow, auto = _run(lambda: runner.new_workflow(procedure, data, script_engine(clock)))
        ready = runner.ready_steps(procedure, workflow)
        agency = _start_unit(conn, actor, unit, ready)
        key = next_business_key(conn, agency.code, now)
        values = {"business_key": key, "definition_id": definition.id, "unit_id": agency.id,
                  "status": InstanceStatus.RUNNING.value, "state": "{}", "state_version": STATE_VERSION,
                  "lock_version": 1, "started_by": actor, "created_at": now, "updated_at": now}
        instance_id = conn.execute(_NEW_INSTANCE, values).inserted_primary_key[0]
        changes = Changes(events=[Event(procedure.process_id, "case_start", now, actor, procedure.name,
                                        {"business_key": key, "version": definition.version})])
        changes.events.extend(auto_events(auto, now))
        sync_tasks(conn, instance_id, agency.id, ready, {}, now, actor, changes)
        row = _inserted_row(instance_id, values)
        dossiers.on_start(conn, row, procedure, workflow.is_completed(), auto, data, now, actor, changes)
        status, end = _save(conn, row, procedure, workflow, changes, now, actor)
    db.live.put(instance_id, 2, workflow)
    return Moved(instance_id, key, status, changes.opened, end)


def _inserted_row(instance_id: int, values: dict[str, Any]) -> SimpleNamespace:
    """The row just inserted, as the database now holds it (every column: given, else its default)."""
    row = {c.name: (c.default.arg if c.default is not None and not callable(c.default.arg) else None)
           for c in instances.columns}
    return SimpleNamespace(**{**row, **values, "id": instance_id})


def complete(db: Database, task_uuid: str, data: dict[str, Any], actor: str, clock: Clock) -> Moved:
    """Complete a ready step as `actor` with form data; the workflow moves on in the same transaction."""
    now = clock.now()
    with db.write() as conn:
        task = _locked_task(conn, task_uuid)
        case = _case_of(db, conn, task, clock)
        authority = _check_may_work(conn, case, task, actor, now)
        try:
            cleaned = runner.clean_step_data(case.procedure, case.workflow, UUID(task_uuid), data)
        except FormInvalid as exc:
            raise InvalidInput.of("form_invalid", exc.errors, step=task.name) from None
        # The open task rows always mirror the workflow's ready steps as last saved.
        before = {str(s.task_id): s.element_id for s in runner.ready_steps(case.procedure, case.workflow)}
        auto = _run(lambda: runner.complete_step(case.procedure, case.workflow, UUID(task_uuid), cleaned))
        # The step's own result against its time limit (early / on time / late) is decided here, once.
        result = sla.classify(calendar_for(conn, case.row.unit_id), now, task.task_due_at)
        _TASK_DONE.execute(conn, {"b_id": task.task_id, "state": TaskStatus.COMPLETED.value, "completed_at": now,
                                  "completed_by": actor, "assignee": actor, "sla_state": None,
                                  "next_check_at": None, "result": result.value if result else None})
        before.pop(task_uuid, None)
        changes = Changes(events=[Event(task.element_id, "complete", now, actor, task.name,
                                        {"task": task_uuid, "data": cleaned, **authority})])
        changes.events.extend(auto_events(auto, now))
        sync_tasks(conn, case.row.id, case.row.unit_id, runner.ready_steps(case.procedure, case.workflow),
                   before, now, actor, changes)
        dossiers.on_move(conn, case.row, case.procedure, case.workflow.is_completed(), auto, now, actor, changes,
                         task, cleaned)
        status, end = _save(conn, case.row, case.procedure, case.workflow, changes, now, actor)
    db.live.put(case.row.id, case.row.lock_version + 1, case.workflow)
    return Moved(case.row.id, case.row.business_key, status, changes.opened, end)


def cancel(db: Database, instance_id: int, actor: str, clock: Clock, reason: str = "") -> None:
    """Cancel a running case: its open steps are withdrawn and nothing more can happen to it."""
    now = clock.now()
    with db.write() as conn:
        case = _open_case(db, conn, instance_id, clock)
        if case.row.started_by != actor and not may_lead(organisation.memberships_of(conn, actor),
                                                         case.scope_path, whole_case=True):
            raise PermissionDenied.of("may_not_cancel", actor=actor, case=case.row.business_key)
        check_instance_transition(case.row.status, InstanceStatus.CANCELLED)
        case.workflow.cancel()
        changes = Changes()
        sync_tasks(conn, instance_id, case.row.unit_id, [], open_tasks(conn, instance_id), now, actor, changes)
        changes.events.append(Event(case.procedure.process_id, "case_cancel", now, actor, case.procedure.name,
                                    {"reason": reason}))
        _save(conn, case.row, case.procedure, case.workflow, changes, now, actor,
              status=InstanceStatus.CANCELLED)
    db.live.put(instance_id, case.row.lock_version + 1, case.workflow)


def _run(step):
    try:
        return step()
    except TaskNotReady as exc:
        raise ConflictError(str(exc)) from None
    except StepFailed as exc:
        raise InvalidInput.of("procedure_cannot_continue", detail=str(exc)) from None


_TASK_AND_CASE = Fast(
    select(human_tasks.c.id.label("task_id"), human_tasks.c.element_id, human_tasks.c.name, human_tasks.c.roles,
           human_tasks.c.assignee, human_tasks.c.state.label("task_state"), human_tasks.c.completed_by,
           human_tasks.c.due_at.label("task_due_at"), instances, units.c.path)
    .join(instances, instances.c.id == human_tasks.c.instance_id)
    .join(units, units.c.id == instances.c.unit_id)
    .where(human_tasks.c.task_uuid == bindparam("b_uuid"))
)
_NEW_INSTANCE = insert(instances)
_UNIT_AT = Fast(select(units).where(units.c.path == bindparam("b_path")))
_LOCK_CASE_OF_TASK = Fast(select(instances.c.id).where(instances.c.id == select(human_tasks.c.instance_id).where(
    human_tasks.c.task_uuid == bindparam("b_uuid")).scalar_subquery()).with_for_update())
_CASE = (select(instances, units.c.path).join(units, units.c.id == instances.c.unit_id)
         .where(instances.c.id == bindparam("b_id")))
_CASE_LOCKED = _CASE.with_for_update(of=instances.c.id)
_TASK_DONE = Fast(update(human_tasks).where(human_tasks.c.id == bindparam("b_id")))
_SAVE = Fast(update(instances).where(instances.c.id == bindparam("b_id"),
                                     instances.c.lock_version == bindparam("b_expected")))


def _locked_task(conn: Connection, task_uuid: str):
    """The open task with its case row, read after the case is locked for this transaction."""
    if not _is_uuid(task_uuid):
        raise NotFound.of("task_id_invalid", task=task_uuid)
    # PostgreSQL: every writer locks the case before its task rows (timers, claims, cancel do too), so
    # this order cannot deadlock; the task is then read by a fresh statement that sees committed rows.
    if conn.dialect.name == "postgresql" and \
            _LOCK_CASE_OF_TASK.execute(conn, {"b_uuid": str(task_uuid)}).scalar() is None:
        raise NotFound.of("task_not_found", task=task_uuid)
    row = _TASK_AND_CASE.execute(conn, {"b_uuid": str(task_uuid)}).first()
    if row is None:
        raise NotFound.of("task_not_found", task=task_uuid)
    if row.task_state not in (TaskStatus.READY.value, TaskStatus.CLAIMED.value):
        if row.completed_by:
            raise ConflictError.of("task_closed_by", step=row.name, state=row.task_state, user=row.completed_by)
        raise ConflictError.of("task_closed", step=row.name, state=row.task_state)
    return row


def _is_uuid(text: Any) -> bool:
    try:
        UUID(str(text))
    except ValueError:
        return False
    return True


def _open_case(db: Database, conn: Connection, instance_id: int, clock: Clock | None = None) -> _Case:
    """Lock the instance row and get its workflow (its timers reading `clock`)."""
    stmt = _CASE_LOCKED if conn.dialect.name == "postgresql" else _CASE
    row = conn.execute(stmt, {"b_id": instance_id}).first()
    if row is None:
        raise NotFound.of("instance_not_found", instance=instance_id)
    return _case_of(db, conn, row, clock)


def _case_of(db: Database, conn: Connection, row, clock: Clock | None = None) -> _Case:
    """The case's procedure and workflow (from the live cache when it is current), timers on `clock`."""
    if row.status != InstanceStatus.RUNNING.value:
        raise ConflictError.of("case_not_running", case=row.business_key, status=row.status)
    procedure = db.procedures.get(conn, row.definition_id)
    workflow = db.live.take(row.id, row.lock_version)
    if workflow is None:
        calendar = timers.calendar_for(conn, row.unit_id, procedure)
        workflow = load_state(row.state, procedure, script_engine(clock, calendar))
    elif clock is not None:
        workflow.script_engine.clock = clock
    return _Case(row, procedure, workflow, row.path)


def _check_may_work(conn: Connection, case: _Case, task, actor: str, now: dt.datetime) -> dict[str, Any]:
    """Refuse an actor who may not do the step; else say by what right they do it, for the event log.

    The roles held now are recorded with the completion, so an audit years later judges the step by
    them and not by the roles the person holds by then; a substitute's completion names the absent user.
    """
    member = organisation.memberships_of(conn, actor)
    held = {"held": sorted({f"{m.role}@{m.unit_code}" for m in member})}
    paths = organisation.unit_paths(conn, task.roles) if "@" in task.roles else {}
    if may_work(actor, member, task.roles, task.assignee, case.scope_path, paths):
        return held
    absent = substitutes.stands_in(conn, actor, task.roles, task.assignee, case.scope_path, paths, now)
    if absent is None:
        if task.assignee:
            raise PermissionDenied.of("may_not_do_assigned", actor=actor, step=task.name, assignee=task.assignee)
        raise PermissionDenied.of("may_not_do_role", actor=actor, step=task.name, roles=task.roles or "any")
    return {**held, "for": absent}


def _start_unit(conn: Connection, actor: str, unit: str | None, ready: list[runner.ReadyStep]):
    """The agency the case belongs to: given, or the actor's agency where they may do the first step."""
    member = organisation.memberships_of(conn, actor)
    if not member:
        raise PermissionDenied.of("no_role_to_start", actor=actor)
    if unit is not None:
        candidates = [organisation.unit_by_code(conn, unit)]
    else:
        paths = list(dict.fromkeys(m.agency_path for m in member))
        found = (_UNIT_AT.execute(conn, {"b_path": p}).first() for p in paths)
        candidates = [row for row in found if row is not None]
    roles = ",".join(sorted({r for s in ready for r in s.roles}))
    unit_paths = organisation.unit_paths(conn, roles) if "@" in roles else {}
    for agency in candidates:
        if not ready or any(may_work(actor, member, ",".join(s.roles), s.assignee, agency.path, unit_paths)
                            for s in ready):
            return agency
    raise PermissionDenied.of("may_not_start", actor=actor, roles=roles or "?")


def _save(conn: Connection, row, procedure: Procedure, workflow: BpmnWorkflow, changes: Changes,
          now: dt.datetime, actor: str | None, status: InstanceStatus | None = None) -> tuple[str, str | None]:
    """Write state, events and status with an optimistic lock check; return (status, end event)."""
    end = None
    if status is None and workflow.is_completed():
        status = InstanceStatus.COMPLETED
        ends = runner.finished_ends(procedure, workflow)
        end = ends[-1] if ends else None
        changes.events.append(Event(procedure.process_id, "case_complete", now, actor, procedure.name,
                                    {"end_event": end}))
    if status is not None:
        check_instance_transition(row.status, status)
    approval.on_save(conn, row, procedure, workflow, changes, now, actor, status)  # QT-ISO-01 cases only
    chain = append(conn, row.id, Chain(row.event_count, row.event_head or Chain().head), changes.events)
    timers.index_timers(conn, row.id, workflow, now, procedure)
    values = {"state": dump_state(workflow), "lock_version": row.lock_version + 1, "updated_at": now,
              "event_count": chain.count, "event_head": chain.head}
    if status is not None:
        values.update(status=status.value, completed_at=now, end_event=end)
    result = _SAVE.execute(conn, {"b_id": row.id, "b_expected": row.lock_version, **values})
    if result.rowcount != 1:
        raise ConflictError.of("case_changed", case=row.business_key)
    return (status or InstanceStatus(row.status)).value, end


def lock_case(db: Database, conn: Connection, instance_id: int, clock: Clock | None = None):
    """Lock a running case for another use case (migration): its row, procedure and workflow."""
    case = _open_case(db, conn, instance_id, clock)
    return case.row, case.procedure, case.workflow


def save_case(conn: Connection, row, procedure: Procedure, workflow: BpmnWorkflow, events: list[Event],
              now: dt.datetime, actor: str | None) -> str:
    """Save a case another use case moved: state, events chained to its log, lock version checked."""
    return _save(conn, row, procedure, workflow, Changes(events=list(events)), now, actor)[0]


def restore_state(conn: Connection, row, procedure: Procedure, workflow: BpmnWorkflow, state: str,
                  definition_id: int, events: list[Event], now: dt.datetime) -> int:
    """Put back a case's exact earlier state text and definition (undoing a migration); return the lock version."""
    chain = append(conn, row.id, Chain(row.event_count, row.event_head or Chain().head), events)
    timers.index_timers(conn, row.id, workflow, now, procedure)
    values = {"state": state, "definition_id": definition_id, "lock_version": row.lock_version + 1,
              "updated_at": now, "event_count": chain.count, "event_head": chain.head}
    if _SAVE.execute(conn, {"b_id": row.id, "b_expected": row.lock_version, **values}).rowcount != 1:
        raise ConflictError.of("case_changed", case=row.business_key)
    return row.lock_version + 1
