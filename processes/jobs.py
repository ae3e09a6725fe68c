"""Background jobs as records: create, claim, progress, finish, fail, retry, recover the abandoned ones.

The queue that carries jobs to workers (jobs/, Celery) may lose or duplicate a message: an embedded
broker forgets what a killed worker had reserved, Redis hands a message again after its visibility
timeout. The row here is the truth. A worker runs job N only after `claim` moved it from queued to
running for the attempt its message names, so a duplicate does nothing; a worker that dies stops the
heartbeat, and `recover_stale` queues the job again (or marks it failed after its last attempt), so a
job is never silently lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Row, and_, select, update

from .clock import Clock
from .db import Database
from .errors import InvalidTransition, NotFound
from .inserted import inserted_id
from .jobs_schema import jobs
from .keys import VN

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# What the progress page says when a worker stopped mid-job (users read Vietnamese).
LOST_RETRYING = "Bộ xử lý nền dừng giữa chừng; đang chạy lại (lần {attempt})."
LOST_FAILED = "Bộ xử lý nền dừng đột ngột khi đang chạy công việc này. Hãy bấm “Thử lại”."


def jobs_dir() -> Path:
    """Where job files go: QUYTRINH_JOBS_DIR, else instance/jobs under the project (not the working directory)."""
    configured = os.environ.get("QUYTRINH_JOBS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "instance" / "jobs"


@dataclass(frozen=True)
class Job:
    """One job as pages and workers see it."""

    id: int
    kind: str
    title: str
    params: dict[str, Any]
    owner: str
    status: str
    attempt: int
    max_attempts: int
    done: int
    total: int
    message: str
    worker: str
    file_path: str | None
    file_name: str | None
    content_type: str | None
    result: dict[str, Any]
    error: str
    created_at: dt.datetime
    queued_at: dt.datetime
    started_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def percent(self) -> int:
        """0–100: done out of total, 100 once done, 0 while nothing is counted yet."""
        if self.status == DONE:
            return 100
        if self.total <= 0:
            return 0
        return max(0, min(99, self.done * 100 // self.total))

    @property
    def finished(self) -> bool:
        """Done or failed: nothing more will happen unless someone retries."""
        return self.status in (DONE, FAILED)


def _job(row: Row[Any]) -> Job:
    return Job(id=row.id, kind=row.kind, title=row.title, params=json.loads(row.params or "{}"), owner=row.owner,
               status=row.status, attempt=row.attempt, max_attempts=row.max_attempts, done=row.done,
               total=row.total, message=row.message, worker=row.worker, file_path=row.file_path,
               file_name=row.file_name, content_type=row.content_type, result=json.loads(row.result or "{}"),
               error=row.error, created_at=row.created_at, queued_at=row.queued_at, started_at=row.started_at,
               heartbeat_at=row.heartbeat_at, finished_at=row.finished_at)


def create(db: Database, clock: Clock, kind: str, title: str, params: dict[str, Any], owner: str,
           max_attempts: int = 2) -> Job:
    """Record a new queued job (attempt 1); the caller then hands (id, 1) to the queue."""
    now = clock.now()
    with db.write() as conn:
        job_id = inserted_id(conn.execute(jobs.insert().values(
            kind=kind, title=title, params=_params_text(params), owner=owner, status=QUEUED,
            attempt=1, max_attempts=max(1, max_attempts), done=0, total=0, message="", worker="", result="{}",
            error="", created_at=now, queued_at=now)))
    return get(db, job_id)


def _params_text(params: dict[str, Any]) -> str:
    # Keys sorted: the same params are the same text, which is how a finished job is found again (reuse).
    return json.dumps(params, ensure_ascii=False, sort_keys=True)


def reusable(db: Database, kind: str, params: dict[str, Any]) -> Job | None:
    """The latest job of `kind` done with exactly `params` whose file is still there, or None."""
    with db.read() as conn:
        rows = conn.execute(select(jobs).where(jobs.c.kind == kind, jobs.c.params == _params_text(params),
                                               jobs.c.status == DONE)
                            .order_by(jobs.c.id.desc()).limit(5)).all()
    return next((job for job in map(_job, rows) if file_of(job) is not None), None)


def reuse(db: Database, clock: Clock, source: Job, owner: str) -> Job:
    """A job of `owner`, done at once, offering the file and result of `source` (a cached report)."""
    now = clock.now()
    made = source.finished_at or now
    with db.write() as conn:
        job_id = inserted_id(conn.execute(jobs.insert().values(
            kind=source.kind, title=source.title, params=_params_text(source.params), owner=owner, status=DONE,
            attempt=1, max_attempts=1, done=1, total=1,
            message=f"Dùng lại kết quả lập lúc {made.astimezone(VN):%H:%M ngày %d/%m/%Y}: dữ liệu chưa thay đổi "
                    "kể từ đó.",
            worker="", file_path=source.file_path, file_name=source.file_name, content_type=source.content_type,
            result=json.dumps({**source.result, "reused_from": source.id}, ensure_ascii=False, default=str),
            error="", created_at=now, queued_at=now, started_at=now, heartbeat_at=now, finished_at=now)))
    return get(db, job_id)


def get(db: Database, job_id: int) -> Job:
    """The job, or NotFound."""
    with db.read() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"job {job_id} not found")
    return _job(row)


def get_for(db: Database, job_id: int, user: str, is_admin: bool = False) -> Job:
    """The job if `user` started it (administrators see every job); otherwise NotFound, not a hint it exists."""
    job = get(db, job_id)
    if job.owner != user and not is_admin:
        raise NotFound(f"job {job_id} not found")
    return job


def list_for(db: Database, user: str | None, limit: int = 20) -> list[Job]:
    """The user's latest jobs (everyone's when `user` is None: the administrator's CLI), newest first."""
    query = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit)
    with db.read() as conn:
        rows = conn.execute(query if user is None else query.where(jobs.c.owner == user)).all()
    return [_job(r) for r in rows]


