"""The embedded queue (jobs/broker.py): a SQLite file that kombu's SQLAlchemy transport never empties of
delivered messages; the job watch prunes them."""

from __future__ import annotations

import datetime as dt
import sqlite3

from kombu.transport import sqlalchemy as kombu_sqla
from sqlalchemy.exc import IntegrityError

from jobs import broker
from tests.jobs.workers import queue_of


def test_delivered_messages_older_than_a_day_are_pruned_and_waiting_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path))
    queue = queue_of(tmp_path)
    for job_id in (1, 2, 3):
        queue.send(job_id, 1)
    path = tmp_path / "queue.sqlite"
    old = (dt.datetime.now() - dt.timedelta(days=2)).isoformat(sep=" ")  # noqa: DTZ005 - kombu's naive local time
    with sqlite3.connect(path) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM kombu_message ORDER BY id")]
        assert len(ids) == 3 and conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute("UPDATE kombu_message SET visible = 0, timestamp = ? WHERE id = ?", (old, ids[0]))
        conn.execute("UPDATE kombu_message SET visible = 0 WHERE id = ?", (ids[1],))  # delivered just now
    assert broker.prune(queue.url) == 1
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM kombu_message ORDER BY id")] == ids[1:]


def test_a_publish_that_loses_the_race_to_declare_the_queue_still_goes_through(tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path))
    declare = kombu_sqla.Channel._get_or_create
    lost = []

    def racing(self, queue):
        # Another process inserted the queue row between kombu's SELECT and its INSERT, once.
        if not lost:
            lost.append(queue)
            raise IntegrityError("INSERT INTO kombu_queue", {}, Exception("UNIQUE constraint failed"))
        return declare(self, queue)

    monkeypatch.setattr(kombu_sqla.Channel, "_get_or_create", racing)
    queue_of(tmp_path).send(7, 1)
    with sqlite3.connect(tmp_path / "queue.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM kombu_message").fetchone()[0] == 1
    assert lost
