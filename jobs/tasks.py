"""The one Celery task: run attempt A of job N (what it does is the job's kind, jobs/kinds.py).

Each worker process opens its own Database: a prefork child must not share its parent's pooled
connections, so the database is made on first use in the process that runs the task.
"""

from __future__ import annotations

import os

from processes.db import Database

from .celery_app import app
from .runner import execute

_databases: dict[int, Database] = {}


def database() -> Database:
    """This process's Database on QUYTRINH_DATABASE_URL (`quytrinh worker --database` sets it)."""
    pid = os.getpid()
    if pid not in _databases:
        _databases[pid] = Database(os.environ.get("QUYTRINH_DATABASE_URL"))
    return _databases[pid]


@app.task(name="quytrinh.run_job")
def run_job(job_id: int, attempt: int) -> str:
    """Run the job's attempt; duplicates and stale deliveries return 'skipped'."""
    return execute(database(), job_id, attempt)
