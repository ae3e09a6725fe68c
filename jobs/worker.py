"""The job worker process: Celery's worker (prefork pool) plus, in its main process, the BPMN scheduler
(timers, SLA sweep) and the job watch.

The scheduler starts before Celery, so timers and the SLA sweep run even while the broker cannot be reached
(Celery then keeps retrying the connection). The job watch starts once Celery is connected (worker_ready):
it publishes. Pool children are forked while these threads run; they share nothing with them (each child
opens its own Database, jobs/tasks.py) and Python re-creates the logging locks in a forked child.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from celery.signals import worker_ready, worker_shutdown

from processes.db import Database
from processes.jobs import jobs_dir
from processes.scheduler import Scheduler

from . import broker
from .celery_app import app, broker_url, embedded, queue_name
from .submit import CeleryQueue
from .watch import JobWatch

log = logging.getLogger("quytrinh.jobs")


def run_worker(db: Database, scheduler: Scheduler | None, concurrency: int, loglevel: str = "INFO",
               watch_every: float | None = None) -> int:
    """Run until stopped (SIGTERM / Ctrl-C: warm shutdown, the running jobs finish); return the exit code.

    The job watch looks for lost jobs every `watch_every` seconds (QUYTRINH_JOBS_WATCH_SECONDS, default 5).
    """
    # The pool's children open their own Database from this variable (jobs/tasks.py).
    os.environ["QUYTRINH_DATABASE_URL"] = db.url
    url = broker_url()
    if embedded(url):
        jobs_dir().mkdir(parents=True, exist_ok=True)
    every = watch_every if watch_every is not None else float(os.environ.get("QUYTRINH_JOBS_WATCH_SECONDS", "5"))
    watch = JobWatch(db, CeleryQueue(url), every=every,
                     housekeeping=(lambda: broker.prune(url)) if embedded(url) else None)

    def _ready(**_: Any) -> None:
        watch.start()

    def _shutdown(**_: Any) -> None:
        watch.stop()
        if scheduler is not None:
            scheduler.stop()

    worker_ready.connect(_ready, weak=False)
    worker_shutdown.connect(_shutdown, weak=False)
    if scheduler is not None:
        scheduler.start()
    log.info("job worker on %s (%d process(es))", url.split("@")[-1], concurrency)
    worker = app.Worker(concurrency=concurrency, loglevel=loglevel, queues=[queue_name()],
                        hostname=f"quytrinh-{os.getpid()}@{socket.gethostname()}", pool="prefork",
                        without_mingle=True, without_gossip=True)
    worker.start()
    return int(worker.exitcode or 0)
