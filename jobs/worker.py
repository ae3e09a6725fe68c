"""`quytrinh worker` with jobs: Celery's worker (prefork pool) in this process, the BPMN scheduler (timers, SLA
sweep) and the job watch in a process of their own beside it.

Why two processes: Celery forks its pool's children from this process, at start and whenever one dies. A fork
taken while another thread of the process holds an SQLite transaction leaves SQLite's per-process lock
bookkeeping wrong in the child ("database is locked" for 30 s, then failure: seen in the kill tests). So this
process touches no database at all; the scheduler and the watch run in a process started with "spawn" (a fresh
interpreter, nothing inherited), which also lets timers fire while the broker cannot be reached.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from dataclasses import dataclass
from typing import Any

from celery.signals import worker_shutdown

from processes import job_files
from processes.clock import SystemClock
from processes.db import Database
from processes.jobs import jobs_dir
from processes.scheduler import Scheduler

from . import broker
from .celery_app import app, broker_url, embedded, queue_name
from .submit import CeleryQueue
from .watch import JobWatch

log = logging.getLogger("quytrinh.jobs")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class SchedulerOptions:
    """The scheduler's settings (`quytrinh worker` options), carried to its process."""

    interval: float = 2.0
    sweep_every: float = 60.0
    limit: int = 100
    claim_seconds: float = 60.0


def run_worker(db_url: str, options: SchedulerOptions | None, concurrency: int, loglevel: str = "INFO") -> int:
    """Run until stopped (SIGTERM / Ctrl-C: warm shutdown, the running jobs finish); return the exit code.
    Without `options`, no scheduler runs beside the jobs (the job watch still does)."""
    # The pool's children open their own Database from this variable (jobs/tasks.py).
    os.environ["QUYTRINH_DATABASE_URL"] = db_url
    url = broker_url()
    if embedded(url):
        jobs_dir().mkdir(parents=True, exist_ok=True)
    beside = multiprocessing.get_context("spawn").Process(
        target=run_beside, args=(db_url, options, url, os.getpid()), name="quytrinh-scheduler")
    beside.start()

    def _stop_beside(**_: Any) -> None:
        if beside.pid is not None and beside.is_alive():
            os.kill(beside.pid, signal.SIGTERM)

    worker_shutdown.connect(_stop_beside, weak=False)
    log.info("job worker on %s (%d process(es)); scheduler and job watch in process %s",
             url.split("@")[-1], concurrency, beside.pid)
    worker = app.Worker(concurrency=concurrency, loglevel=loglevel, queues=[queue_name()],
                        hostname=f"quytrinh-{os.getpid()}@{socket.gethostname()}", pool="prefork",
                        without_mingle=True, without_gossip=True)
    try:
        worker.start()
    finally:
        _stop_beside()
        beside.join(30)
        if beside.is_alive():
            beside.kill()
    return int(worker.exitcode or 0)


def housekeeping(db: Database, broker_address: str) -> None:
    """At the worker's start and hourly: job files past their keeping time, the embedded queue's old messages."""
    expired = job_files.expire(db, SystemClock())
    if expired.files or expired.folders:
        log.info("deleted %d job file(s) and %d leftover folder(s) past %g days", len(expired.files),
                 len(expired.folders), job_files.keep_days())
    if embedded(broker_address):
        broker.prune(broker_address)


def run_beside(db_url: str, options: SchedulerOptions | None, broker_address: str, parent: int) -> None:
    """The scheduler and the job watch until SIGTERM / SIGINT, or until the worker process is gone."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    db = Database(db_url)
    every = float(os.environ.get("QUYTRINH_JOBS_WATCH_SECONDS", "5"))
    watch = JobWatch(db, CeleryQueue(broker_address), every=every,
                     housekeeping=lambda: housekeeping(db, broker_address))
    scheduler = None if options is None else Scheduler(
        db, SystemClock(), interval=options.interval, sweep_every=options.sweep_every, limit=options.limit,
        claim_seconds=options.claim_seconds)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    watch.start()
    if scheduler is not None:
        scheduler.start()
    # A worker killed with -9 cannot stop us: do not outlive it (this process would be re-parented).
    while not stop.wait(1.0) and os.getppid() == parent:
        pass
    watch.stop()
    if scheduler is not None:
        scheduler.stop()
    db.dispose()
