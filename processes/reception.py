"""Receiving a dossier at the one-stop counter: accept it, ask for a supplement, or refuse it.

Accepting starts the case and completes its reception step (the procedure's first user task, whose form
holds the applicant fields) in ONE transaction, together with the counter record and the scans: when the
form is not valid the officer gets the errors per field and nothing at all is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from engine.errors import FormInvalid
from engine.field_errors import FieldError
from engine.model import Step
from engine.parsing import Procedure

from . import attachments, catalog, dossiers, instances, organisation
from .access import COUNTER_ROLES, OVERSIGHT_KINDS
from .assignment import may_work
from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound, PermissionDenied
from .inserted import inserted_id
from .keys import next_business_key
from .schema import definitions, memberships, units, users
from .uow import UnitOfWork, unit_of_work
from .workspace_schema import receptions

RECEPTION_STEP = "Task_TiepNhan"
OUTCOMES = ("accepted", "supplement", "refused")
CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")
KINDS = ("original", "certified", "photocopy", "electronic")
# Applicant field -> the reception form's field that carries it (when the form has it).
APPLICANT_FIELDS = {"name": "ten_nguoi_nop", "id_number": "so_giay_to", "address": "dia_chi",
                    "phone": "so_dien_thoai", "channel": "kenh_nop"}
_ID = re.compile(r"^[A-Za-z0-9]{6,20}$")
_PHONE = re.compile(r"^[0-9+ .()-]{6,20}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


@dataclass
class Applicant:
    """Who brings the dossier."""

    name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    channel: str = "truc_tiep"


@dataclass
class Upload:
    """A scan brought along with the dossier."""

    filename: str
    data: bytes


@dataclass
class Counter:
    """Everything entered at the counter."""

    applicant: Applicant
    documents: list[dict[str, Any]] = field(default_factory=list)  # {name, kind, sets}
    form: dict[str, Any] = field(default_factory=dict)  # the reception step's other fields
    note: str = ""  # what is missing / why it is refused
    uploads: list[Upload] = field(default_factory=list)


@dataclass(frozen=True)
class Received:
    """What the counter did: the record's reference and, when accepted, the dossier."""

    reception_id: int
    ref: str
    outcome: str
    instance_id: int | None = None
    appointment_at: dt.datetime | None = None


