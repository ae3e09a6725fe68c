"""Case use cases: start, complete a step, cancel; and the public cores other use cases build on.

Each use case is a core taking a unit of work (``start_in``, ``complete_in``, ``cancel_in``) and a thin
wrapper that opens one (``start``, ``complete``, ``cancel``). Use cases that move a case some other way
(a timer firing, a dossier withdrawn, a migration) lock it with ``open_case`` and save it with
``save_case`` inside their own unit of work. What dossiers, approval cases and the timer index do on
the way is declared in processes.lifecycle, not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, bindparam, insert, select, update

from engine import runner
from engine.calendar import WorkingCalendar, default_calendar
from engine.errors import FormInvalid, StepFailed, TaskNotReady
from engine.forms import validate_free_data
from engine.parsing import Procedure
from engine.scripting import RestrictedScriptEngine
from engine.state import STATE_VERSION, StateVersionError, dump_state, load_state

from . import catalog, decisions, lifecycle, organisation, signatures, sla, step_times, substitutes, timer_index
from .assignment import may_lead, may_work
from .calendar_store import calendar_for
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from .eventlog import Chain, Event, append
from .fastsql import Fast
from .handlers import registered
from .inserted import inserted_id
from .keys import next_business_key
from .projection import CaseMove, Changes, auto_events, open_tasks, sync_tasks
from .schema import human_tasks, instances, units
from .statuses import InstanceStatus, TaskStatus, check_instance_transition
from .uow import UnitOfWork, unit_of_work

_T = TypeVar("_T")


@dataclass(frozen=True)
class Moved:
    """The outcome of a use case that moved a case: its key, status and the steps now open."""

    instance_id: int
    business_key: str
    status: str
    opened: list[runner.ReadyStep]
    end_event: str | None = None


@dataclass
class Case:
    """A running case locked for this unit of work: its row, procedure and workflow (moved in memory)."""

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
    with unit_of_work(db) as uow:
        return start_in(uow, code, data, actor, clock, unit)


def start_in(uow: UnitOfWork, code: str, data: dict[str, Any], actor: str, clock: Clock,
             unit: str | None = None) -> Moved:
    """Start a case inside `uow` (see start)."""
    try:
        data = validate_free_data(data)
    except FormInvalid as exc:
        raise InvalidInput.of("start_data_invalid", exc.errors) from None
    now = clock.now()
    conn = uow.conn
    definition = catalog.active_definition(conn, code)
    procedure = uow.procedure(definition.id)
    workflow, auto = engine_step(lambda: runner.new_workflow(procedure, data, script_engine(clock)))
    ready = runner.ready_steps(procedure, workflow)
    agency = _start_unit(conn, actor, unit, ready)
    # Internal cases (approvals, CAPA…) are numbered apart: citizens' dossier numbers stay gapless.
    internal = procedure.info.properties.get("level") == catalog.INTERNAL_LEVEL
    key = next_business_key(conn, f"{agency.code}-NB" if internal else agency.code, now)
    values = {"business_key": key, "definition_id": definition.id, "unit_id": agency.id,
              "status": InstanceStatus.RUNNING.value, "state": "{}", "state_version": STATE_VERSION,
              "lock_version": 1, "started_by": actor, "created_at": now, "updated_at": now}
    instance_id = inserted_id(conn.execute(_NEW_INSTANCE, values))
    changes = Changes(events=[Event(procedure.process_id, "case_start", now, actor, procedure.name,
                                    {"business_key": key, "version": definition.version})])
    changes.events.extend(auto_events(auto, now))
    sync_tasks(conn, instance_id, agency.id, ready, {}, now, actor, changes)
    case = Case(_inserted_row(instance_id, values), procedure, workflow, agency.path)
    lifecycle.started(CaseMove(conn, case.row, procedure, workflow, changes, now, actor, auto, data))
    status, end = save_case(uow, case, changes, now, actor)
    return Moved(instance_id, key, status, changes.opened, end)


def _inserted_row(instance_id: int, values: dict[str, Any]) -> SimpleNamespace:
    """The row just inserted, as the database now holds it (every column: given, else its default)."""
    row = {c.name: _scalar_default(c.default) for c in instances.columns}
    return SimpleNamespace(**{**row, **values, "id": instance_id})


def _scalar_default(default: Any) -> Any:
    """A column's constant default (None when it has none, or when the database or a function makes it)."""
    arg = getattr(default, "arg", None)
    return None if callable(arg) else arg


