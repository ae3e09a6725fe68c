"""What each step decided: the values entered in its form, with the field labels of the BPMN, and its files.

The values are the `complete` events' payload data in the case's event log (written once, hash-chained), so
nothing new is stored: this module reads them back and names them. Callers check that the reader may see
the case (identity numbers are among the values).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, literal_column, null, select, union_all

from engine.forms import Form
from engine.procedure import Procedure

from .db import Database
from .eventlog import history
from .fastsql import Fast
from .keys import VN
from .schema import dossiers, events, instances, users
from .workspace_schema import attachments

SUPPLEMENT_STATUS = 5  # dossier status "yêu cầu bổ sung": the applicant was told what is missing


@dataclass(frozen=True)
class Answer:
    """One value a step's form took: field id, its label and type in the BPMN, the value and its words."""

    field: str
    label: str
    type: str
    value: Any
    text: str  # an enum's option name, "Có"/"Không" for a boolean, the value as text otherwise


@dataclass(frozen=True)
class StepFile:
    """A file attached while the step was open."""

    id: int
    filename: str


@dataclass(frozen=True)
class Decision:
    """A completed step: who, when, and what was entered."""

    seq: int
    at: dt.datetime
    task: str | None
    element_id: str
    step: str
    actor: str | None
    actor_name: str | None
    answers: tuple[Answer, ...]
    files: tuple[StepFile, ...]


def answers(form: Form | None, data: Any) -> tuple[Answer, ...]:
    """The values of `data` in the form's field order (labels from the BPMN), then any the form lacks."""
    if not isinstance(data, dict):
        return ()
    fields = {f.id: f for f in form.fields} if form is not None else {}
    order = [k for k in fields if k in data] + [k for k in data if k not in fields]
    found = []
    for key in order:
        value = data[key]
        if value in (None, ""):
            continue
        f = fields.get(key)
        if f is None:
            found.append(Answer(key, key, "string", value, str(value)))
            continue
        text = dict(f.options).get(str(value), str(value)) if f.type == "enum" else \
            ("Có" if value else "Không") if f.type == "boolean" else str(value)
        found.append(Answer(key, f.label, f.type, value, text))
    return tuple(found)


def forms_of(procedure: Procedure) -> dict[str, Form | None]:
    """Each step's form by element id."""
    return {s.element_id: s.form for s in procedure.steps.values()}


def procedure_of(db: Database, conn: Connection, instance_id: int) -> Procedure | None:
    """The compiled procedure a case runs on (its present version)."""
    definition_id = conn.execute(select(instances.c.definition_id).where(instances.c.id == instance_id)).scalar()
    return db.procedures.get(conn, definition_id) if definition_id is not None else None


def of_case(db: Database, instance_id: int) -> list[Decision]:
    """Every completed step of a case with what it entered, oldest first."""
    with db.read() as conn:
        rows = history(conn, instance_id)
        procedure = procedure_of(db, conn, instance_id)
        actors = sorted({r["actor"] for r in rows if r["actor"]})
        names = {u.username: u.full_name for u in conn.execute(
            select(users.c.username, users.c.full_name).where(users.c.username.in_(actors)))}
        files: dict[str, list[StepFile]] = {}
        for f in conn.execute(select(attachments.c.id, attachments.c.filename, attachments.c.task_uuid)
                              .where(attachments.c.instance_id == instance_id).order_by(attachments.c.id)):
            if f.task_uuid:
                files.setdefault(f.task_uuid, []).append(StepFile(f.id, f.filename))
    forms = forms_of(procedure) if procedure is not None else {}
    found = []
    for r in rows:
        payload = r["payload"] or {}
        if r["lifecycle"] != "complete" or "data" not in payload:
            continue
        task = payload.get("task") if isinstance(payload.get("task"), str) else None
        found.append(Decision(r["seq"], r["at"], task, r["activity"], r["activity_name"], r["actor"],
                              names.get(r["actor"]), answers(forms.get(r["activity"]), payload.get("data")),
                              tuple(files.get(task, ())) if task else ()))
    return found


def case_facts(conn: Connection, instance_id: int, now: dt.datetime) -> dict[str, Any]:
    """The facts a form rule may compare a date with: when the dossier was received, when the applicant was
    last told to supplement it (the latest move to status 5), and today (in Vietnam)."""
    facts: dict[str, Any] = {"today": now.astimezone(VN).date()}
    # One statement (a round trip on PostgreSQL): the dossier's reception first, then the status moves, newest
    # first (only those: not the whole log, which grows with every step of the case).
    for kind, at, payload, _seq in _FACTS.execute(conn, {"b_instance": instance_id}).rows:
        if kind == 0:
            facts["received_at"] = at.astimezone(VN).date()
        elif (json.loads(payload) or {}).get("to") == SUPPLEMENT_STATUS:
            facts["notified_at"] = at.astimezone(VN).date()
            break
    return facts


# compiled once (processes/fastsql.py): read on the completion of every step whose form compares dates
_FACTS = Fast(union_all(
    select(literal_column("0").label("kind"), dossiers.c.received_at.label("at"), null().label("payload"),
           literal_column("0").label("seq")).where(dossiers.c.instance_id == bindparam("b_instance")),
    select(literal_column("1"), events.c.at, events.c.payload, events.c.seq).where(
        events.c.case_id == bindparam("b_instance"), events.c.lifecycle == "dossier_status"),
).order_by(literal_column("kind"), literal_column("seq").desc()))
