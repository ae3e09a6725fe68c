"""The citizen's view of a dossier: found only with its code AND the applicant's ID number.

The answer is the same (None) whether the code does not exist or the ID number does not match, and the
comparison takes the same time either way, so the lookup reveals nothing about which codes exist.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from .clock import Clock
from .db import Database
from .dossier_rules import LABELS, OPEN, PAUSED, RESOLVED, DossierStatus
from .eventlog import history
from .projection import OPEN as OPEN_TASKS
from .schema import definitions, dossiers, human_tasks, instances
from .workspace_schema import ratings

_DUMMY = "0" * 12
MISSING_FIELDS = ("noi_dung_bo_sung", "noi_dung_yeu_cau_bo_sung")


@dataclass(frozen=True)
class PublicDossier:
    """What the applicant may see about their dossier."""

    code: str
    procedure_name: str
    applicant_name: str | None
    status_code: int
    status: str
    received_at: dt.datetime
    appointment_at: dt.datetime | None
    original_appointment_at: dt.datetime | None
    done_at: dt.datetime | None
    returned_at: dt.datetime | None
    current_steps: list[str]
    missing: str | None
    rating: int | None
    may_rate: bool


def normalise_code(code: str | None) -> str:
    """A dossier code as typed or scanned: trimmed, upper case."""
    return (code or "").strip().upper()[:60]


def matches(conn: Connection, code: str, id_number: str) -> Any:
    """The dossier row when the code exists and the ID number matches it, else None (constant effort)."""
    code, id_number = normalise_code(code), (id_number or "").strip()
    row = conn.execute(select(dossiers).where(dossiers.c.code == code)).first() if code else None
    stored = (row.applicant_id_number or "") if row is not None else _DUMMY
    equal = hmac.compare_digest(stored.encode("utf-8"), id_number.encode("utf-8"))
    if row is None or not id_number or not stored or not equal:
        return None
    return row


def _missing(conn: Connection, instance_id: int) -> str | None:
    """What the applicant was last asked to add (from the step that asked for the supplement)."""
    for event in reversed(history(conn, instance_id)):
        data = (event["payload"] or {}).get("data") or {}
        if event["lifecycle"] == "complete":
            for name in MISSING_FIELDS:
                if isinstance(data.get(name), str) and data[name].strip():
                    return data[name].strip()
    return None


def lookup(db: Database, code: str, id_number: str, clock: Clock) -> PublicDossier | None:
    """The applicant's view of a dossier, or None when code and ID number do not match one."""
    with db.read() as conn:
        row = matches(conn, code, id_number)
        if row is None:
            return None
        name = conn.execute(select(definitions.c.name).join(instances, instances.c.definition_id == definitions.c.id)
                            .where(instances.c.id == row.instance_id)).scalar_one()
        steps = [r.name for r in conn.execute(select(human_tasks.c.name).where(
            human_tasks.c.instance_id == row.instance_id, human_tasks.c.state.in_(OPEN_TASKS)))]
        status = DossierStatus(row.status_code)
        missing = _missing(conn, row.instance_id) if status in PAUSED else None
        score = conn.execute(select(ratings.c.score).where(ratings.c.instance_id == row.instance_id)).scalar()
    return PublicDossier(row.code, name, row.applicant_name, row.status_code, LABELS[status], row.received_at,
                         row.appointment_at if status in OPEN or status in RESOLVED else None,
                         row.original_appointment_at if row.new_date_set else None, row.done_at, row.returned_at,
                         steps if status in OPEN else [], missing, score, status in RESOLVED and score is None)