def complete(db: Database, task_uuid: str, data: dict[str, Any], actor: str, clock: Clock) -> Moved:
    """Complete a ready step as `actor` with form data; the workflow moves on in the same transaction."""
    with unit_of_work(db) as uow:
        return complete_in(uow, task_uuid, data, actor, clock)


def complete_in(uow: UnitOfWork, task_uuid: str, data: dict[str, Any], actor: str, clock: Clock) -> Moved:
    """Complete a step inside `uow` (see complete)."""
    now = clock.now()
    conn = uow.conn
    task, case, authority, cleaned = _prepared(uow, task_uuid, data, actor, clock, now)
    # A step that signs something (camunda:property sign) completes only with its performer's signature.
    # (the attachment store's path is worked out only for such a step: it costs file-system calls)
    if signatures.sign_kind(case.workflow, task_uuid) is not None:
        signatures.check_signed(conn, case.workflow, case.row.id, task_uuid, actor, root=uow.db.attachments_root,
                                data=cleaned, fields=runner.form_field_ids(case.procedure, case.workflow,
                                                                           UUID(task_uuid)))
    # The open task rows always mirror the workflow's ready steps as last saved.
    before = {str(s.task_id): s.element_id for s in runner.ready_steps(case.procedure, case.workflow)}
    auto = engine_step(lambda: runner.complete_step(case.procedure, case.workflow, UUID(task_uuid), cleaned))
    # The step's own result against its time limit (early / on time / late) is decided here, once.
    # Its office time is kept with it too, so that reports add up stored numbers (processes/step_times.py).
    calendar = calendar_for(conn, case.row.unit_id)
    result = sla.classify(calendar, now, task.task_due_at)
    _TASK_DONE.execute(conn, {"b_id": task.task_id, "state": TaskStatus.COMPLETED.value, "completed_at": now,
                              "completed_by": actor, "assignee": actor, "sla_state": None,
                              "next_check_at": None, "result": result.value if result else None,
                              "worked_seconds": step_times.worked(calendar, task.task_created_at, now)})
    before.pop(task_uuid, None)
    changes = Changes(events=[Event(task.element_id, "complete", now, actor, task.name,
                                    {"task": task_uuid, "data": cleaned, **authority})])
    changes.events.extend(auto_events(auto, now))
    sync_tasks(conn, case.row.id, case.row.unit_id, runner.ready_steps(case.procedure, case.workflow),
               before, now, actor, changes)
    lifecycle.moved(CaseMove(conn, case.row, case.procedure, case.workflow, changes, now, actor, auto, cleaned,
                             task))
    status, end = save_case(uow, case, changes, now, actor)
    return Moved(case.row.id, case.row.business_key, status, changes.opened, end)


def signature_due(db: Database, task_uuid: str, data: dict[str, Any], actor: str, clock: Clock) -> str | None:
    """What completing the step with `data` must be signed with (signatures.must_sign over the same case data
    and cleaned form complete_in checks), or None; writes nothing. For a use case that makes the signature
    before it completes the step (approval_signing.decide), so that it and the check decide alike."""
    with unit_of_work(db) as uow:
        _task, case, _authority, cleaned = _prepared(uow, task_uuid, data, actor, clock, clock.now())
        uow.keep_workflow(case.row.id, case.row.lock_version, case.workflow)  # unchanged: back to the cache
        return signatures.must_sign(case.workflow, task_uuid, cleaned,
                                    runner.form_field_ids(case.procedure, case.workflow, UUID(task_uuid)))


