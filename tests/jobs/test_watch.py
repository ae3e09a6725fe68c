"""The job watch tells a dead worker process on this machine from a live one (or one elsewhere), and sends
again the jobs whose message may be lost."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess

from jobs.submit import submit
from jobs.watch import JobWatch, dead_here
from processes import jobs
from processes.clock import FixedClock


def test_a_worker_process_that_ended_on_this_machine_is_dead_and_others_are_not_judged():
    host = socket.gethostname()
    ended = subprocess.Popen(["true"])
    ended.wait()
    assert dead_here(f"{host}:{ended.pid}")
    assert not dead_here(f"{host}:{os.getpid()}")
    assert not dead_here(f"elsewhere:{ended.pid}")  # another machine's process: only its heartbeat tells
    assert not dead_here("")


class Down:
    """A broker that cannot be reached."""

    def send(self, job_id: int, attempt: int) -> None:
        raise ConnectionError("broker down")


class Kept:
    def __init__(self) -> None:
        self.sent: list[tuple[int, int]] = []

    def send(self, job_id: int, attempt: int) -> None:
        self.sent.append((job_id, attempt))


def test_a_job_whose_publish_failed_is_kept_and_sent_again_once_it_waited(db):
    clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    job = submit(db, clock, Down(), "event_log", {"fmt": "csv"}, "danhgia")  # no server error for the user
    assert jobs.get(db, job.id).status == "queued"
    kept = Kept()
    watch = JobWatch(db, kept, clock)
    clock.advance(seconds=100)
    assert watch.resend_queued(waited=300) == 0  # it may still be on its way
    clock.advance(seconds=250)
    assert watch.resend_queued(waited=300) == 1 and kept.sent == [(job.id, 1)]
