"""Job files are kept for a while, then deleted (issue 11): the jobs folder must not grow for years.

A file is deleted once no job has offered it for `keep` (QUYTRINH_JOBS_KEEP_DAYS, 30 days by default;
0 keeps every file). "Offered" counts the reports reused from it: asking again for an unchanged report
gives a new job, done at once, pointing at the earlier file (processes/jobs.py `reuse`), and that renews
the file's time. So a cached report stays while people keep asking for it, and once deleted the next
request simply makes it afresh (`reusable` needs the file on disk).

The rows stay (who ran what, when, with which outcome); they lose their file path and say why the file is
gone. The rows are updated before the file is deleted, in one transaction that checks again that no newer
job offers it, so a page never links a file that is about to go. Folders of jobs that left no file (a
failed job's partial write) are removed after the same time.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, update

from .clock import Clock
from .db import Database
from .jobs import DONE, jobs_dir
from .jobs_schema import jobs

DEFAULT_KEEP_DAYS = 30.0
EXPIRED = "Tệp đã được xoá sau {days} ngày lưu giữ; hãy chạy lại công việc nếu cần tệp này."


def keep_days() -> float:
    """How many days a job file is kept after it was last offered (QUYTRINH_JOBS_KEEP_DAYS; 0 = for ever)."""
    try:
        return max(0.0, float(os.environ.get("QUYTRINH_JOBS_KEEP_DAYS", DEFAULT_KEEP_DAYS)))
    except ValueError:
        return DEFAULT_KEEP_DAYS


@dataclass
class Expired:
    """What one pass removed: files (relative to the jobs folder) and leftover job folders."""

    files: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


def expire(db: Database, clock: Clock, days: float | None = None, root: Path | None = None) -> Expired:
    """Delete the job files nobody was offered for `days` (default keep_days()), and leftover folders."""
    days = keep_days() if days is None else days
    done = Expired()
    if days <= 0:
        return done
    root = root or jobs_dir()
    cutoff = clock.now() - dt.timedelta(days=days)
    last_offered = func.max(func.coalesce(jobs.c.finished_at, jobs.c.created_at))
    with db.read() as conn:
        candidates = conn.execute(select(jobs.c.file_path).where(jobs.c.file_path.is_not(None))
                                  .group_by(jobs.c.file_path).having(last_offered < cutoff)).scalars().all()
    text = EXPIRED.format(days=f"{days:g}")
    for relative in candidates:
        with db.write() as conn:
            newer = conn.execute(select(func.count()).where(
                jobs.c.file_path == relative, func.coalesce(jobs.c.finished_at, jobs.c.created_at) >= cutoff))
            if newer.scalar_one():
                continue  # offered again since the first look
            conn.execute(update(jobs).where(jobs.c.file_path == relative, jobs.c.status == DONE)
                         .values(file_path=None, message=text))
        _remove(root / relative)
        done.files.append(relative)
    done.folders = _leftover_folders(db, root, cutoff)
    return done


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    with suppress(OSError):  # the job's folder, once empty (a partial file of an earlier attempt keeps it)
        path.parent.rmdir()


def _leftover_folders(db: Database, root: Path, cutoff: dt.datetime) -> list[str]:
    """Numbered job folders no row points into, and uploads, untouched since before `cutoff` (a failed job's
    partial file or upload, a file whose row was removed): deleted."""
    if not root.is_dir():
        return []
    with db.read() as conn:
        used = {path.split("/", 1)[0] for path in conn.execute(
            select(jobs.c.file_path).where(jobs.c.file_path.is_not(None)).distinct()).scalars()}
    removed = []
    uploads = root / "uploads"  # files kept for import jobs (jobs/file_kinds.py); a failed job leaves its own
    candidates = [f for f in root.iterdir() if f.is_dir() and f.name.isdigit() and f.name not in used] + (
        [f for f in uploads.iterdir() if f.is_dir()] if uploads.is_dir() else [])
    for folder in candidates:
        newest = max((p.stat().st_mtime for p in folder.rglob("*")), default=folder.stat().st_mtime)
        if dt.datetime.fromtimestamp(newest, dt.UTC) < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.relative_to(root).as_posix())
    return sorted(removed)
