"""A leader moves a case past one of its steps: handled outside the system, or passed over.

Like Camunda Cockpit's process-instance modification, for the day the procedure could not be followed in
the system: the step was done on paper (mất mạng, hồ sơ giấy, văn bản ký tay) — "xử lý ngoài hệ thống" —
or it is moved past without being done — "chuyển bước". Only a leader of the case's agency (or above) or an
administrator may do it, always with a reason. Values the step would have decided (what the next gateway
reads) may be recorded; none is required.

The step is not logged as completed: its event is ``step_outside`` or ``step_skip`` (hash-chained with who
and why), so the trace the conformance check aligns lacks the step and the audit reports it as a deviation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from engine import runner
from engine.errors import FormInvalid
from engine.field_errors import FieldError
from engine.forms import validate_free_data

from . import instances, lifecycle, organisation
from .assignment import may_lead
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from .eventlog import Event
from .projection import OPEN, CaseMove, Changes, auto_events, sync_tasks
from .schema import human_tasks, units
from .schema import instances as cases
from .statuses import TaskStatus
from .uow import UnitOfWork, unit_of_work

OUTSIDE = "outside"  # the step was done outside the system (on paper); what it decided may be recorded
SKIP = "skip"  # the case moves past the step without it being done
KINDS = (OUTSIDE, SKIP)
LIFECYCLES = {OUTSIDE: "step_outside", SKIP: "step_skip"}
MAX_REASON = 1000


@dataclass(frozen=True)
class Overridden:
    """What the override did: the case, the step moved past, and the steps now open."""

    moved: instances.Moved
    step: str
    kind: str


def override(db: Database, task_uuid: str, kind: str, reason: str, actor: str, clock: Clock,
             data: dict[str, Any] | None = None) -> Overridden:
    """Move the case of an open step past it (`kind` OUTSIDE or SKIP), as a leader, with a reason."""
    with unit_of_work(db) as uow:
        return override_in(uow, task_uuid, kind, reason, actor, clock, data)


def override_in(uow: UnitOfWork, task_uuid: str, kind: str, reason: str, actor: str, clock: Clock,
                data: dict[str, Any] | None = None) -> Overridden:
    """Override a step inside `uow` (see override); refused with nothing written."""
    conn, now = uow.conn, clock.now()
    instance_id = _case_of_task(uow, task_uuid)
    case = instances.open_case(uow, instance_id, clock)
    task = conn.execute(select(human_tasks).where(human_tasks.c.task_uuid == str(task_uuid))).one()
    if task.state not in OPEN:
        raise ConflictError.of("task_closed", step=task.name, state=task.state)
    reason = _checked(kind, reason, task.name)
    member = organisation.memberships_of(conn, actor)
    if not may_lead(member, case.scope_path, whole_case=True):
        raise PermissionDenied.of("may_not_override", actor=actor, step=task.name, case=case.row.business_key)
    step = next((s for s in runner.ready_steps(case.procedure, case.workflow) if str(s.task_id) == str(task_uuid)),
                None)
    if step is None:  # the row is open but the workflow has moved on: it is not the officer's to fix
        raise ConflictError.of("task_closed", step=task.name, state=task.state)
    values = _values(step, data, case.workflow, task.name)
    before = {str(s.task_id): s.element_id for s in runner.ready_steps(case.procedure, case.workflow)}
    try:
        auto = instances.engine_step(lambda: runner.complete_step(case.procedure, case.workflow, UUID(task_uuid),
                                                                  values))
    except InvalidInput as exc:  # a gateway after the step found nothing to decide on: its values are missing
        raise InvalidInput.of("override_needs_values", step=task.name, detail=str(exc)) from None
    conn.execute(update(human_tasks).where(human_tasks.c.id == task.id).values(
        state=TaskStatus.COMPLETED.value, completed_at=now, completed_by=actor, sla_state=None, next_check_at=None,
        result=None))
    before.pop(str(task_uuid), None)
    held = sorted({f"{m.role}@{m.unit_code}" for m in member})
    changes = Changes(events=[Event(task.element_id, LIFECYCLES[kind], now, actor, task.name,
                                    {"task": str(task_uuid), "reason": reason, "data": values, "held": held})])
    changes.events.extend(auto_events(auto, now))
    sync_tasks(conn, case.row.id, case.row.unit_id, runner.ready_steps(case.procedure, case.workflow),
               before, now, actor, changes)
    lifecycle.moved(CaseMove(conn, case.row, case.procedure, case.workflow, changes, now, actor, auto, values, task))
    status, end = instances.save_case(uow, case, changes, now, actor)
    moved = instances.Moved(case.row.id, case.row.business_key, status, changes.opened, end)
    return Overridden(moved, task.name, kind)


def may_override(db: Database, task_uuid: str, actor: str) -> bool:
    """Whether `actor` may move the case of this step past it (a leader of its agency or above, an administrator)."""
    with db.read() as conn:
        path = conn.execute(select(units.c.path).join(cases, cases.c.unit_id == units.c.id)
                            .join(human_tasks, human_tasks.c.instance_id == cases.c.id)
                            .where(human_tasks.c.task_uuid == str(task_uuid))).scalar()
        return path is not None and may_lead(organisation.memberships_of(conn, actor), path, whole_case=True)


def _case_of_task(uow: UnitOfWork, task_uuid: str) -> int:
    try:
        UUID(str(task_uuid))
    except ValueError:
        raise NotFound.of("task_id_invalid", task=task_uuid) from None
    found = uow.conn.execute(select(human_tasks.c.instance_id)
                             .where(human_tasks.c.task_uuid == str(task_uuid))).scalar()
    if found is None:
        raise NotFound.of("task_not_found", task=task_uuid)
    return int(found)


def _checked(kind: str, reason: Any, step: str) -> str:
    """The reason, stripped; refused (with the field named) when missing, too long, or the kind unknown."""
    errors: dict[str, Any] = {}
    if kind not in KINDS:
        errors["kind"] = FieldError("one_of", allowed=", ".join(KINDS))
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors["reason"] = FieldError("required")
    elif len(text) > MAX_REASON:
        errors["reason"] = FieldError("max_length", max=MAX_REASON)
    if errors:
        raise InvalidInput.of("override_invalid", errors, step=step)
    return text


def _values(step: runner.ReadyStep, data: Any, workflow: Any, name: str) -> dict[str, Any]:
    """The step's values recorded with the override: typed as its form's fields, none required."""
    try:
        if step.form is None:
            return validate_free_data(data or {})
        return step.form.clean_given(data or {}, runner.ready_task(workflow, step.task_id).data)
    except FormInvalid as exc:
        raise InvalidInput.of("override_invalid", exc.errors, step=name) from None
