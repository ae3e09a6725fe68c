"""Fixed-window counters in the database: rate limits that hold across web workers and restarts.

The web app's limiter (Flask-Limiter, through the `limits` library) keeps its counters here when no Redis
is configured (web/limits_storage.py adapts this module to `limits`). One statement per hit: an upsert that
starts a new window when the old one expired, so two workers counting at once never lose a hit.
"""

from __future__ import annotations

import random
import time

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import Database
from .runtime_schema import rate_limits

# About one hit in this many also deletes expired windows, so the table stays small without a job.
PURGE_ONE_IN = 200


def hit(db: Database, key: str, expiry: int, amount: int = 1, now: float | None = None) -> int:
    """Count `amount` hits on `key` in its window of `expiry` seconds; return the window's count."""
    now = time.time() if now is None else now
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    expired = rate_limits.c.expires_at <= now
    upsert = insert(rate_limits).values(key=key, count=amount, expires_at=now + expiry)
    stmt = upsert.on_conflict_do_update(index_elements=[rate_limits.c.key], set_={
        # Both expressions read the row as it was: an expired window restarts at this hit.
        "count": case((expired, amount), else_=rate_limits.c.count + amount),
        "expires_at": case((expired, now + expiry), else_=rate_limits.c.expires_at),
    }).returning(rate_limits.c.count)
    with db.write() as conn:
        found = int(conn.execute(stmt).scalar_one())
        if random.randrange(PURGE_ONE_IN) == 0:  # noqa: S311 - spreading housekeeping, not security
            conn.execute(delete(rate_limits).where(rate_limits.c.expires_at <= now))
    return found


def count(db: Database, key: str, now: float | None = None) -> int:
    """Hits on `key` in its current window (0 when it expired)."""
    now = time.time() if now is None else now
    with db.read() as conn:
        found = conn.execute(select(rate_limits.c.count).where(rate_limits.c.key == key,
                                                               rate_limits.c.expires_at > now)).scalar()
    return int(found or 0)


def expiry(db: Database, key: str, now: float | None = None) -> float:
    """When the window of `key` ends, in seconds since the epoch (now when there is none)."""
    now = time.time() if now is None else now
    with db.read() as conn:
        found = conn.execute(select(rate_limits.c.expires_at).where(rate_limits.c.key == key,
                                                                    rate_limits.c.expires_at > now)).scalar()
    return float(found) if found is not None else now


def clear(db: Database, key: str | None = None) -> int:
    """Forget the counter of `key` (every counter when None); return how many were removed."""
    with db.write() as conn:
        query = delete(rate_limits) if key is None else delete(rate_limits).where(rate_limits.c.key == key)
        return conn.execute(query).rowcount
