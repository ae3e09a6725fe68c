"""Cache generations: a process keeps what it cached only while the database says nothing it mirrors changed.

Most caches need no such check: compiled procedures, BPMN markers and element properties are keyed by a
definition's id or content hash (a deployed definition never changes), live workflows by a case's lock
version, and the active version of a procedure is read from the database every time. Two things can
still go stale in a long-running process (a web worker, a job worker) when another process acts:

* ``calendar``: working calendars are cached per agency. Rules and overrides are replaced by delete +
  insert, and SQLite hands a deleted row's id to the next insert, so "how many rows, highest id" could not
  tell the new rule from the old one. Every change of a rule or override writes a new token in the same
  transaction; the calendar's fingerprint reads it (processes.calendar_store).
* ``epoch``: a restored backup (or a database rebuilt under a running server) gives old ids new contents.
  `refresh` (once per web request, once per job) compares the epoch token with the one the process saw and,
  when it differs, drops every per-database cache.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable

from sqlalchemy import Connection, insert, select, update

from .db import Database
from .runtime_schema import cache_generations

CALENDAR = "calendar"
EPOCH = "epoch"

_seen: weakref.WeakKeyDictionary[Database, str | None] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
# What else to forget on a new epoch (calendar_store registers its per-engine caches).
_forgetters: list[Callable[[Database], None]] = []


def bump(conn: Connection, name: str) -> str:
    """Write a new token for `name` inside the caller's transaction; return it."""
    token = uuid.uuid4().hex
    if conn.execute(update(cache_generations).where(cache_generations.c.name == name)
                    .values(token=token)).rowcount == 0:
        conn.execute(insert(cache_generations).values(name=name, token=token))
    return token


def token_of(conn: Connection, name: str) -> str | None:
    """The current token of `name` (None until the first change)."""
    return conn.execute(select(cache_generations.c.token).where(cache_generations.c.name == name)).scalar()


def on_new_epoch(forget: Callable[[Database], None]) -> None:
    """Call `forget(db)` whenever `refresh` finds that the database was replaced."""
    _forgetters.append(forget)


def refresh(db: Database) -> bool:
    """Drop the caches of `db` if the database was replaced since this process last looked; True if it was."""
    with db.read() as conn:
        token = token_of(conn, EPOCH)
    with _lock:
        if db not in _seen:  # first look: what is cached was read from this very database
            _seen[db] = token
            return False
        if _seen[db] == token:
            return False
        _seen[db] = token
    db.procedures.clear()
    db.live.clear()
    for forget in _forgetters:
        forget(db)
    return True


def new_epoch(db: Database) -> None:
    """Mark the database as replaced (after a restore): every process drops its caches on its next look."""
    with db.write() as conn:
        bump(conn, EPOCH)
        bump(conn, CALENDAR)