def claim(db: Database, clock: Clock, job_id: int, attempt: int, worker: str) -> Job | None:
    """Start running `attempt` of the job if it is still queued for it; None when another message got it first."""
    now = clock.now()
    with db.write() as conn:
        moved = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.attempt == attempt,
                                                jobs.c.status == QUEUED)
                             .values(status=RUNNING, worker=worker[:120], started_at=now, heartbeat_at=now,
                                     done=0, total=0, message="")).rowcount
    return get(db, job_id) if moved == 1 else None


def _running(job_id: int, attempt: int) -> Any:
    return and_(jobs.c.id == job_id, jobs.c.attempt == attempt, jobs.c.status == RUNNING)


def progress(db: Database, clock: Clock, job_id: int, attempt: int, done: int | None = None,
             total: int | None = None, message: str | None = None) -> bool:
    """Record how far the job got (and that its worker is alive); False when this attempt no longer owns it."""
    values: dict[str, Any] = {"heartbeat_at": clock.now()}
    if done is not None:
        values["done"] = max(0, done)
    if total is not None:
        values["total"] = max(0, total)
    if message is not None:
        values["message"] = message[:300]
    with db.write() as conn:
        return conn.execute(update(jobs).where(_running(job_id, attempt)).values(**values)).rowcount == 1


def finish(db: Database, clock: Clock, job_id: int, attempt: int, file_path: str | None = None,
           file_name: str | None = None, content_type: str | None = None,
           result: dict[str, Any] | None = None, message: str = "Hoàn thành") -> bool:
    """Mark the attempt done with its file (relative to jobs_dir) and summary; False if it was not ours."""
    now = clock.now()
    with db.write() as conn:
        return conn.execute(update(jobs).where(_running(job_id, attempt)).values(
            status=DONE, file_path=file_path, file_name=file_name, content_type=content_type,
            result=json.dumps(result or {}, ensure_ascii=False, default=str), message=message[:300],
            heartbeat_at=now, finished_at=now)).rowcount == 1


