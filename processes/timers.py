"""Timer jobs: every waiting BPMN timer indexed by due time, and firing the due ones exactly once.

``index_timers`` runs inside every save (instances._save): the ``timer_jobs`` rows of a case mirror
the timers its workflow waits on (new ones inserted, moved ones updated, gone ones deleted), in the
same transaction as the state, so the index never disagrees with a committed workflow.

``fire_due`` is what a scheduler calls. It *claims* due jobs in one short transaction (PostgreSQL:
``SELECT … FOR UPDATE SKIP LOCKED``; SQLite: the single writer of BEGIN IMMEDIATE), setting
``claimed_by`` and ``claim_expires_at``; then fires each job in a transaction of its own: lock the
case, check the claim is still ours, fire the timer on the injected clock, run the workflow on,
record the task rows and events as ``complete`` does, save (which deletes the job). A worker that
dies leaves its claim to expire and another worker takes the job; a job that fails records
``attempts``/``last_error`` and backs off without holding up the others. Lock order is always
case then job, as in the user-facing use cases, so firing never deadlocks with a completion.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import TaskState
from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from engine import runner
from engine import timers as engine_timers
from engine.calendar import WorkingCalendar, default_calendar
from engine.parsing import Procedure

from . import instances
from .clock import Clock
from .db import Database
from .eventlog import Event
from .projection import Changes, auto_events, sync_tasks
from .schema import instances as instances_table
from .schema import timer_jobs
from .statuses import InstanceStatus

log = logging.getLogger("quytrinh.timers")

BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
_FIRED_STATES = (TaskState.COMPLETED, TaskState.READY, TaskState.STARTED)

_JOBS_OF = select(timer_jobs.c.id, timer_jobs.c.task_uuid, timer_jobs.c.due_at).where(
    timer_jobs.c.instance_id == bindparam("b_instance"))
_MOVE = update(timer_jobs).where(timer_jobs.c.id == bindparam("b_id")).values(
    due_at=bindparam("b_due"), claimed_by=None, claim_expires_at=None, attempts=0, last_error=None)
_HAS_TIMERS: dict[tuple[str, str], bool] = {}


class TimerNotDue(RuntimeError):
    """A claimed job's timer did not fire: the workflow says it is not due yet."""


@dataclass(frozen=True)
class ClaimedJob:
    """A timer job this worker has claimed until ``claim_expires_at``."""

    id: int
    instance_id: int
    task_uuid: str
    element_id: str
    due_at: dt.datetime
    attempts: int


def calendar_for(conn: Connection, unit_id: int | None, procedure: Procedure | None = None) -> WorkingCalendar:
    """The working calendar the timers of a case of unit ``unit_id`` count on (its agency's calendar)."""
    if procedure is not None and not procedure_has_timers(procedure):
        return default_calendar()  # nothing will read it: spare the lookup
    store = _optional("processes.calendar_store")  # per-agency calendars
    return store.calendar_for(conn, unit_id) if store is not None else default_calendar()


def _optional(module: str) -> Any | None:
    """A sibling module being written alongside this one (None until it exists)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


def procedure_has_timers(procedure: Procedure) -> bool:
    """True when the procedure has a timer event anywhere (cached per definition)."""
    key = (procedure.sha256, procedure.process_id)
    found = _HAS_TIMERS.get(key)
    if found is None:
        found = _HAS_TIMERS[key] = engine_timers.has_timers(procedure.spec, procedure.subprocess_specs)
    return found


# ---- the index --------------------------------------------------------------------------------

def index_timers(conn: Connection, instance_id: int, workflow: BpmnWorkflow, now: dt.datetime,
                 procedure: Procedure | None = None) -> None:
    """Make the case's timer_jobs rows mirror the timers its workflow waits on."""
    if procedure is not None and not procedure_has_timers(procedure):
        return  # no timer anywhere in the model: nothing to index, no query on the hot path
    wanted = {str(t.task_id): t for t in engine_timers.pending_timers(workflow, now)}
    existing = {r.task_uuid: r for r in conn.execute(_JOBS_OF, {"b_instance": instance_id})}
    gone = [row.id for uuid, row in existing.items() if uuid not in wanted]
    if gone:
        conn.execute(delete(timer_jobs).where(timer_jobs.c.id.in_(gone)))
    new = [{"instance_id": instance_id, "task_uuid": uuid, "due_at": timer.due, "attempts": 0,
            "element_id": procedure.element_id(timer.spec_name) if procedure else timer.spec_name}
           for uuid, timer in wanted.items() if uuid not in existing]
    if new:
        conn.execute(insert(timer_jobs), new)
    moved = [{"b_id": row.id, "b_due": wanted[uuid].due} for uuid, row in existing.items()
             if uuid in wanted and row.due_at != wanted[uuid].due
             and not (row.due_at <= now and wanted[uuid].due <= now)]
    if moved:
        conn.execute(_MOVE, moved)