def _prepared(uow: UnitOfWork, task_uuid: str, data: dict[str, Any], actor: str, clock: Clock,
              now: dt.datetime) -> tuple[Any, Case, dict[str, Any], dict[str, Any]]:
    """The locked task and case, the actor's right to do the step, and the step's form cleaned."""
    task = _locked_task(uow.conn, task_uuid)
    case = _case_of(uow, task, clock)
    authority = _check_may_work(uow.conn, case, task, actor, now)
    # Facts (received, notified, today) are read only for a form whose rules compare with them.
    facts = decisions.case_facts(uow.conn, case.row.id, now) \
        if runner.needs_case_facts(case.procedure, case.workflow, UUID(task_uuid)) else None
    try:
        cleaned = runner.clean_step_data(case.procedure, case.workflow, UUID(task_uuid), data, facts)
    except FormInvalid as exc:
        raise InvalidInput.of("form_invalid", exc.errors, step=task.name) from None
    return task, case, authority, cleaned


def cancel(db: Database, instance_id: int, actor: str, clock: Clock, reason: str = "") -> None:
    """Cancel a running case: its open steps are withdrawn and nothing more can happen to it."""
    with unit_of_work(db) as uow:
        cancel_in(uow, instance_id, actor, clock, reason)


def cancel_in(uow: UnitOfWork, instance_id: int, actor: str, clock: Clock, reason: str = "") -> None:
    """Cancel a case inside `uow` (see cancel)."""
    now = clock.now()
    conn = uow.conn
    case = open_case(uow, instance_id, clock)
    if case.row.started_by != actor and not may_lead(organisation.memberships_of(conn, actor),
                                                     case.scope_path, whole_case=True):
        raise PermissionDenied.of("may_not_cancel", actor=actor, case=case.row.business_key)
    check_instance_transition(case.row.status, InstanceStatus.CANCELLED)
    case.workflow.cancel()
    changes = Changes()
    sync_tasks(conn, instance_id, case.row.unit_id, [], open_tasks(conn, instance_id), now, actor, changes)
    changes.events.append(Event(case.procedure.process_id, "case_cancel", now, actor, case.procedure.name,
                                {"reason": reason}))
    save_case(uow, case, changes, now, actor, status=InstanceStatus.CANCELLED)


def engine_step(step: Callable[[], _T]) -> _T:
    """Run an engine step, its refusals turned into the errors use cases raise."""
    try:
        return step()
    except TaskNotReady as exc:
        raise ConflictError(str(exc)) from None
    except StepFailed as exc:
        raise InvalidInput.of("procedure_cannot_continue", detail=str(exc)) from None


_TASK_AND_CASE = Fast(
    select(human_tasks.c.id.label("task_id"), human_tasks.c.element_id, human_tasks.c.name, human_tasks.c.roles,
           human_tasks.c.assignee, human_tasks.c.state.label("task_state"), human_tasks.c.completed_by,
           human_tasks.c.due_at.label("task_due_at"), human_tasks.c.created_at.label("task_created_at"),
           instances, units.c.path, units.c.agency_path)
    .join(instances, instances.c.id == human_tasks.c.instance_id)
    .join(units, units.c.id == instances.c.unit_id)
    .where(human_tasks.c.task_uuid == bindparam("b_uuid"))
)
_NEW_INSTANCE = insert(instances)
_UNIT_AT = Fast(select(units).where(units.c.path == bindparam("b_path")))
_LOCK_CASE_OF_TASK = Fast(select(instances.c.id).where(instances.c.id == select(human_tasks.c.instance_id).where(
    human_tasks.c.task_uuid == bindparam("b_uuid")).scalar_subquery()).with_for_update())
