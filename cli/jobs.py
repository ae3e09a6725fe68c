"""`quytrinh jobs`: start a background job (a report, the demo year, a migration, an import…), list, show, retry.

A started job runs in `quytrinh worker`; its owner follows it at /jobs/<id> in the browser as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from processes import jobs
from processes.clock import SystemClock
from processes.db import Database
from processes.errors import InvalidInput

from .output import emit, handled, json_option
from .progress import Bar


def _payload(job: jobs.Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "title": job.title, "owner": job.owner, "status": job.status,
            "attempt": job.attempt, "percent": job.percent, "message": job.message, "error": job.error,
            "file": str(jobs.jobs_dir() / job.file_path) if job.file_path else None, "result": job.result,
            "created_at": job.created_at, "finished_at": job.finished_at}


def _line(job: jobs.Job) -> str:
    return (f"{job.id:>5}  {job.status:<8} {job.percent:>3}%  {job.owner:<10} {job.title}"
            + (f"\n       {job.error}" if job.error else ""))


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--param takes KEY=VALUE, not {pair!r}")
        params[key] = value
    return params


def follow(db: Database, job_id: int, bar: bool, every: float = 0.5) -> jobs.Job:
    """Poll the job until it is done or failed, moving a progress bar on stderr meanwhile."""
    with Bar("Đang chờ bộ xử lý nền…", enabled=bar) as progress:
        while True:
            job = jobs.get(db, job_id)
            if job.finished:
                progress(job.total or 1, job.total or 1, job.message)
                return job
            progress(job.done, job.total, job.message)
            time.sleep(every)


def jobs_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach the `jobs` group to the main group."""

    @main.group("jobs")
    def group() -> None:
        """Background jobs: start, list, show, retry (run by `quytrinh worker`)."""

    @group.command("start")
    @click.argument("kind", type=click.Choice(["report", "event_log", "demo", "migration", "staff_import",
                                               "plan_import", "log_check", "mail", "documents"]))
    @click.option("--param", "pairs", multiple=True, help="KEY=VALUE, e.g. year=2025 fmt=pdf kind=review.")
    @click.option("--file", "upload", type=click.Path(exists=True, dir_okay=False),
                  help="The file an import or a log check works on (kept in the jobs folder for the worker).")
    @click.option("--as", "owner", required=True, help="Who starts it (sees it at /jobs).")
    @click.option("--wait", is_flag=True, help="Follow the job with a progress bar until it ends.")
    @json_option
    @click.pass_context
    @handled
    def start(ctx: click.Context, kind: str, pairs: tuple[str, ...], upload: str | None, owner: str, wait: bool,
              as_json: bool) -> None:
        """Queue a job; a running `quytrinh worker` picks it up."""
        # Imported here: Celery loads only for the commands that publish.
        from jobs import CeleryQueue, submit
        from jobs.file_kinds import stash

        params = _params(pairs)
        if upload:
            params["upload"] = stash(Path(upload).read_bytes(), Path(upload).name)
        if kind in ("staff_import", "plan_import"):
            params.setdefault("actor", owner)
        db = get_db(ctx)
        job = submit(db, SystemClock(), CeleryQueue(), kind, params, owner)
        if not wait:
            emit(as_json, _payload(job), f"job {job.id} queued: {job.title}")
            return
        job = follow(db, job.id, not as_json)
        emit(as_json, _payload(job), lambda: _line(job) + (f"\n       {job.message}" if job.message else "")
             + (f"\n       {_payload(job)['file']}" if job.file_path else ""))
        if job.status != jobs.DONE:
            raise SystemExit(1)

    @group.command("list")
    @click.option("--user", default=None, help="Only this user's jobs (default: every user's).")
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
    @json_option
    @click.pass_context
    @handled
    def list_jobs(ctx: click.Context, user: str | None, limit: int, as_json: bool) -> None:
        """The latest jobs, newest first."""
        found = jobs.list_for(get_db(ctx), user, limit)
        emit(as_json, [_payload(j) for j in found], lambda: "\n".join(_line(j) for j in found) or "no jobs")

    @group.command("show")
    @click.argument("job_id", type=int)
    @json_option
    @click.pass_context
    @handled
    def show(ctx: click.Context, job_id: int, as_json: bool) -> None:
        """One job: status, progress, file, error."""
        job = jobs.get(get_db(ctx), job_id)
        emit(as_json, _payload(job), lambda: _line(job) + (f"\n       {job.message}" if job.message else ""))

    @group.command("retry")
    @click.argument("job_id", type=int)
    @json_option
    @click.pass_context
    @handled
    def retry(ctx: click.Context, job_id: int, as_json: bool) -> None:
        """Queue a failed job again (as an administrator: any user's job)."""
        from jobs import CeleryQueue, resubmit

        job = resubmit(get_db(ctx), SystemClock(), CeleryQueue(), job_id, "", is_admin=True)
        emit(as_json, _payload(job), f"job {job.id} queued again (attempt {job.attempt})")
