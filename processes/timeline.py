"""A dossier's story for the officer pages: every logged event with its step's result, and the diagram state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .db import Database
from .decisions import Answer, answers, forms_of, procedure_of
from .errors import NotFound
from .eventlog import history
from .projection import OPEN
from .schema import definitions, human_tasks, instances, users

# Events that carry a step's values: a completion, and a step handled outside the system (step_override).
_WITH_VALUES = ("complete", "step_outside", "step_skip")
# Payload keys worth showing next to an event (the rest stays in the log for auditors).
_SHOWN = ("reason", "note", "label", "assignee", "filename", "text", "appointment_at", "new_appointment_at",
          "due_at", "to")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    seq: int
    at: dt.datetime
    actor: str | None
    actor_name: str | None
    lifecycle: str
    activity: str
    activity_name: str
    task: str | None
    result: str | None  # early | on_time | late, for a completed step when known
    due_at: str | None
    details: dict[str, Any]
    answers: tuple[Answer, ...] = ()  # a completed step's values, labelled from the BPMN
    attachment: int | None = None  # the file an attachment_added event added (its signature status is shown)


@dataclass(frozen=True)
class Step:
    """A step of the case as the task rows record it."""

    task: str
    element_id: str
    name: str
    state: str
    assignee: str | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    completed_by: str | None
    result: str | None


def steps(db: Database, instance_id: int) -> list[Step]:
    """Every step row of a case, in the order they opened."""
    with db.read() as conn:
        rows = conn.execute(select(human_tasks).where(human_tasks.c.instance_id == instance_id)
                            .order_by(human_tasks.c.id))
        return [Step(r.task_uuid, r.element_id, r.name, r.state, r.assignee, r.created_at, r.due_at, r.completed_at,
                     r.completed_by, r.result) for r in rows]


def timeline(db: Database, instance_id: int) -> list[Entry]:
    """Every event of a case, oldest first, with the officer's name and the step's result."""
    by_task = {s.task: s for s in steps(db, instance_id)}
    with db.read() as conn:
        rows = history(conn, instance_id)
        actors = {r["actor"] for r in rows if r["actor"]}
        names = {u.username: u.full_name for u in conn.execute(
            select(users.c.username, users.c.full_name).where(users.c.username.in_(sorted(actors))))}
        procedure = procedure_of(db, conn, instance_id)
    forms = forms_of(procedure) if procedure is not None else {}
    found = []
    for r in rows:
        payload = r["payload"] or {}
        task = payload.get("task") if isinstance(payload.get("task"), str) else None
        step = by_task.get(task) if task else None
        result = step.result if step is not None and r["lifecycle"] == "complete" else None
        details = {k: payload[k] for k in _SHOWN if k in payload and payload[k] not in (None, "", [], {})}
        said = answers(forms.get(r["activity"]), payload.get("data")) if r["lifecycle"] in _WITH_VALUES else ()
        found.append(Entry(r["seq"], r["at"], r["actor"], names.get(r["actor"]), r["lifecycle"], r["activity"],
                           r["activity_name"], task, result, payload.get("due_at"), details, said,
                           payload.get("attachment") if r["lifecycle"] == "attachment_added" else None))
    return found


@dataclass(frozen=True)
class DiagramState:
    """What the process picture needs: the BPMN, the steps open now, and a note per finished step."""

    bpmn_xml: str
    sha256: str
    process_id: str
    open_elements: tuple[str, ...]
    results: tuple[tuple[str, str], ...]  # (element id, last result)


def diagram_state(db: Database, instance_id: int) -> DiagramState:
    """The case's BPMN with its open and finished steps."""
    with db.read() as conn:
        row = conn.execute(select(definitions.c.bpmn_xml, definitions.c.sha256, definitions.c.process_id)
                           .join(instances, instances.c.definition_id == definitions.c.id)
                           .where(instances.c.id == instance_id)).first()
        if row is None:
            raise NotFound.of("case_not_found", case=instance_id)
        tasks = list(conn.execute(select(human_tasks.c.element_id, human_tasks.c.state, human_tasks.c.result)
                                  .where(human_tasks.c.instance_id == instance_id).order_by(human_tasks.c.id)))
    open_ids = tuple(sorted({t.element_id for t in tasks if t.state in OPEN}))
    results = {t.element_id: t.result for t in tasks if t.state == "completed" and t.result}
    return DiagramState(row.bpmn_xml, row.sha256, row.process_id, open_ids, tuple(sorted(results.items())))
