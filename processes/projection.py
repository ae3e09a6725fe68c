"""Keep the human-task rows and the event log in step with a workflow after every move."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, insert, select, update

from engine.calendar import default_calendar
from engine.parsing import Procedure
from engine.runner import AutoStep, ReadyStep

from . import sla
from .calendar_store import calendar_for
from .eventlog import Event
from .fastsql import Fast
from .schema import human_tasks
from .statuses import TaskStatus

OPEN = (TaskStatus.READY.value, TaskStatus.CLAIMED.value)
_INSERT_TASKS = Fast(insert(human_tasks))


@dataclass
class Changes:
    """What one use case did to a case: events to append, tasks opened and closed."""

    events: list[Event] = field(default_factory=list)
    opened: list[ReadyStep] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


@dataclass
class CaseMove:
    """What a case lifecycle listener is told: a case started, moved or is being saved (see processes.lifecycle)."""

    conn: Connection
    row: Any  # the case row as locked, before this save
    procedure: Procedure
    workflow: BpmnWorkflow
    changes: Changes
    now: dt.datetime
    actor: str | None
    auto: list[AutoStep] = field(default_factory=list)  # engine steps run by themselves in this move
    data: dict[str, Any] = field(default_factory=dict)  # the start data, or the completed step's form data
    task: Any = None  # the task row of the step completed (None: started, or moved by a timer)
    status: Any = None  # the InstanceStatus the save sets (None: it stays as it is)

    @property
    def completed(self) -> bool:
        """True when the workflow reached its end in this move."""
        return self.workflow.is_completed()


def open_tasks(conn: Connection, instance_id: int) -> dict[str, str]:
    """Open task uuids of an instance mapped to their element id."""
    rows = conn.execute(select(human_tasks.c.task_uuid, human_tasks.c.element_id).where(
        human_tasks.c.instance_id == instance_id, human_tasks.c.state.in_(OPEN)))
    return {r.task_uuid: r.element_id for r in rows}


def sync_tasks(
    conn: Connection, instance_id: int, unit_id: int, ready: list[ReadyStep],
    before: dict[str, str], now: dt.datetime, actor: str | None, changes: Changes,
) -> None:
    """Insert rows for newly ready steps; cancel rows whose step is no longer ready."""
    ready_ids = {str(step.task_id) for step in ready}
    gone = [uuid for uuid in before if uuid not in ready_ids]
    if gone:
        conn.execute(update(human_tasks).where(human_tasks.c.task_uuid.in_(gone)).values(
            state=TaskStatus.CANCELLED.value, completed_at=now, sla_state=None, next_check_at=None))
        for uuid in gone:
            changes.events.append(Event(before[uuid], "withdraw", now, actor, payload={"task": uuid}))
            changes.cancelled.append(uuid)
    new = [step for step in ready if str(step.task_id) not in before]
    if new:
        # SLA columns (processes/sla.py): due_at = the agency calendar's add(now, dueDate), due-soon instant…
        # Without a time limit no calendar is read: the shipped one stands in, sparing the agency lookup.
        calendar = calendar_for(conn, unit_id) if any(s.due for s in new) else default_calendar()
        rows = [{**_task_row(instance_id, unit_id, s, now), **sla.task_columns(calendar, now, s.due)} for s in new]
        _INSERT_TASKS.execute(conn, rows)
        for step, row in zip(new, rows, strict=True):
            payload = {"task": str(step.task_id), "roles": list(step.roles), "due": step.due}
            if row["due_at"] is not None:
                payload["due_at"] = row["due_at"].isoformat()
            changes.events.append(Event(step.element_id, "schedule", now, actor, step.name, payload))
            if step.assignee:
                changes.events.append(Event(step.element_id, "assign", now, actor, step.name,
                                            {"task": str(step.task_id), "assignee": step.assignee}))
        changes.opened.extend(new)


def _task_row(instance_id: int, unit_id: int, step: ReadyStep, now: dt.datetime) -> dict:
    return {
        "task_uuid": str(step.task_id), "instance_id": instance_id, "element_id": step.element_id,
        "name": step.name, "roles": ",".join(step.roles), "unit_id": unit_id,
        "assignee": step.assignee,
        "state": (TaskStatus.CLAIMED if step.assignee else TaskStatus.READY).value,
        "claimed_at": now if step.assignee else None,
        "due_duration": step.due, "form_key": step.form.key if step.form else None, "created_at": now,
    }


def auto_events(steps: list[AutoStep], now: dt.datetime) -> list[Event]:
    """Events for what the engine did by itself (service calls, events reached)."""
    return [Event(s.element_id, "complete", now, None, s.name, {"kind": s.kind}) for s in steps]