_CASE = (select(instances, units.c.path, units.c.agency_path).join(units, units.c.id == instances.c.unit_id)
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


def open_case(uow: UnitOfWork, instance_id: int, clock: Clock | None = None) -> Case:
    """Lock a running case for this unit of work and get its workflow (its timers reading `clock`)."""
    stmt = _CASE_LOCKED if uow.conn.dialect.name == "postgresql" else _CASE
    row = uow.conn.execute(stmt, {"b_id": instance_id}).first()
    if row is None:
        raise NotFound.of("instance_not_found", instance=instance_id)
    return _case_of(uow, row, clock)


def _case_of(uow: UnitOfWork, row: Any, clock: Clock | None = None) -> Case:
    """The case's procedure and workflow (from the live cache when it is current), timers on `clock`."""
    if row.status != InstanceStatus.RUNNING.value:
        raise ConflictError.of("case_not_running", case=row.business_key, status=row.status)
    procedure = uow.procedure(row.definition_id)
    workflow = uow.take_workflow(row.id, row.lock_version)
    if workflow is None:
        calendar = timer_index.calendar_for(uow.conn, row.unit_id, procedure)
        try:
            workflow = load_state(row.state, procedure, script_engine(clock, calendar))
        except StateVersionError as exc:  # not the officer's doing: the case waits for the administrator
            raise ConflictError.of("case_state_unreadable", case=row.business_key, reason=str(exc)) from None
    elif clock is not None:
        workflow.script_engine.clock = clock
    return Case(row, procedure, workflow, row.path)


def _check_may_work(conn: Connection, case: Case, task, actor: str, now: dt.datetime) -> dict[str, Any]:
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


def save_case(uow: UnitOfWork, case: Case, changes: Changes, now: dt.datetime, actor: str | None,
              status: InstanceStatus | None = None) -> tuple[str, str | None]:
    """Save a case moved in this unit of work: listeners, events, state and status, lock version checked.

    Returns (status, end event). The workflow is staged for the live cache at the new lock version;
    the cache gets it only if the unit of work commits.
    """
    row, procedure, workflow = case.row, case.procedure, case.workflow
    end = None
    if status is None and workflow.is_completed():
        status = InstanceStatus.COMPLETED
        ends = runner.finished_ends(procedure, workflow)
        end = ends[-1] if ends else None
        changes.events.append(Event(procedure.process_id, "case_complete", now, actor, procedure.name,
                                    {"end_event": end}))
    if status is not None:
        check_instance_transition(row.status, status)
    lifecycle.saving(CaseMove(uow.conn, row, procedure, workflow, changes, now, actor, status=status))
    chain = append(uow.conn, row.id, Chain(row.event_count, row.event_head or Chain().head), changes.events)
    values = {"state": dump_state(workflow), "state_version": STATE_VERSION, "lock_version": row.lock_version + 1,
              "updated_at": now, "event_count": chain.count, "event_head": chain.head}
    if status is not None:
        values.update(status=status.value, completed_at=now, end_event=end)
    _write(uow, row, values)
    uow.keep_workflow(row.id, row.lock_version + 1, workflow)
    return (status or InstanceStatus(row.status)).value, end


def restore_state(uow: UnitOfWork, case: Case, state: str, definition_id: int, events: list[Event],
                  now: dt.datetime) -> int:
    """Put back a case's exact earlier state text (undoing a migration); return the new lock version.

    `case` carries the row as locked and the procedure and workflow the state text reads back to.
    Only the timer index follows: the text is stored byte for byte, not re-dumped from the workflow.
    """
    row = case.row
    chain = append(uow.conn, row.id, Chain(row.event_count, row.event_head or Chain().head), events)
    timer_index.index_timers(uow.conn, row.id, case.workflow, now, case.procedure)
    _write(uow, row, {"state": state, "definition_id": definition_id, "lock_version": row.lock_version + 1,
                      "updated_at": now, "event_count": chain.count, "event_head": chain.head})
    uow.keep_workflow(row.id, row.lock_version + 1, case.workflow)
    return row.lock_version + 1


def _write(uow: UnitOfWork, row: Any, values: dict[str, Any]) -> None:
    if _SAVE.execute(uow.conn, {"b_id": row.id, "b_expected": row.lock_version, **values}).rowcount != 1:
        raise ConflictError.of("case_changed", case=row.business_key)