@lru_cache(maxsize=1)
def checklists() -> dict[str, list[dict[str, Any]]]:
    """The document checklist of each procedure (processes/data/checklists.json)."""
    text = resources.files("processes.data").joinpath("checklists.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if k != "note"}


def reception_step(db: Database, code: str) -> tuple[Any, Step]:
    """(active definition row, its reception step) of a procedure."""
    with db.read() as conn:
        definition = catalog.active_definition(conn, code)
        procedure = db.procedures.get(conn, definition.id)
    return definition, _step_of(procedure, code)


def _step_of(procedure: Procedure, code: str) -> Step:
    steps = list(procedure.steps.values())
    step = procedure.steps.get(RECEPTION_STEP) or next((s for s in steps if s.element_id == RECEPTION_STEP), None)
    if step is None and steps:
        step = steps[0]
    if step is None:
        raise NotFound.of("no_reception_step", procedure=code)
    return step


def check_applicant(a: Applicant) -> dict[str, str]:
    """Per-field problems with the applicant's details (empty when fine)."""
    errors: dict[str, str] = {}
    if not a.name.strip():
        errors["name"] = FieldError("required")
    elif len(a.name) > 200:
        errors["name"] = FieldError("too_long", max=200)
    if not _ID.match(a.id_number.strip()):
        errors["id_number"] = FieldError("id_number")
    if len(a.address) > 500:
        errors["address"] = FieldError("too_long", max=500)
    if a.phone.strip() and not _PHONE.match(a.phone.strip()):
        errors["phone"] = FieldError("phone")
    if a.email.strip() and not _EMAIL.match(a.email.strip()):
        errors["email"] = FieldError("email")
    if a.channel not in CHANNELS:
        errors["channel"] = FieldError("channel")
    return errors


def check_documents(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Cleaned checklist lines and per-line problems (keys documents.N)."""
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    if len(items) > 50:
        return [], {"documents": FieldError("papers_too_many", max=50)}
    for i, item in enumerate(items):
        name = str(item.get("name") or "").strip()
        kind = str(item.get("kind") or "original")
        try:
            sets = int(item.get("sets") or 1)
        except (TypeError, ValueError):
            sets = -1
        if not name or len(name) > 300:
            errors[f"documents.{i}"] = FieldError("paper_name", max=300)
        elif kind not in KINDS:
            errors[f"documents.{i}"] = FieldError("paper_kind", allowed=", ".join(KINDS))
        elif not 1 <= sets <= 20:
            errors[f"documents.{i}"] = FieldError("paper_sets", min=1, max=20)
        else:
            cleaned.append({"name": name, "kind": kind, "sets": sets})
    return cleaned, errors


def form_data(step: Step, counter: Counter) -> dict[str, Any]:
    """The reception step's completion data: its own fields plus the applicant fields it declares."""
    names = {f.id for f in step.form.fields} if step.form else set()
    data = {k: v for k, v in counter.form.items() if k in names and k not in APPLICANT_FIELDS.values()}
    for attr, form_field in APPLICANT_FIELDS.items():
        value = getattr(counter.applicant, attr).strip()
        if form_field in names and value:
            data[form_field] = value
    return data


def _applicant_errors(errors: dict[str, str]) -> dict[str, str]:
    """Form errors with the applicant fields named as the counter page names them."""
    back = {v: f"applicant.{k}" for k, v in APPLICANT_FIELDS.items()}
    return {back.get(k, k): v for k, v in errors.items()}


def _agency(conn: Connection, actor: str, step: Step, unit: str | None):
    """The agency whose counter `actor` serves for this step (or `unit`, when they may)."""
    member = organisation.memberships_of(conn, actor)
    roles = ",".join(step.roles)
    paths = organisation.unit_paths(conn, roles) if "@" in roles else {}
    wanted = ([organisation.unit_by_code(conn, unit).path] if unit
              else list(dict.fromkeys(m.agency_path for m in member)))
    for path in wanted:
        if may_work(actor, member, roles, None, path, paths):
            return conn.execute(select(units).where(units.c.path == path)).one()
    raise PermissionDenied.of("may_not_receive", actor=actor, roles=roles or "?")


def receive(db: Database, code: str, counter: Counter, outcome: str, actor: str, clock: Clock,
            attachments_root: Path | None = None, unit: str | None = None) -> Received:
    """Record a counter visit: accept (start + reception step, atomically), ask for a supplement, or refuse."""
    with unit_of_work(db) as uow:
        received = receive_in(uow, code, counter, outcome, actor, clock, attachments_root, unit)
    if received.instance_id is None:
        return received
    view = dossiers.get(db, received.instance_id)
    return Received(received.reception_id, received.ref, outcome, received.instance_id, view.appointment_at)


def receive_in(uow: UnitOfWork, code: str, counter: Counter, outcome: str, actor: str, clock: Clock,
               attachments_root: Path | None = None, unit: str | None = None) -> Received:
    """Record a counter visit inside `uow` (see receive); an accepted dossier's case is started and moved on."""
    if outcome not in OUTCOMES:
        raise InvalidInput.of("unknown_outcome", {"outcome": f"one of {', '.join(OUTCOMES)}"})
    conn = uow.conn
    definition = catalog.active_definition(conn, code)
    step = _step_of(uow.procedure(definition.id), code)
    documents, checked = _checked(counter, outcome, step)
    if checked and attachments_root is None:
        raise InvalidInput.of("uploads_need_store")
    now = clock.now()
    a = counter.applicant
    agency = _agency(conn, actor, step, unit)
    row = {"procedure": definition.code, "unit_id": agency.id, "outcome": outcome,
           "applicant_name": a.name.strip(), "applicant_id_number": a.id_number.strip(),
           "address": a.address.strip(), "phone": a.phone.strip(), "email": a.email.strip(),
           "channel": a.channel, "documents": json.dumps(documents, ensure_ascii=False),
           "note": counter.note.strip(), "officer": actor, "created_at": now}
    if outcome != "accepted":
        ref = next_business_key(conn, f"{agency.code}-PH", now)
        new_id = inserted_id(conn.execute(insert(receptions).values(ref=ref, instance_id=None, **row)))
        return Received(new_id, ref, outcome)
    data = form_data(step, counter)
    started = instances.start_in(uow, definition.code, data, actor, clock, agency.code)
    first = next((s for s in started.opened if s.element_id == step.element_id), None)
    if first is None:
        raise InvalidInput.of("reception_step_not_opened", procedure=definition.code, step=step.element_id)
    try:
        instances.complete_in(uow, str(first.task_id), data, actor, clock)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), _applicant_errors(exc.errors), code=exc.code, params=exc.params) from None
    new_id = inserted_id(conn.execute(insert(receptions).values(ref=started.business_key,
                                                                instance_id=started.instance_id, **row)))
    if attachments_root is not None:  # None only without uploads (refused above)
        attachments.attach_in(conn, attachments_root, started.instance_id,
                              [(name, content_type, body) for (name, content_type), body in checked], actor, now)
    return Received(new_id, started.business_key, outcome, started.instance_id)


