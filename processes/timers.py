"""Timer jobs: firing the due ones exactly once.

The index itself (``timer_jobs`` rows kept by every case save) is processes.timer_index.

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
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import TaskState
from sqlalchemy import Connection, delete, or_, select, update

from engine import runner
from engine import timers as engine_timers

from . import instances, lifecycle
from .clock import Clock
from .db import Database
from .eventlog import Event
from .projection import CaseMove, Changes, auto_events, sync_tasks
from .schema import instances as instances_table
from .schema import timer_jobs
from .statuses import InstanceStatus
from .uow import UnitOfWork, unit_of_work

log = logging.getLogger("quytrinh.timers")

BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
_FIRED_STATES = (TaskState.COMPLETED, TaskState.READY, TaskState.STARTED)


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
    with unit_of_work(db) as uow:
        return fire_job_in(uow, clock, worker_id, job)


def fire_job_in(uow: UnitOfWork, clock: Clock, worker_id: str, job: ClaimedJob) -> int:
    """Fire one claimed job inside `uow` (see fire_job)."""
    now = clock.now()
    conn = uow.conn
    status = conn.execute(select(instances_table.c.status)
                          .where(instances_table.c.id == job.instance_id)).scalar()
    if status != InstanceStatus.RUNNING.value:
        conn.execute(delete(timer_jobs).where(timer_jobs.c.id == job.id))
        return 0
    case = instances.open_case(uow, job.instance_id, clock)  # locks the case first
    mine = select(timer_jobs.c.id).where(timer_jobs.c.id == job.id, timer_jobs.c.claimed_by == worker_id)
    if conn.dialect.name == "postgresql":
        mine = mine.with_for_update()
    task = _timer_task(case.workflow, job.task_uuid)
    if conn.execute(mine).first() is None or task is None:
        if task is None:
            conn.execute(delete(timer_jobs).where(timer_jobs.c.id == job.id))
        # Nothing moved: the workflow taken from the cache goes back as it was.
        uow.keep_workflow(case.row.id, case.row.lock_version, case.workflow)
        return 0
    return _fire(uow, case, job, task, now, worker_id)


def _timer_task(workflow: BpmnWorkflow, task_uuid: str) -> Any | None:
    try:
        task = workflow.get_task_from_id(UUID(task_uuid))
    except Exception:  # SpiffWorkflow raises its own not-found error
        return None
    return task if task is not None and task.state in (TaskState.WAITING, TaskState.READY) else None


def _fire(uow: UnitOfWork, case: instances.Case, job: ClaimedJob, task: Any, now: dt.datetime,
          worker_id: str) -> int:
    """Fire what is due in the case, log it, sync the task rows and save."""
    conn, procedure, workflow = uow.conn, case.procedure, case.workflow
    pending = [(timer, workflow.get_task_from_id(timer.task_id))
               for timer in engine_timers.pending_timers(workflow, now)]
    before_state = {timer.task_id: engine_timers.timer_state(t) for timer, t in pending}
    before = {str(s.task_id): s.element_id for s in runner.ready_steps(procedure, workflow)}
    auto = instances.engine_step(lambda: engine_timers.advance_timers(procedure, workflow))
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
    lifecycle.moved(CaseMove(conn, case.row, procedure, workflow, changes, now, None, auto))
    if changes.opened:
        first = fired[0][0]
        changes.events.append(Event(procedure.element_id(first.spec_name), "escalate", now, None, first.name, {
            "timer": str(first.task_id), "withdrawn": list(changes.cancelled),
            "opened": [{"task": str(s.task_id), "element": s.element_id, "roles": list(s.roles)}
                       for s in changes.opened]}))
    instances.save_case(uow, case, changes, now, None)
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
