"""Reading the records the audits need in bulk: dossiers with their outcome facts, completed steps, logs.

Digitisation is read from the attachments table (the only trace of scans quytrinh keeps): a dossier
is *digitised* when a file was attached before it was resolved (scans at the counter, the online
submission), and has an *electronic result* when a file was attached when or after it was resolved.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, cast, exists, func, select
from sqlalchemy.dialects.postgresql import JSONB

from processes.schema import apologies, definitions, dossiers, events, human_tasks, instances, memberships, units, users
from processes.workspace_schema import attachments, ratings

from .periods import Period

INTERNAL_LEVEL = "noi_bo"


@dataclass(frozen=True)
class DossierFact:
    """One dossier with what the indicators count about it."""

    instance_id: int
    code: str
    procedure: str
    procedure_name: str
    public: bool  # an administrative procedure for citizens (level other than noi_bo)
    unit: str
    unit_name: str
    unit_id: int
    channel: str
    status_code: int
    received_at: dt.datetime
    done_at: dt.datetime | None
    due_at: dt.datetime | None
    result: str | None
    supplement_count: int
    late_marked: bool
    apology_signed: bool
    digitised: bool
    e_result: bool
    rating: int | None

    @property
    def online(self) -> bool:
        """True when submitted through the public service portal."""
        return self.channel == "truc_tuyen"


@dataclass(frozen=True)
class StepFact:
    """One completed step."""

    instance_id: int
    unit_id: int
    procedure: str
    element_id: str
    name: str
    roles: str
    created_at: dt.datetime
    completed_at: dt.datetime
    completed_by: str | None
    due: str | None
    due_at: dt.datetime | None
    result: str | None


def procedure_info(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per procedure code: name, level, deadline and whether it is public (latest version's properties)."""
    out: dict[str, dict[str, Any]] = {}
    for r in conn.execute(select(definitions.c.code, definitions.c.name, definitions.c.properties)
                          .order_by(definitions.c.code, definitions.c.version)):
        props = json.loads(r.properties or "{}")
        out[r.code] = {"name": r.name, "level": props.get("level", ""), "deadline": props.get("deadline"),
                       "field": props.get("field", ""), "public": props.get("level", "") != INTERNAL_LEVEL}
    return out


def _dossier_query():
    scanned = exists().where(attachments.c.instance_id == dossiers.c.instance_id,
                             (dossiers.c.done_at.is_(None)) | (attachments.c.uploaded_at < dossiers.c.done_at))
    electronic = exists().where(attachments.c.instance_id == dossiers.c.instance_id,
                                dossiers.c.done_at.is_not(None), attachments.c.uploaded_at >= dossiers.c.done_at)
    signed = exists().where(apologies.c.dossier_id == dossiers.c.id, apologies.c.state == "signed")
    return (select(dossiers.c.instance_id, dossiers.c.code, dossiers.c.procedure, dossiers.c.unit_id,
                   dossiers.c.channel, dossiers.c.status_code, dossiers.c.received_at, dossiers.c.done_at,
                   dossiers.c.due_at, dossiers.c.result, dossiers.c.supplement_count, dossiers.c.late_marked,
                   units.c.code.label("unit"), units.c.name.label("unit_name"),
                   signed.label("apology_signed"), scanned.label("digitised"), electronic.label("e_result"),
                   ratings.c.score.label("rating"))
            .join(units, units.c.id == dossiers.c.unit_id)
            .outerjoin(ratings, ratings.c.instance_id == dossiers.c.instance_id))


def load_dossiers(conn: Connection, period: Period | None = None, by: str = "either",
                  procedures: Iterable[str] | None = None) -> list[DossierFact]:
    """Dossiers received (`by="received"`), resolved (`"done"`) or either in the period (all without one)."""
    info = procedure_info(conn)
    query = _dossier_query()
    if period is not None:
        received = and_(dossiers.c.received_at >= period.first_instant, dossiers.c.received_at < period.end_instant)
        done = and_(dossiers.c.done_at >= period.first_instant, dossiers.c.done_at < period.end_instant)
        query = query.where({"received": received, "done": done}.get(by, received | done))
    if procedures:
        query = query.where(dossiers.c.procedure.in_(list(procedures)))
    out = []
    for r in conn.execute(query.order_by(dossiers.c.instance_id)):
        meta = info.get(r.procedure, {"name": r.procedure, "public": True})
        out.append(DossierFact(
            r.instance_id, r.code, r.procedure, meta["name"], meta["public"], r.unit, r.unit_name, r.unit_id,
            r.channel, r.status_code, r.received_at, r.done_at, r.due_at, r.result, r.supplement_count,
            bool(r.late_marked), bool(r.apology_signed), bool(r.digitised), bool(r.e_result), r.rating))
    return out


