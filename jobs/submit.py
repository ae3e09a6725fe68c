"""Starting jobs: record them (processes.jobs), then hand (job id, attempt) to the queue.

The queue is an object so that the web app and tests can choose it: CeleryQueue publishes to the broker,
a test may collect what was sent and run it with jobs.runner.execute.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from processes import jobs
from processes.clock import Clock
from processes.data_stamp import data_stamp
from processes.db import Database

from . import document_batch, file_kinds, kinds
from .celery_app import app, broker_url, embedded, queue_name
from .tasks import run_job

log = logging.getLogger("quytrinh.jobs")


class JobQueue(Protocol):
    """Where started jobs go."""

    def send(self, job_id: int, attempt: int) -> None:
        """Ask a worker to run `attempt` of the job."""
        ...


class CeleryQueue:
    """Publishes to the broker and queue of jobs/celery_app.py (or `url`, `queue`)."""

    def __init__(self, url: str | None = None, queue: str | None = None) -> None:
        self.url = url or broker_url()
        self.queue = queue or queue_name()

    def send(self, job_id: int, attempt: int) -> None:
        """Publish the message; a worker picks it up whenever one runs (`quytrinh worker`)."""
        if embedded(self.url):
            jobs.jobs_dir().mkdir(parents=True, exist_ok=True)
        with app.connection_for_write(self.url) as conn:
            run_job.apply_async((job_id, attempt), connection=conn, queue=self.queue)


# Kinds whose result depends only on their params and the data: a finished one is reused while the data
# stamp (processes/data_stamp.py) is unchanged (issue 14: reports cached per period until new data arrive).
CACHED = ("report",)


def submit(db: Database, clock: Clock, queue: JobQueue, kind: str, params: dict[str, Any], owner: str,
           max_attempts: int = 2, fresh: bool = False) -> jobs.Job:
    """Record a job of `kind` (InvalidInput if its params make no sense) and queue its first attempt; a cached
    kind returns a job already done with the file of an earlier one when nothing changed (unless `fresh`)."""
    if kind in file_kinds.UPLOAD_KINDS:
        title = file_kinds.describe_upload(kind, params)
    elif kind == "documents":
        title = document_batch.describe(params)
    elif kind == "mail":
        title = "Gửi thư và tin nhắn trong hộp thư đi"
    else:
        title = kinds.describe(kind, params)
    if kind in CACHED:
        year, fmt, which = kinds.report_params(params)  # one spelling of the same request, as the cache key
        params = {"year": year, "fmt": fmt, "kind": which, "data_stamp": data_stamp(db),
                  # a reader's report covers their agencies: it is never handed to a reader of others
                  **({} if (agencies := kinds.report_agencies(params)) is None else {"agencies": agencies})}
        earlier = None if fresh else jobs.reusable(db, kind, params)
        if earlier is not None:
            return jobs.reuse(db, clock, earlier, owner)
    job = jobs.create(db, clock, kind, title, params, owner, max_attempts)
    _send(queue, job)
    return job


def _send(queue: JobQueue, job: jobs.Job) -> None:
    # The job is recorded: if the broker is down now, the job watch sends it again later (jobs/watch.py), and
    # its page says meanwhile that no worker took it. The user is not shown a server error.
    try:
        queue.send(job.id, job.attempt)
    except Exception:
        log.exception("job %s: publishing failed; the job watch will send it again", job.id)


def resubmit(db: Database, clock: Clock, queue: JobQueue, job_id: int, user: str,
             is_admin: bool = False) -> jobs.Job:
    """Retry a failed job as its next attempt."""
    job = jobs.retry(db, clock, job_id, user, is_admin)
    _send(queue, job)
    return job
