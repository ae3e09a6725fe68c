"""Tables the running service shares between its processes: sessions, rate-limit counters, cache generations.

Several gunicorn workers, job workers and the CLI share nothing but the database (and Redis when one is
configured). What one process must know of another's doing lives here: who is logged in and whether that
session was ended (processes.sessions), how many attempts a client made (processes.rate_counters) and
whether what a process cached still mirrors the database (processes.generations).
They share processes/schema.py's MetaData (processes/db.py imports this module so `create_all` makes them).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from .schema import UTCDateTime, metadata

web_sessions = Table(
    "web_sessions", metadata,
    # The SHA-256 of the random token the cookie carries: a copy of the database (a backup) opens no session.
    Column("id", String(64), primary_key=True),
    Column("username", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),  # logout, an administrator, or a password change
    Column("user_agent", String(200), nullable=False, default=""),  # so an administrator can tell them apart
    Index("ix_web_sessions_username", "username"),
)

rate_limits = Table(
    "rate_limits", metadata,
    Column("key", String(512), primary_key=True),  # what is limited and for whom (Flask-Limiter's key)
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),  # end of the fixed window, seconds since the epoch
)

cache_generations = Table(
    "cache_generations", metadata,
    Column("name", String(40), primary_key=True),  # "calendar", "epoch" (processes.generations)
    # A random token, new at every change: a restored backup brings old tokens back, and a counter could
    # then return to a value a process already saw.
    Column("token", String(32), nullable=False),
)
