"""Human-task use cases: claim, release, assign; and the inbox queries (no workflow is loaded)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, or_, select, update

from . import access, organisation, substitutes
from .assignment import may_work
from .case_chain import heads_step, leads_case
from .clock import Clock
from .db import Database
from .errors import ConflictError, NotFound, PermissionDenied
from .eventlog import Chain, Event, append
from .schema import definitions, human_tasks, instances, units
from .statuses import TaskStatus, check_task_transition

OPEN = (TaskStatus.READY.value, TaskStatus.CLAIMED.value)


@dataclass(frozen=True)
class TaskView:
    """A human task as the inbox shows it."""

    id: str
    instance_id: int
    business_key: str
    procedure: str
    element_id: str
    name: str
    roles: str
    assignee: str | None
    state: str
    due: dt.datetime | None  # the step's deadline (working time already counted), not its time limit
    created_at: Any
    completed_by: str | None
    time_limit: str | None = None  # the BPMN's camunda:dueDate, ISO 8601 in working time ("P9D")


def claim(db: Database, task_uuid: str, actor: str, clock: Clock) -> None:
    """Take a ready task so that nobody else works on it."""
    _move(db, task_uuid, actor, clock, TaskStatus.CLAIMED, assignee=actor, lifecycle="claim")


def unclaim(db: Database, task_uuid: str, actor: str, clock: Clock) -> None:
    """Give a claimed task back to the role's queue."""
    _move(db, task_uuid, actor, clock, TaskStatus.READY, assignee=None, lifecycle="unclaim")


def assign(db: Database, task_uuid: str, assignee: str, actor: str, clock: Clock) -> None:
    """A leader gives a task to a named user who may do it."""
    _move(db, task_uuid, actor, clock, TaskStatus.CLAIMED, assignee=assignee, lifecycle="assign")


def _move(db: Database, task_uuid: str, actor: str, clock: Clock, new: TaskStatus,
          assignee: str | None, lifecycle: str) -> None:
    now = clock.now()
    with db.write() as conn:
        task = _locked_task(conn, task_uuid)
        check_task_transition(task.state, new)
        member = organisation.memberships_of(conn, actor)
        if lifecycle == "assign":
            assert assignee is not None  # assign() always names the assignee
            # The case's leaders and the head of the step's own department, if they may read the case: the head
            # of another department, or a leader above an agency whose dossiers they cannot read, may not.
            if not may_hand_over(conn, member, task, actor, now):
                raise PermissionDenied.of("may_not_reassign", actor=actor, case=task.business_key)
            organisation.user_by_name(conn, assignee)
            target = organisation.memberships_of(conn, assignee)
            if not may_work(assignee, target, task.roles, None, task.path, organisation.unit_paths(conn, task.roles)):
                raise PermissionDenied.of("assignee_lacks_role", assignee=assignee, step=task.name)
        elif lifecycle == "claim":
            if task.assignee not in (None, actor):
                raise ConflictError.of("task_already_claimed", step=task.name, assignee=task.assignee)
            paths = organisation.unit_paths(conn, task.roles)
            if not may_work(actor, member, task.roles, None, task.path, paths) and not \
                    substitutes.stands_in(conn, actor, task.roles, None, task.path, paths, now):
                raise PermissionDenied.of("may_not_claim", actor=actor, step=task.name, roles=task.roles)
            if task.assignee == actor and task.state == TaskStatus.CLAIMED.value:
                return  # claimed by them already (a double click, a retried request): nothing happened, nothing logged
        elif task.assignee != actor and not may_hand_over(conn, member, task, actor, now) and not substitutes.stands_in(
                conn, actor, task.roles, task.assignee, task.path, organisation.unit_paths(conn, task.roles), now):
            raise PermissionDenied.of("may_not_release", assignee=task.assignee, step=task.name)
        conn.execute(update(human_tasks).where(human_tasks.c.id == task.id).values(
            state=new.value, assignee=assignee, claimed_at=now if assignee else None))
        ev = Event(task.element_id, lifecycle, now, actor, task.name, {"task": task_uuid, "assignee": assignee})
        chain = append(conn, task.instance_id, Chain(task.event_count, task.event_head), [ev])
        conn.execute(update(instances).where(instances.c.id == task.instance_id).values(
            event_count=chain.count, event_head=chain.head, updated_at=now))


