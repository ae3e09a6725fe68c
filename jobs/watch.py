"""The job watch, in every `quytrinh worker`: no job stays lost when a worker dies.

At start it hands every queued job to the queue again (the embedded broker forgets the messages a killed
worker had reserved; a duplicate is harmless, processes.jobs.claim lets one through). Then every few
seconds it queues again, or marks failed, the running jobs whose heartbeat stopped, or whose process on
this machine is gone (a killed pool child: no need to wait for the heartbeat to go stale).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from processes import jobs
from processes.clock import Clock, SystemClock
from processes.db import Database

from .runner import stale_seconds
from .submit import JobQueue

log = logging.getLogger("quytrinh.jobs")
RESEND_SECONDS = 300.0


def dead_here(worker: str) -> bool:
    """True when `worker` (host:pid, jobs.runner.worker_name) ran on this machine and its process is gone: its
    job need not wait for the heartbeat to go stale. (A recycled pid only delays that to the heartbeat.)"""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class JobWatch:
    """Requeues lost jobs; `start` runs it in a daemon thread, `tick` does one pass."""

    def __init__(self, db: Database, queue: JobQueue, clock: Clock | None = None, every: float = 5.0,
                 stale_after: float | None = None, housekeeping: Callable[[], object] | None = None) -> None:
        self.db, self.queue, self.clock, self.every = db, queue, clock or SystemClock(), every
        self.stale_after = stale_after if stale_after is not None else stale_seconds()
        self.housekeeping = housekeeping  # run at start and hourly (job files past keeping, queue pruning)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def resend_queued(self, waited: float | None = None) -> int:
        """Send the current attempt of every queued job (that waited over `waited` seconds) again; how many."""
        before = None if waited is None else self.clock.now() - dt.timedelta(seconds=waited)
        waiting = jobs.queued(self.db, before)
        for job in waiting:
            self.queue.send(job.id, job.attempt)
        if waiting:
            log.info("re-sent %d queued job(s) to the queue", len(waiting))
        return len(waiting)

    def tick(self) -> int:
        """Recover the running jobs whose worker died; return how many were queued again. Never raises."""
        try:
            requeued = jobs.recover_stale(self.db, self.clock, self.stale_after, dead_here)
            for job in requeued:
                log.warning("job %s lost its worker; queued again as attempt %s", job.id, job.attempt)
                self.queue.send(job.id, job.attempt)
            return len(requeued)
        except Exception:  # database or broker briefly down: try again next pass
            log.exception("job watch pass failed")
            return 0

    def _housekeep(self) -> None:
        if self.housekeeping is not None:
            try:
                self.housekeeping()
            except Exception:
                log.exception("housekeeping failed")

    def _run(self) -> None:
        # At start every queued job; then, every RESEND_SECONDS, those that waited that long (a publish that
        # failed, a message lost elsewhere) — until the broker takes them, for it may be unreachable.
        waited: float | None = None
        next_resend = next_housekeeping = time.monotonic()
        while True:
            if time.monotonic() >= next_resend:
                try:
                    self.resend_queued(waited)
                    waited, next_resend = RESEND_SECONDS, time.monotonic() + RESEND_SECONDS
                except Exception:
                    log.exception("re-sending queued jobs failed; trying again")
            self.tick()
            if time.monotonic() >= next_housekeeping:
                self._housekeep()
                next_housekeeping = time.monotonic() + 3600
            if self._stop.wait(self.every):
                return

    def start(self) -> threading.Thread:
        """Run in a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="quytrinh-job-watch", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current pass."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
