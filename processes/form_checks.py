"""A step's conditional form rules with the case's facts: checked before completion, sent to the browser.

engine/form_rules.py knows the rules but not the case: here the case data so far (every completed step's
values, from the event log) and the facts (received at, notified at, today) are added. `check` raises the
same coded errors as completion does; `browser_rules` gives the page what its script checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from engine import form_rules
from engine.errors import FormInvalid
from engine.forms import Form

from .db import Database
from .decisions import case_facts, procedure_of
from .errors import InvalidInput, NotFound
from .eventlog import history
from .schema import human_tasks


def _task(conn: Connection, task_uuid: str) -> Any:
    row = conn.execute(select(human_tasks.c.instance_id, human_tasks.c.element_id, human_tasks.c.name)
                       .where(human_tasks.c.task_uuid == str(task_uuid))).first()
    if row is None:
        raise NotFound.of("task_not_found", task=task_uuid)
    return row


def _form(db: Database, conn: Connection, row: Any) -> Form | None:
    procedure = procedure_of(db, conn, row.instance_id)
    if procedure is None:
        return None
    step = next((s for s in procedure.steps.values() if s.element_id == row.element_id), None)
    return step.form if step is not None else None


def case_data(conn: Connection, instance_id: int) -> dict[str, Any]:
    """The values every completed step entered, later ones over earlier (what the workflow's data holds)."""
    data: dict[str, Any] = {}
    for r in history(conn, instance_id):
        payload = r["payload"] or {}
        if r["lifecycle"] in ("start", "complete") and isinstance(payload.get("data"), dict):
            data.update(payload["data"])
    return data


def check(db: Database, task_uuid: str, data: dict[str, Any], now: dt.datetime) -> None:
    """Raise InvalidInput (form_invalid, errors per field) when `data` breaks the step's form or its rules."""
    with db.read() as conn:
        row = _task(conn, task_uuid)
        form = _form(db, conn, row)
        if form is None:
            return
        context = {**case_data(conn, row.instance_id), **case_facts(conn, row.instance_id, now)}
    try:
        form.validate(data, context)
    except FormInvalid as exc:
        raise InvalidInput.of("form_invalid", exc.errors, step=row.name) from None


def browser_rules(db: Database, task_uuid: str, now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Per field of the step's form, the rules the page's script checks (see form_rules.browser_rules)."""
    with db.read() as conn:
        row = _task(conn, task_uuid)
        form = _form(db, conn, row)
        if form is None:
            return {}
        facts = case_facts(conn, row.instance_id, now)
    return form_rules.browser_rules(form.fields, facts)
