"""How much a database holds, as a few numbers: what a long writer (the demo year) checks to know that the
database is still the one it left, before going on from where it stopped (demo/checkpoint.py)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from .schema import events, instances
from .workspace_schema import attachments, ratings, receptions


def footprint(conn: Connection) -> tuple[int, ...]:
    """Row count and last id of the tables cases write to (events, cases, counter visits, ratings, files):
    equal for the same committed work, different as soon as one more row was committed or rolled back
    on PostgreSQL (a sequence does not go back)."""
    out: list[int] = []
    for table in (events, instances, receptions, ratings, attachments):
        count, last = conn.execute(select(func.count(), func.coalesce(func.max(table.c.id), 0))).one()
        out += [int(count), int(last)]
    return tuple(out)


def first_event_hash(conn: Connection) -> str:
    """The hash of the first logged event ("" when none): it chains values drawn at random, so another
    database — even one made again at the same place — has another."""
    return conn.execute(select(events.c.hash).order_by(events.c.id).limit(1)).scalar() or ""
