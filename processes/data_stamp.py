"""A stamp of the data the audit reports read: equal stamps, same report. Issue 14: reports are cached per
period until new data arrive, so a report job first looks for a finished job with the same parameters and
the same stamp (jobs/submit.py), and a user may always ask for a fresh one.

The case history is append-only: every move of every case writes events, so the highest event id stands for
all of it (dossiers, steps, SLA results change only together with events). What changes without an event is
read whole or counted: the audit programme's small tables (plans, teams, checklists with their answers, samples,
findings, the QĐ 766 scores entered by hand), the units' names, apologies' states, ratings, and the procedure
versions in force.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Table, func, select

from .audit_schema import (
    audit_checklist,
    audit_findings,
    audit_plans,
    audit_samples,
    audit_team,
    index766_manual_scores,
)
from .db import Database
from .schema import apologies, events, procedure_versions, units
from .workspace_schema import ratings

# Small tables read whole: a changed answer or a renamed unit changes no count.
WHOLE = (audit_plans, audit_team, audit_checklist, audit_samples, audit_findings, index766_manual_scores, units)


def _rows(conn: Any, table: Table) -> list[list[str]]:
    return [[str(v) for v in row] for row in conn.execute(select(table).order_by(*table.primary_key.columns))]


def data_stamp(db: Database) -> str:
    """A short digest of everything a year's audit report depends on."""
    with db.read() as conn:
        parts: dict[str, Any] = {
            "events": conn.execute(select(func.max(events.c.id))).scalar(),
            "apologies": list(conn.execute(select(func.count(), func.max(apologies.c.id),
                                                  func.count(apologies.c.decided_at))).one()),
            "ratings": list(conn.execute(select(func.count(), func.max(ratings.c.id))).one()),
            "versions": [list(r) for r in conn.execute(select(procedure_versions.c.id, procedure_versions.c.status)
                                                       .order_by(procedure_versions.c.id))],
        }
        for table in WHOLE:
            parts[table.name] = _rows(conn, table)
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