def may_hand_over(conn: Connection, member: list[organisation.Membership], task: Any, actor: str,
                  now: dt.datetime) -> bool:
    """True when the actor may assign or take back this step: they may read its case and lead the case or
    head the step's department (processes/case_chain.py)."""
    if not (leads_case(member, task.path) or heads_step(conn, member, task.roles, task.path)):
        return False
    return access.may_see_case(conn, actor, task.instance_id, now)


def _locked_task(conn: Connection, task_uuid: str):
    if "\x00" in str(task_uuid):
        raise NotFound.of("task_id_invalid", task=task_uuid)
    inst = conn.execute(select(human_tasks.c.instance_id).where(human_tasks.c.task_uuid == task_uuid)).first()
    if inst is None:
        raise NotFound.of("task_not_found", task=task_uuid)
    lock = select(instances.c.id).where(instances.c.id == inst.instance_id)
    if conn.dialect.name == "postgresql":
        conn.execute(lock.with_for_update())
    row = conn.execute(
        select(human_tasks, instances.c.business_key, instances.c.event_count, instances.c.event_head, units.c.path)
        .join(instances, instances.c.id == human_tasks.c.instance_id)
        .join(units, units.c.id == instances.c.unit_id)
        .where(human_tasks.c.task_uuid == task_uuid)).one()
    if row.state not in OPEN:
        raise ConflictError.of("task_closed", step=row.name, state=row.state)
    return row


def list_tasks(db: Database, user: str | None = None, instance_id: int | None = None,
               include_closed: bool = False, limit: int = 500, now: dt.datetime | None = None) -> list[TaskView]:
    """Tasks in an inbox: assigned to `user` (or to whom they stand in for) or open to a role they hold.

    The rule is processes.access.task_condition, the one the inbox pages use; `now` picks today's
    delegations (default: the current time).
    """
    query = (
        select(human_tasks, instances.c.business_key, definitions.c.code, units.c.path)
        .join(instances, instances.c.id == human_tasks.c.instance_id)
        .join(definitions, definitions.c.id == instances.c.definition_id)
        .join(units, units.c.id == instances.c.unit_id)
        .order_by(human_tasks.c.created_at, human_tasks.c.id)
    )
    if not include_closed:
        query = query.where(human_tasks.c.state.in_(OPEN))
    if instance_id is not None:
        query = query.where(human_tasks.c.instance_id == instance_id)
    with db.read() as conn:
        if user is not None:
            mine = access.task_condition(access.viewer(conn, user, now or dt.datetime.now(dt.UTC)))
            query = query.where(or_(mine, human_tasks.c.completed_by == user) if include_closed else mine)
        rows = list(conn.execute(query.limit(limit)))
    return [_view(r) for r in rows]


def _view(r) -> TaskView:
    return TaskView(r.task_uuid, r.instance_id, r.business_key, r.code, r.element_id, r.name, r.roles,
                    r.assignee, r.state, r.due_at, r.created_at, r.completed_by, r.due_duration)


def task_detail(db: Database, task_uuid: str) -> dict[str, Any]:
    """One task with its form as JSON Schema (read from the compiled procedure, no workflow loaded)."""
    with db.read() as conn:
        row = conn.execute(
            select(human_tasks, instances.c.business_key, instances.c.definition_id, definitions.c.code,
                   units.c.path)
            .join(instances, instances.c.id == human_tasks.c.instance_id)
            .join(definitions, definitions.c.id == instances.c.definition_id)
            .join(units, units.c.id == instances.c.unit_id)
            .where(human_tasks.c.task_uuid == str(task_uuid))).first()
        if row is None:
            raise NotFound.of("task_not_found", task=task_uuid)
        procedure = db.procedures.get(conn, row.definition_id)
    step = next((s for s in procedure.steps.values() if s.element_id == row.element_id), None)
    form = step.form if step is not None else None
    return {**asdict(_view(row)), "form_key": row.form_key,
            "form": form.json_schema() if form else None, "procedure_name": procedure.name}