def jobs_of(conn: Connection, instance_id: int | None = None) -> list[Any]:
    """Timer job rows (of one case, or all) in due order."""
    query = select(timer_jobs).order_by(timer_jobs.c.due_at, timer_jobs.c.id)
    if instance_id is not None:
        query = query.where(timer_jobs.c.instance_id == instance_id)
    return list(conn.execute(query))


def next_due(db: Database) -> dt.datetime | None:
    """The earliest due instant of any job (None when no timer waits)."""
    with db.read() as conn:
        return conn.execute(select(timer_jobs.c.due_at).order_by(timer_jobs.c.due_at).limit(1)).scalar()


# ---- claiming and firing ----------------------------------------------------------------------

def claim_due(db: Database, clock: Clock, worker_id: str, limit: int = 100,
              claim_seconds: float = 60) -> list[ClaimedJob]:
    """Claim up to ``limit`` due, unclaimed (or expired) jobs for ``worker_id``, earliest first."""
    now = clock.now()
    with db.write() as conn:
        query = (select(timer_jobs.c.id)
                 .where(timer_jobs.c.due_at <= now,
                        or_(timer_jobs.c.claim_expires_at.is_(None), timer_jobs.c.claim_expires_at <= now))
                 .order_by(timer_jobs.c.due_at, timer_jobs.c.id).limit(limit))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return []
        conn.execute(update(timer_jobs).where(timer_jobs.c.id.in_(ids)).values(
            claimed_by=worker_id, claim_expires_at=now + dt.timedelta(seconds=claim_seconds),
            attempts=timer_jobs.c.attempts + 1))
        rows = conn.execute(select(timer_jobs).where(timer_jobs.c.id.in_(ids))
                            .order_by(timer_jobs.c.due_at, timer_jobs.c.id))
        return [ClaimedJob(r.id, r.instance_id, r.task_uuid, r.element_id, r.due_at, r.attempts) for r in rows]


def fire_due(db: Database, clock: Clock, worker_id: str, limit: int = 100, claim_seconds: float = 60) -> int:
    """Claim due jobs and fire each in its own transaction; return how many timers fired."""
    fired = 0
    for job in claim_due(db, clock, worker_id, limit, claim_seconds):
        try:
            fired += fire_job(db, clock, worker_id, job)
        except Exception as exc:  # one bad job must not stop the others
            log.warning("timer job %s (%s of case %s) failed: %s", job.id, job.element_id, job.instance_id,
                        exc, exc_info=not isinstance(exc, TimerNotDue))
            _record_failure(db, clock, worker_id, job, exc)
    return fired


