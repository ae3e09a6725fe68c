"""`python -m tests.jobs.slow_worker ARGS` is `quytrinh ARGS` with one more kind of job, "slow": a few steps
of a fraction of a second each, reporting progress, then a small file. Tests kill workers in the middle of it.

The kind is registered before Celery forks its pool, so the children that run jobs know it too.
"""

from __future__ import annotations

import time
from typing import Any

from cli.main import main
from jobs import kinds
from processes.clock import Clock
from processes.db import Database


def run_slow(db: Database, clock: Clock, params: dict[str, Any], progress: kinds.Progress) -> kinds.Made:
    """Count `steps` steps of `pause` seconds; the file says how many."""
    steps = int(params.get("steps", 10))
    for step in range(steps):
        progress(step, steps, f"Bước {step + 1}/{steps}")
        time.sleep(float(params.get("pause", 0.3)))
    return kinds.Made(f"{steps} bước".encode(), "ket-qua.txt", "text/plain; charset=utf-8", {"steps": steps})


kinds.RUNNERS["slow"] = run_slow

if __name__ == "__main__":
    main()
