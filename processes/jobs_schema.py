"""The `jobs` table: long work (reports, exports, the demo year, bulk migration) run outside the request.

The queue (Celery, see jobs/) only carries "run job N, attempt A"; this row is what pages read: status,
progress, the file made and the error. It lives in the application's database so that it survives worker
restarts and every web worker sees the same state. It shares processes/schema.py's MetaData
(processes/db.py imports this module so that `create_all` creates it).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from .schema import UTCDateTime, metadata

jobs = Table(
    "jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),  # report | event_log | demo | migration (jobs/kinds.py)
    Column("title", String(300), nullable=False),  # what the progress page calls it, in Vietnamese
    Column("params", Text, nullable=False, default="{}"),  # JSON: what the job works on
    Column("owner", String(80), nullable=False),  # who started it: only they (and administrators) see it
    Column("status", String(12), nullable=False),  # queued | running | done | failed
    # The attempt the queue's message must carry: a stale or duplicated message of an earlier attempt is
    # ignored (claims compare it), so a retry never runs twice.
    Column("attempt", Integer, nullable=False, default=1),
    Column("max_attempts", Integer, nullable=False, default=2),
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("message", String(300), nullable=False, default=""),
    Column("worker", String(120), nullable=False, default=""),
    Column("file_path", String(500), nullable=True),  # relative to the jobs folder (processes.jobs.jobs_dir)
    Column("file_name", String(255), nullable=True),  # the name offered for download
    Column("content_type", String(100), nullable=True),
    Column("result", Text, nullable=False, default="{}"),  # JSON summary (headline figures…)
    Column("error", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    # Written every few seconds while the job runs: a running job whose heartbeat stops lost its worker.
    Column("heartbeat_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Index("ix_jobs_owner_created", "owner", "created_at"),
    Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),
)