def load_steps(conn: Connection, instance_ids: Iterable[int] | None = None,
               period: Period | None = None, of_dossiers_in: Period | None = None) -> list[StepFact]:
    """Completed steps of the given cases, or completed in `period`, or of the dossiers received or
    resolved in `of_dossiers_in`."""
    query = (select(human_tasks.c.instance_id, instances.c.unit_id, definitions.c.code, human_tasks.c.element_id,
                    human_tasks.c.name, human_tasks.c.roles, human_tasks.c.created_at, human_tasks.c.completed_at,
                    human_tasks.c.completed_by, human_tasks.c.due_duration, human_tasks.c.due_at,
                    human_tasks.c.result)
             .join(instances, instances.c.id == human_tasks.c.instance_id)
             .join(definitions, definitions.c.id == instances.c.definition_id)
             .where(human_tasks.c.state == "completed"))
    if period is not None:
        query = query.where(human_tasks.c.completed_at >= period.first_instant,
                            human_tasks.c.completed_at < period.end_instant)
    if of_dossiers_in is not None:
        p = of_dossiers_in
        query = query.where(human_tasks.c.instance_id.in_(select(dossiers.c.instance_id).where(
            and_(dossiers.c.received_at >= p.first_instant, dossiers.c.received_at < p.end_instant)
            | and_(dossiers.c.done_at >= p.first_instant, dossiers.c.done_at < p.end_instant))))
    rows = []
    if instance_ids is not None:
        ids = sorted(set(instance_ids))
        for i in range(0, len(ids), 900):
            rows.extend(conn.execute(query.where(human_tasks.c.instance_id.in_(ids[i:i + 900]))))
    else:
        rows = conn.execute(query).fetchall()
    return [StepFact(r.instance_id, r.unit_id, r.code, r.element_id, r.name, r.roles, r.created_at, r.completed_at,
                     r.completed_by, r.due_duration, r.due_at, r.result) for r in rows]


def department_of(conn: Connection) -> dict[tuple[str, str], str]:
    """(username, role) → the code of the unit where the user holds that role; (username, "") → their first unit."""
    query = (select(users.c.username, memberships.c.role_code, units.c.code)
             .join(memberships, memberships.c.user_id == users.c.id)
             .join(units, units.c.id == memberships.c.unit_id).order_by(memberships.c.id))
    out: dict[tuple[str, str], str] = {}
    for r in conn.execute(query):
        out[(r.username, r.role_code)] = r.code
        out.setdefault((r.username, ""), r.code)
    return out


def actor_roles(conn: Connection) -> dict[str, set[str]]:
    """username → {role@UNIT, …}, the form the conformance checker reads."""
    out: dict[str, set[str]] = {}
    for (username, role), unit in department_of(conn).items():
        if role:
            out.setdefault(username, set()).add(f"{role}@{unit}")
    return out


# What conformance checking reads (audits/conformance.py, deviations.py): these lifecycles, these payload keys.
CONFORMANCE_LIFECYCLES = ("case_start", "case_complete", "case_cancel", "schedule", "assign", "complete")
CONFORMANCE_KEYS = ("version", "task", "roles", "assignee", "kind", "held", "for")


def _payload_key(conn: Connection, key: str):
    """One top-level key of the stored payload, extracted by the database (JSON text for lists)."""
    if conn.dialect.name == "postgresql":
        return cast(events.c.payload, JSONB)[key].label(f"p_{key}")
    return func.json_extract(events.c.payload, f"$.{key}").label(f"p_{key}")


@lru_cache(maxsize=4096)
def _roles(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _decoded(key: str, value: Any) -> Any:
    """SQLite hands lists back as JSON text (the roles of a step, those an actor held); PostgreSQL as Python values."""
    return list(_roles(value)) if key in ("roles", "held") and isinstance(value, str) else value


def iter_case_logs(conn: Connection, case_ids: Iterable[int] | None = None, batch: int = 500,
                   lifecycles: Iterable[str] | None = None, times: bool = True,
                   keys: Iterable[str] | None = None) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(case id, its events in order) for every case (or the given ones), case by case.

    Only events of the given `lifecycles` when asked (seq numbers keep the gaps); `at` is None unless
    `times`; the payload decoded whole, or only its top-level `keys` (extracted by the database).
    """
    at = events.c.at if times else events.c.seq.label("at_unused")
    keys = tuple(keys) if keys is not None else None
    payload = [events.c.payload] if keys is None else [_payload_key(conn, k) for k in keys]
    columns = (events.c.case_id, events.c.seq, events.c.activity, events.c.activity_name, events.c.lifecycle,
               events.c.actor, at, *payload)
    base = select(*columns).order_by(events.c.case_id, events.c.seq)
    if lifecycles is not None:
        base = base.where(events.c.lifecycle.in_(list(lifecycles)))
    if case_ids is None:
        queries = [base]
    else:
        ids = sorted(set(case_ids))
        queries = [base.where(events.c.case_id.in_(ids[i:i + batch])) for i in range(0, len(ids), batch)]
    for query in queries:
        current: int | None = None
        rows: list[dict[str, Any]] = []
        for r in conn.execute(query).fetchall():
            if r.case_id != current:
                if current is not None:
                    yield current, rows
                current, rows = r.case_id, []
            if keys is None:
                data = json.loads(r.payload) if r.payload != "{}" else {}
            else:
                data = {k: _decoded(k, v) for k, v in zip(keys, r[7:], strict=True) if v is not None}
            rows.append({"seq": r.seq, "activity": r.activity, "activity_name": r.activity_name,
                         "lifecycle": r.lifecycle, "actor": r.actor, "at": r[6] if times else None,
                         "payload": data})
        if current is not None:
            yield current, rows
