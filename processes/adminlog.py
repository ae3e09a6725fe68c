"""The administration log: who granted, revoked, reset, retired or issued what, in one hash chain.

Its rows belong to no case, so it is a chain of its own (table admin_events) hashed exactly like a case's
events (processes.eventlog.row_hash, with case id 0, which no case has): `verify` finds an edited, inserted
or deleted row the same way, and the anchors (processes/anchors.py) sign its head with the cases' heads.
The head is kept in chain_heads: without it a deleted last row would leave a chain that still verifies.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .admin_schema import admin_events, chain_heads
from .eventlog import GENESIS, Chain, Tampering, canonical_payload, row_hash

CHAIN = "admin"
CASE_ID = 0  # hashed into every row of the administration log; instance ids start at 1
LIFECYCLE = "admin"


@dataclass(frozen=True)
class AdminEvent:
    """One administrative action as the history page lists it."""

    seq: int
    action: str
    target: str
    actor: str | None
    at: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def units(self) -> list[str]:
        """The paths of the units the action touched (an agency's administrator sees the actions on theirs)."""
        return list(self.payload.get("units", []))


def head(conn: Connection, lock: bool = False) -> Chain:
    """The stored head of the administration log (locked for an append on PostgreSQL when `lock`)."""
    query = select(chain_heads.c.count, chain_heads.c.head).where(chain_heads.c.name == CHAIN)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return Chain(row[0], row[1]) if row else Chain()


def record(conn: Connection, actor: str | None, action: str, target: str, at: dt.datetime,
           units: Iterable[str] = (), /, **details: Any) -> Chain:
    """Append one action to the log inside the caller's transaction; return the new head."""
    if conn.dialect.name == "postgresql":
        # The first append of all inserts the head row; two at once must not both start the chain.
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('quytrinh.admin_events'))")
    before = head(conn, lock=True)
    payload = {**details, "units": sorted(set(units))}
    text = canonical_payload(payload)
    seq = before.count + 1
    digest = row_hash(CASE_ID, seq, action, target, LIFECYCLE, actor, at, text, before.head)
    conn.execute(insert(admin_events).values(seq=seq, action=action, target=target, actor=actor, at=at,
                                             payload=text, prev_hash=before.head, hash=digest))
    if before.count == 0:
        conn.execute(insert(chain_heads).values(name=CHAIN, count=seq, head=digest))
    else:
        conn.execute(update(chain_heads).where(chain_heads.c.name == CHAIN).values(count=seq, head=digest))
    return Chain(seq, digest)


def history(conn: Connection, limit: int = 200, before_seq: int | None = None,
            unit_paths: tuple[str, ...] | None = None, actor: str | None = None) -> list[AdminEvent]:
    """The newest actions first; with `unit_paths`, only those touching a unit at or below one of them or done
    by `actor` (an agency's administrator sees the accounts they created before any role was granted)."""
    query = select(admin_events).order_by(admin_events.c.seq.desc())
    if before_seq is not None:
        query = query.where(admin_events.c.seq < before_seq)
    found: list[AdminEvent] = []
    # Filtered in Python: the units are inside the hashed payload, and a page is a few hundred rows.
    for row in conn.execute(query):
        event = AdminEvent(row.seq, row.action, row.target, row.actor, row.at, json.loads(row.payload))
        if unit_paths is None or event.actor == actor or any(u.startswith(p) for u in event.units
                                                             for p in unit_paths):
            found.append(event)
            if len(found) >= limit:
                break
    return found


def rows(conn: Connection, upto: int | None = None) -> list[Any]:
    """The stored rows in order (the first `upto` of them), for verification."""
    query = select(admin_events).order_by(admin_events.c.seq)
    if upto is not None:
        query = query.where(admin_events.c.seq <= upto)
    return list(conn.execute(query))


def digest_of(row: Any, prev: str) -> str:
    """A stored row's hash recomputed from its content after `prev` (the project's own hash)."""
    return row_hash(CASE_ID, row.seq, row.action, row.target, LIFECYCLE, row.actor, row.at, row.payload, prev)


def verify(conn: Connection) -> list[Tampering]:
    """Recompute the administration log's chain; every edited, inserted or deleted row found (case id 0)."""
    found: list[Tampering] = []
    prev, seq = GENESIS, 0
    for row in rows(conn):
        seq += 1
        if row.seq != seq:
            found.append(Tampering(CASE_ID, seq, f"administration log row {seq} is missing (next is {row.seq})"))
            seq = row.seq
        if row.prev_hash != prev:
            found.append(Tampering(CASE_ID, row.seq, "administration log: previous-hash link is broken"))
        if digest_of(row, row.prev_hash) != row.hash:
            found.append(Tampering(CASE_ID, row.seq, "administration log: row content does not match its hash "
                                                     "(edited)"))
        prev = row.hash
    expected = head(conn)
    if seq != expected.count or prev != expected.head:
        found.append(Tampering(CASE_ID, seq, f"administration log ends at row {seq} but its head records "
                                             f"{expected.count} rows"))
    return found
