"""Running one attempt of a job: claim it, keep its heartbeat going, store its file, record the outcome.

`execute` is what the Celery task calls; tests call it directly. The heartbeat is a thread of its own
because some work is one long call (rendering a report's PDF) that reports no progress for a while:
a job whose heartbeat stops is taken for lost (processes.jobs.recover_stale), so only a dead worker
may stop it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from processes import jobs
from processes.clock import Clock, SystemClock
from processes.db import Database
from processes.errors import InvalidInput, ServiceError

from . import document_batch, file_kinds
from .kinds import RUNNERS, Made

log = logging.getLogger("quytrinh.jobs")


def heartbeat_seconds() -> float:
    """How often a running job says it is alive (QUYTRINH_JOBS_HEARTBEAT, default 5 s)."""
    return float(os.environ.get("QUYTRINH_JOBS_HEARTBEAT", "5"))


def stale_seconds() -> float:
    """How long without a heartbeat before a running job counts as lost (QUYTRINH_JOBS_STALE_SECONDS, 60 s)."""
    return float(os.environ.get("QUYTRINH_JOBS_STALE_SECONDS", "60"))


class Abandoned(Exception):
    """This attempt no longer owns its job (it was recovered as lost and queued again): stop quietly."""


class _Heartbeat:
    """Beats every `every` seconds in a thread while the job runs."""

    def __init__(self, db: Database, clock: Clock, job_id: int, attempt: int, every: float) -> None:
        self.db, self.clock, self.job_id, self.attempt, self.every = db, clock, job_id, attempt, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                jobs.progress(self.db, self.clock, self.job_id, self.attempt)
            except Exception:  # the database is briefly unreachable: the next beat may get through
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(self.every + 5)


@dataclass
class _Reporter:
    db: Database
    clock: Clock
    job_id: int
    attempt: int

    def __call__(self, done: int, total: int, message: str) -> None:
        if not jobs.progress(self.db, self.clock, self.job_id, self.attempt, done, total, message):
            raise Abandoned


def worker_name() -> str:
    """host:pid of this process, recorded on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def error_text(exc: BaseException) -> str:
    """What the progress page shows of a failure: the use case's message, or the kind of unexpected error."""
    if isinstance(exc, ServiceError):
        return f"Không thực hiện được: {exc}"
    return f"Lỗi ngoài dự kiến ({type(exc).__name__}): {exc}"


def _store(job: jobs.Job, made: Made) -> str | None:
    """Write the file under jobs_dir()/<id>/ (whole or not at all) and return its path relative to jobs_dir()."""
    if made.content is None or not made.file_name:
        return None
    folder = jobs.jobs_dir() / str(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(made.file_name).name
    partial = target.with_name(f".{target.name}.{job.attempt}.part")
    partial.write_bytes(made.content)
    partial.replace(target)  # atomic: a page never offers half a file
    return f"{job.id}/{target.name}"


def execute(db: Database, job_id: int, attempt: int, clock: Clock | None = None,
            beat_every: float | None = None) -> str:
    """Run `attempt` of job `job_id` if it is still queued for it; return what happened (for logs and tests):
    skipped (another delivery got it, or it is no longer queued), done, failed or abandoned."""
    clock = clock or SystemClock()
    job = jobs.claim(db, clock, job_id, attempt, worker_name())
    if job is None:
        log.info("job %s attempt %s: not queued for this attempt, skipped", job_id, attempt)
        return "skipped"
    run = RUNNERS.get(job.kind) or file_kinds.RUNNERS.get(job.kind) or (
        document_batch.run_documents if job.kind == "documents" else None)
    try:
        if run is None:
            raise ValueError(f"unknown job kind {job.kind!r}")
        with _Heartbeat(db, clock, job_id, attempt, beat_every or heartbeat_seconds()):
            made = run(db, clock, job.params, _Reporter(db, clock, job_id, attempt))
            stored = _store(job, made)
    except Abandoned:
        log.warning("job %s attempt %s was taken over; stopped", job_id, attempt)
        return "abandoned"
    except Exception as exc:
        log.exception("job %s attempt %s failed", job_id, attempt)
        coded: dict[str, Any] | None = ({"error_code": exc.code, "error_params": exc.params}
                                        if isinstance(exc, ServiceError) else None)
        if isinstance(exc, InvalidInput) and exc.errors and coded is not None:
            coded["errors"] = list(exc.errors.values())  # each wrong row of an import, in Vietnamese
        jobs.fail(db, clock, job_id, attempt, error_text(exc), coded)
        return "failed"
    finished = jobs.finish(db, clock, job_id, attempt, stored, made.file_name if stored else None,
                           made.content_type if stored else None, made.result)
    return "done" if finished else "abandoned"
