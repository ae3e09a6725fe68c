"""Back-off per account after repeated failed logins, counted in the database every web worker shares.

The per-IP limit (Flask-Limiter) stops one machine guessing fast; it does not stop many machines guessing one
account's password slowly. Here, after FREE_FAILURES failed attempts in a row on one username (since its last
success, within WINDOW), each further attempt must wait twice as long as the one before, up to MAX_WAIT.
Attempts are the rows organisation.authenticate writes (login_attempts), so the count holds across workers
and restarts. Unknown usernames are counted the same way: the answer never tells whether a name exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .admin_schema import login_attempts
from .db import Database

FREE_FAILURES = 5
FIRST_WAIT = dt.timedelta(seconds=30)
MAX_WAIT = dt.timedelta(minutes=15)
WINDOW = dt.timedelta(days=1)


def failures_in_a_row(db: Database, username: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many failed attempts on `username` follow its last success (within WINDOW), and the last one's time."""
    name = username.replace("\x00", "")[:80]
    query = (select(login_attempts.c.success, login_attempts.c.at)
             .where(login_attempts.c.username == name, login_attempts.c.at > now - WINDOW)
             .order_by(login_attempts.c.at.desc(), login_attempts.c.id.desc()).limit(60))
    count, last = 0, None
    with db.read() as conn:
        for row in conn.execute(query):
            if row.success:
                break
            count += 1
            last = last or row.at
    return count, last


def wait_needed(db: Database, username: str, now: dt.datetime) -> dt.timedelta:
    """How long the next attempt on this username must wait (zero: it may be tried now)."""
    count, last = failures_in_a_row(db, username, now)
    if count < FREE_FAILURES or last is None:
        return dt.timedelta(0)
    wait = min(FIRST_WAIT * 2 ** min(count - FREE_FAILURES, 10), MAX_WAIT)
    return max(dt.timedelta(0), last + wait - now)
