"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file of its own, tuned for a queue.

`make run` must need no extra server, so without QUYTRINH_REDIS_URL / QUYTRINH_BROKER_URL the queue is a
SQLite file under the jobs folder (not the application's database: the worker polls it twice a second and
each poll takes SQLite's write lock, which must not hold up officers' transactions). kombu passes its
transport options straight to create_engine, so the two settings it has no option for live here: the
polling interval (0.5 s instead of 1 s: a job starts within half a second) and WAL with a busy timeout
(several web workers publish while the worker polls).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import sqlalchemy as kombu_sqla
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

ALIAS = "qtsqlite"


class Channel(kombu_sqla.Channel):
    """kombu's SQLAlchemy channel with SQLite connections that wait for the lock instead of failing."""

    def _get_or_create(self, queue: str) -> Any:
        # Two processes declaring the queue at once (a web worker's first publish, a starting worker): kombu
        # handles only OperationalError, so the loser's IntegrityError would fail a publish. The row is there now.
        try:
            return super()._get_or_create(queue)
        except IntegrityError:
            self.session.rollback()
            return super()._get_or_create(queue)

    def _engine_from_config(self) -> Engine:
        engine: Engine = super()._engine_from_config()

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine


class Transport(kombu_sqla.Transport):
    """The transport `qtsqlite+sqlite:///…` names."""

    Channel = Channel
    polling_interval = 0.5


def register() -> None:
    """Let broker URLs say `qtsqlite+sqlite:///path` (idempotent)."""
    TRANSPORT_ALIASES[ALIAS] = f"{__name__}:Transport"


def prune(url: str, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete delivered messages older than `older_than` from the SQLite queue at `url`; return how many.

    kombu's SQLAlchemy transport marks a delivered message invisible and never deletes it, so the file would
    grow by one row per job for ever. An old invisible message is dead: acknowledged, or lost with its worker
    (then the job watch has queued the job again under a new message).
    """
    path = url.split("///", 1)[-1]
    cutoff = dt.datetime.now() - older_than  # noqa: DTZ005 - kombu stamps rows with naive local time
    with sqlite3.connect(path, timeout=30) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'kombu_message'").fetchone():
            return 0
        return conn.execute("DELETE FROM kombu_message WHERE visible = 0 AND timestamp < ?",
                            (cutoff.isoformat(sep=" "),)).rowcount