def _checked(counter: Counter, outcome: str, step: Step) -> tuple[list[dict[str, Any]], list[tuple[Any, bytes]]]:
    """The counter's documents and uploads, checked; every problem at once as InvalidInput (nothing stored)."""
    errors = {f"applicant.{k}": v for k, v in check_applicant(counter.applicant).items()}
    documents, doc_errors = check_documents(counter.documents)
    errors.update(doc_errors)
    if outcome != "accepted" and not counter.note.strip():
        errors["note"] = FieldError("missing_items" if outcome == "supplement" else "refusal_reason")
    if len(counter.note) > 4000:
        errors["note"] = FieldError("too_long", max=4000)
    checked = []
    for i, upload in enumerate(counter.uploads if outcome == "accepted" else []):
        try:
            checked.append((attachments.check(upload.filename, upload.data), upload.data))
        except InvalidInput as exc:
            errors[f"uploads.{i}"] = FieldError("in_file", name=upload.filename,
                                                problem=exc.errors.get("file", str(exc)))
    if errors and outcome == "accepted" and step.form is not None:
        try:  # the step's own fields too, so that the officer sees every problem at once
            step.form.validate(form_data(step, counter))
        except FormInvalid as exc:
            for key, message in _applicant_errors(exc.errors).items():
                errors.setdefault(key, message)
    if errors:
        raise InvalidInput.of("reception_invalid", errors)
    return documents, checked


@dataclass(frozen=True)
class ReceptionView:
    """A counter record as the result page and the documents need it."""

    id: int
    ref: str
    instance_id: int | None
    procedure: str
    unit_id: int
    outcome: str
    applicant: Applicant
    documents: list[dict[str, Any]]
    note: str
    officer: str
    created_at: dt.datetime


def get(db: Database, ref: str | int) -> ReceptionView:
    """A counter record by id, reference or dossier code."""
    text = str(ref).strip()
    cond = receptions.c.id == int(text) if text.isdigit() else receptions.c.ref == text
    with db.read() as conn:
        r = conn.execute(select(receptions).where(cond)).first()
    if r is None:
        raise NotFound.of("reception_not_found", ref=ref)
    return ReceptionView(r.id, r.ref, r.instance_id, r.procedure, r.unit_id, r.outcome,
                         Applicant(r.applicant_name, r.applicant_id_number, r.address, r.phone, r.email, r.channel),
                         json.loads(r.documents or "[]"), r.note, r.officer, r.created_at)


def of_case(db: Database, instance_id: int) -> ReceptionView | None:
    """The counter record of an accepted dossier, if it was received at the counter."""
    with db.read() as conn:
        found = conn.execute(select(receptions.c.id).where(receptions.c.instance_id == instance_id)).scalar()
    return get(db, found) if found is not None else None



def names_of(db: Database, view: ReceptionView) -> dict[str, str]:
    """Display names a printed counter slip needs: procedure, agency and its parent, officer and their unit."""
    with db.read() as conn:
        procedure = conn.execute(select(definitions.c.name).where(definitions.c.code == view.procedure)
                                 .order_by(definitions.c.version.desc())).scalar() or view.procedure
        agency = conn.execute(select(units).where(units.c.id == view.unit_id)).one()
        parent = conn.execute(select(units.c.name).where(units.c.id == agency.parent_id)).scalar() \
            if agency.parent_id else None
        officer = conn.execute(select(users.c.full_name, units.c.name.label("unit"))
                               .join(memberships, memberships.c.user_id == users.c.id)
                               .join(units, units.c.id == memberships.c.unit_id)
                               .where(users.c.username == view.officer,
                                      units.c.agency_path == agency.path)).first()
    return {"procedure": procedure, "agency": agency.name, "parent_agency": parent or "",
            "officer": officer.full_name if officer else view.officer,
            "receiving_unit": officer.unit if officer else ""}


def may_see_slip(db: Database, view: ReceptionView, username: str) -> bool:
    """True for the officer who wrote a counter slip, the agency's counter officers and its overseers."""
    if view.officer == username:
        return True
    with db.read() as conn:
        path = conn.execute(select(units.c.path).where(units.c.id == view.unit_id)).scalar_one()
        member = organisation.memberships_of(conn, username)
    return any(m.agency_path == path and (m.role in COUNTER_ROLES or m.role_kind in OVERSIGHT_KINDS) for m in member)
