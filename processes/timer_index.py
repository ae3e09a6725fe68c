"""The timer index: every waiting BPMN timer of a running case, by due time (the ``timer_jobs`` rows).

``on_save`` is a case lifecycle listener (declared in processes.lifecycle): inside every case save the
``timer_jobs`` rows of the case are made to mirror the timers its workflow waits on (new ones inserted,
moved ones updated, gone ones deleted), in the same transaction as the state, so the index never
disagrees with a committed workflow. Firing the due ones is processes.timers.
"""

from __future__ import annotations

import datetime as dt

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from engine import timers as engine_timers
from engine.calendar import WorkingCalendar, default_calendar
from engine.parsing import Procedure

from . import calendar_store
from .projection import CaseMove
from .schema import timer_jobs

_JOBS_OF = select(timer_jobs.c.id, timer_jobs.c.task_uuid, timer_jobs.c.due_at).where(
    timer_jobs.c.instance_id == bindparam("b_instance"))
_MOVE = update(timer_jobs).where(timer_jobs.c.id == bindparam("b_id")).values(
    due_at=bindparam("b_due"), claimed_by=None, claim_expires_at=None, attempts=0, last_error=None)
_HAS_TIMERS: dict[tuple[str, str], bool] = {}


def calendar_for(conn: Connection, unit_id: int | None, procedure: Procedure | None = None) -> WorkingCalendar:
    """The working calendar the timers of a case of unit ``unit_id`` count on (its agency's calendar)."""
    if procedure is not None and not procedure_has_timers(procedure):
        return default_calendar()  # nothing will read it: spare the lookup
    return calendar_store.calendar_for(conn, unit_id)


def procedure_has_timers(procedure: Procedure) -> bool:
    """True when the procedure has a timer event anywhere (cached per definition)."""
    key = (procedure.sha256, procedure.process_id)
    found = _HAS_TIMERS.get(key)
    if found is None:
        found = _HAS_TIMERS[key] = engine_timers.has_timers(procedure.spec, procedure.subprocess_specs)
    return found


def on_save(move: CaseMove) -> None:
    """Inside every case save: index the timers the saved workflow waits on."""
    index_timers(move.conn, move.row.id, move.workflow, move.now, move.procedure)


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


