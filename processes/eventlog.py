"""The append-only event log: every row chains to the previous row of its case by hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select

from .fastsql import Fast
from .schema import events, instances

GENESIS = "0" * 64
_INSERT = Fast(insert(events))


@dataclass(frozen=True)
class Event:
    """One thing that happened to a case: an activity's lifecycle step, by whom, when."""

    activity: str
    lifecycle: str
    at: dt.datetime
    actor: str | None = None
    activity_name: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chain:
    """The head of a case's chain: how many rows it has and the hash of the last one."""

    count: int = 0
    head: str = GENESIS


@dataclass(frozen=True)
class Tampering:
    """A row (or a gap) where the stored log differs from what was written."""

    case_id: int
    seq: int
    reason: str


def canonical_payload(payload: dict[str, Any]) -> str:
    """The payload as canonical JSON (sorted keys), the exact text that is hashed and stored."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def row_hash(case_id: int, seq: int, activity: str, activity_name: str, lifecycle: str,
             actor: str | None, at: dt.datetime, payload_text: str, prev_hash: str) -> str:
    """The hash of one row, covering every column and the previous row's hash."""
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    material = json.dumps(
        [case_id, seq, activity, activity_name, lifecycle, actor, stamp, payload_text, prev_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(conn: Connection, case_id: int, chain: Chain, new: list[Event]) -> Chain:
    """Insert events after `chain` for a case; return the new head (store it on the instance)."""
    if not new:
        return chain
    rows, prev, seq = [], chain.head, chain.count
    for ev in new:
        seq += 1
        text = canonical_payload(ev.payload)
        digest = row_hash(case_id, seq, ev.activity, ev.activity_name, ev.lifecycle, ev.actor, ev.at, text, prev)
        rows.append({
            "case_id": case_id, "seq": seq, "activity": ev.activity, "activity_name": ev.activity_name,
            "lifecycle": ev.lifecycle, "actor": ev.actor, "at": ev.at, "payload": text,
            "prev_hash": prev, "hash": digest,
        })
        prev = digest
    _INSERT.execute(conn, rows)
    return Chain(seq, prev)


def history(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """Every event of a case in order, payloads decoded."""
    result = conn.execute(select(events).where(events.c.case_id == case_id).order_by(events.c.seq))
    return [{**row._asdict(), "payload": json.loads(row.payload)} for row in result]


def verify(conn: Connection, case_id: int | None = None) -> list[Tampering]:
    """Recompute every chain (or one case's); return each edited, inserted or deleted row found."""
    query = select(instances.c.id, instances.c.event_count, instances.c.event_head)
    if case_id is not None:
        query = query.where(instances.c.id == case_id)
    found: list[Tampering] = []
    for inst in conn.execute(query):
        found.extend(_verify_case(conn, inst.id, Chain(inst.event_count, inst.event_head or GENESIS)))
    return found


def _verify_case(conn: Connection, case_id: int, expected: Chain) -> list[Tampering]:
    rows = conn.execute(select(events).where(events.c.case_id == case_id).order_by(events.c.seq))
    found: list[Tampering] = []
    prev, seq = GENESIS, 0
    for row in rows:
        seq += 1
        if row.seq != seq:
            found.append(Tampering(case_id, seq, f"row {seq} is missing (next stored row is {row.seq})"))
            seq = row.seq
        if row.prev_hash != prev:
            found.append(Tampering(case_id, row.seq, "previous-hash link is broken"))
        digest = row_hash(case_id, row.seq, row.activity, row.activity_name, row.lifecycle, row.actor,
                          row.at, row.payload, row.prev_hash)
        if digest != row.hash:
            found.append(Tampering(case_id, row.seq, "row content does not match its hash (edited)"))
        prev = row.hash
    if seq != expected.count or prev != expected.head:
        found.append(Tampering(case_id, seq, f"log ends at row {seq} but the case recorded {expected.count} rows"))
    return found
