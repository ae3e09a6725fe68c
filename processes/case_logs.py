"""Reading the event log in bulk, case by case, for conformance checking and the process-mining export.

The writing side (hash chains, appends, verification) is processes/eventlog.py; this module only reads,
so that audits never query the events table themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from .schema import events


def first_seq(conn: Connection, case_id: int, lifecycle: str) -> int | None:
    """The sequence number of the first event of a case with this lifecycle (e.g. case_complete), or None."""
    return conn.execute(select(events.c.seq).where(events.c.case_id == case_id, events.c.lifecycle == lifecycle)
                        .order_by(events.c.seq).limit(1)).scalar()


@dataclass(frozen=True)
class EventRef:
    """One event as audit evidence cites it."""

    seq: int
    activity: str
    lifecycle: str
    at: dt.datetime
    activity_name: str = ""


def event_at(conn: Connection, case_id: int, seq: int) -> EventRef | None:
    """The event of a case with this sequence number, or None."""
    row = conn.execute(select(events.c.seq, events.c.activity, events.c.lifecycle, events.c.at,
                              events.c.activity_name)
                       .where(events.c.case_id == case_id, events.c.seq == seq)).first()
    return None if row is None else EventRef(row.seq, row.activity, row.lifecycle, row.at, row.activity_name)


def event_count(conn: Connection, case_id: int) -> int:
    """How many events a case's log holds."""
    return int(conn.execute(select(func.count()).select_from(events).where(events.c.case_id == case_id))
               .scalar_one())


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
