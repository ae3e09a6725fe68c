"""Tables of administration: its hash-chained log, the heads of chains kept outside a case, login attempts.

They share processes/schema.py's MetaData (processes/db.py imports this module so `create_all` makes them).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from .schema import UTCDateTime, metadata

# The administration log: the hash scheme of `events` (processes.eventlog.row_hash, case id 0) in a chain of
# its own, since its rows belong to no case. Its head is kept in chain_heads, so a deleted last row is seen.
admin_events = Table(
    "admin_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("actor", String(80), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("seq", name="uq_admin_events_seq"),
)

chain_heads = Table(
    "chain_heads", metadata,
    Column("name", String(40), primary_key=True),  # "admin": the administration log
    Column("count", Integer, nullable=False),
    Column("head", String(64), nullable=False),
)

# Every login attempt, successful or not (the username as typed, so probing for names shows too).
login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("source", String(64), nullable=False, default=""),
    Index("ix_login_attempts_user", "username", "at"),
)