def fail(db: Database, clock: Clock, job_id: int, attempt: int, error: str,
         details: dict[str, Any] | None = None) -> bool:
    """Mark the attempt failed with an error people can read (and `details`, e.g. a service error's code and
    params so that pages can say it in the reader's language); False if it was not ours."""
    now = clock.now()
    with db.write() as conn:
        return conn.execute(update(jobs).where(_running(job_id, attempt)).values(
            status=FAILED, error=error[:4000], result=json.dumps(details or {}, ensure_ascii=False, default=str),
            heartbeat_at=now, finished_at=now)).rowcount == 1


def retry(db: Database, clock: Clock, job_id: int, user: str, is_admin: bool = False) -> Job:
    """Queue a failed job again as its next attempt (the caller hands (id, attempt) to the queue)."""
    job = get_for(db, job_id, user, is_admin)
    if job.status != FAILED:
        raise InvalidTransition(f"job {job_id} is {job.status}; only a failed job can be retried")
    now = clock.now()
    with db.write() as conn:
        moved = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == FAILED,
                                                jobs.c.attempt == job.attempt)
                             .values(status=QUEUED, attempt=job.attempt + 1,
                                     max_attempts=max(job.max_attempts, job.attempt + 1), done=0, total=0,
                                     message="", error="", result="{}", worker="", queued_at=now, started_at=None,
                                     heartbeat_at=None, finished_at=None)).rowcount
    if moved != 1:
        raise InvalidTransition(f"job {job_id} changed while being retried")
    return get(db, job_id)


def recover_stale(db: Database, clock: Clock, stale_after: float,
                  dead: Callable[[str], bool] | None = None) -> list[Job]:
    """Running jobs whose heartbeat stopped over `stale_after` seconds ago, or whose worker `dead(worker)` says
    is gone: queue them again as their next attempt while attempts remain (returned: the caller hands them to
    the queue), else mark them failed."""
    now = clock.now()
    cutoff = now - dt.timedelta(seconds=stale_after)
    requeued: list[int] = []
    with db.write() as conn:
        running = conn.execute(select(jobs.c.id, jobs.c.attempt, jobs.c.max_attempts, jobs.c.worker,
                                      jobs.c.heartbeat_at).where(jobs.c.status == RUNNING)).all()
        rows = [r for r in running if r.heartbeat_at is None or r.heartbeat_at < cutoff
                or (dead is not None and dead(r.worker))]
        for row in rows:
            if row.attempt < row.max_attempts:
                conn.execute(update(jobs).where(_running(row.id, row.attempt)).values(
                    status=QUEUED, attempt=row.attempt + 1, message=LOST_RETRYING.format(attempt=row.attempt + 1),
                    worker="", queued_at=now, heartbeat_at=None, started_at=None))
                requeued.append(row.id)
            else:
                conn.execute(update(jobs).where(_running(row.id, row.attempt)).values(
                    status=FAILED, error=LOST_FAILED, finished_at=now))
    return [get(db, job_id) for job_id in requeued]


def queued(db: Database, before: dt.datetime | None = None) -> list[Job]:
    """Every queued job (queued before `before`, if given), oldest first: the job watch hands them to the queue
    again, in case the broker lost their messages with a killed worker or a publish failed (a duplicate message
    is harmless: `claim` lets one through)."""
    query = select(jobs).where(jobs.c.status == QUEUED).order_by(jobs.c.id)
    with db.read() as conn:
        rows = conn.execute(query if before is None else query.where(jobs.c.queued_at < before)).all()
    return [_job(r) for r in rows]


def file_of(job: Job) -> Path | None:
    """The finished job's file on disk, or None."""
    if job.status != DONE or not job.file_path:
        return None
    path = jobs_dir() / job.file_path
    return path if path.is_file() else None