def fire_job(db: Database, clock: Clock, worker_id: str, job: ClaimedJob) -> int:
    """Fire one claimed job; return the number of timers that fired (0 if the job was stale or taken)."""
    now = clock.now()
    with db.write() as conn:
        status = conn.execute(select(instances_table.c.status)
                              .where(instances_table.c.id == job.instance_id)).scalar()
        if status != InstanceStatus.RUNNING.value:
            conn.execute(delete(timer_jobs).where(timer_jobs.c.id == job.id))
            return 0
        case = instances._open_case(db, conn, job.instance_id, clock)  # locks the case first
        mine = select(timer_jobs.c.id).where(timer_jobs.c.id == job.id, timer_jobs.c.claimed_by == worker_id)
        if conn.dialect.name == "postgresql":
            mine = mine.with_for_update()
        task = _timer_task(case.workflow, job.task_uuid)
        if conn.execute(mine).first() is None or task is None:
            if task is None:
                conn.execute(delete(timer_jobs).where(timer_jobs.c.id == job.id))
            fired = None
        else:
            fired = _fire(conn, case, job, task, now, worker_id)
    db.live.put(case.row.id, case.row.lock_version + (1 if fired else 0), case.workflow)
    return fired or 0


def _timer_task(workflow: BpmnWorkflow, task_uuid: str) -> Any | None:
    try:
        task = workflow.get_task_from_id(UUID(task_uuid))
    except Exception:  # SpiffWorkflow raises its own not-found error
        return None
    return task if task is not None and task.state in (TaskState.WAITING, TaskState.READY) else None


def _fire(conn: Connection, case: Any, job: ClaimedJob, task: Any, now: dt.datetime, worker_id: str) -> int:
    """Fire what is due in the case, log it, sync the task rows and save."""
    procedure, workflow = case.procedure, case.workflow
    pending = [(timer, workflow.get_task_from_id(timer.task_id))
               for timer in engine_timers.pending_timers(workflow, now)]
    before_state = {timer.task_id: engine_timers.timer_state(t) for timer, t in pending}
    before = {str(s.task_id): s.element_id for s in runner.ready_steps(procedure, workflow)}
    auto = instances._run(lambda: engine_timers.advance_timers(procedure, workflow))
    fired = [(timer, t) for timer, t in pending
             if engine_timers.timer_state(t) != before_state[timer.task_id]
             and (t.state in _FIRED_STATES or t.state == TaskState.WAITING)]
    if task.id not in {timer.task_id for timer, _ in fired}:
        raise TimerNotDue(f"timer {job.element_id} is not due at {now.isoformat()} (job due {job.due_at})")
    changes = Changes(events=[
        Event(procedure.element_id(timer.spec_name), "timer", now, None, timer.name,
              {"task": str(timer.task_id), "due": timer.due.isoformat(), "kind": timer.kind,
               "interrupting": timer.interrupting, "worker": worker_id})
        for timer, _ in fired])
    changes.events.extend(auto_events(auto, now))
    sync_tasks(conn, case.row.id, case.row.unit_id, runner.ready_steps(procedure, workflow), before, now,
               None, changes)
    dossiers = _optional("processes.dossiers")  # the dossier's SLA follows every move of its workflow
    if dossiers is not None:
        dossiers.on_move(conn, case.row, procedure, workflow.is_completed(), auto, now, None, changes)
    if changes.opened:
        first = fired[0][0]
        changes.events.append(Event(procedure.element_id(first.spec_name), "escalate", now, None, first.name, {
            "timer": str(first.task_id), "withdrawn": list(changes.cancelled),
            "opened": [{"task": str(s.task_id), "element": s.element_id, "roles": list(s.roles)}
                       for s in changes.opened]}))
    instances._save(conn, case.row, procedure, workflow, changes, now, None)
    return len(fired)


def _record_failure(db: Database, clock: Clock, worker_id: str, job: ClaimedJob, exc: Exception) -> None:
    """Release a failed job with its error and a back-off that doubles with every attempt."""
    now = clock.now()
    delay = min(BACKOFF_SECONDS * 2 ** max(job.attempts - 1, 0), MAX_BACKOFF_SECONDS)
    try:
        with db.write() as conn:
            conn.execute(update(timer_jobs).where(timer_jobs.c.id == job.id, timer_jobs.c.claimed_by == worker_id)
                         .values(claimed_by=None, claim_expires_at=now + dt.timedelta(seconds=delay),
                                 last_error=f"{type(exc).__name__}: {exc}"[:2000]))
    except Exception:  # the claim expires by itself; keep the scheduler alive
        log.exception("could not record the failure of timer job %s", job.id)
