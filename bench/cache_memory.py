"""Resident memory of a worker's live-workflow cache (issue 15 item 3): 2,000 cases (the cache's bound) and 10,000.

Starts cases of a procedure through `instances.start` and moves each a few steps (so the cached workflows are
mid-way, as a worker's are), with the cache's capacity raised to hold them all, and prints the process's
resident set size (VmRSS) before and as the cache fills, the cache's length, and the memory per cached case.
SQLite with synchronous=NORMAL: the durable commit is not what is measured here.

    python bench/cache_memory.py [--cases 10000] [--steps 2] [--procedure bpmn/QT-XD-01.bpmn]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QUYTRINH_SQLITE_SYNCHRONOUS", "NORMAL")

from engine_throughput import ROLE_USERS, main_path_data  # noqa: E402 - bench/ is on sys.path as a script
from scratch import scratch_database  # noqa: E402

from engine.parsing import compile_procedure  # noqa: E402
from processes import catalog, instances  # noqa: E402
from processes.caches import LiveWorkflows  # noqa: E402
from processes.clock import FixedClock  # noqa: E402
from processes.handlers import registered  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    """This process's resident set size in MB (Linux: /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--procedure", default=str(ROOT / "bpmn" / "QT-XD-01.bpmn"))
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=2, help="steps completed in each case after its start")
    args = ap.parse_args()
    xml = Path(args.procedure).read_bytes()
    proc = compile_procedure(xml, registered())
    data = {name: main_path_data(step.form) for name, step in proc.steps.items()}
    clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    marks = sorted({min(2000, args.cases), args.cases})
    with tempfile.TemporaryDirectory() as tmp:
        db, cleanup = scratch_database(None, Path(tmp), clock.now(), "cache")
        try:
            catalog.deploy(db, xml, clock, "iso")
            db.live = LiveWorkflows(capacity=args.cases)
            gc.collect()
            base = rss_mb()
            print(f"before any case: RSS {base:.0f} MB (interpreter, libraries, compiled procedure)")
            shown = 0
            for n in range(1, args.cases + 1):
                moved = instances.start(db, proc.code, {}, "motcua", clock)
                for _ in range(args.steps):
                    if moved.status != "running" or not moved.opened:
                        break
                    step = moved.opened[0]
                    user = step.assignee or ROLE_USERS[step.roles[0].split("@")[0]]
                    moved = instances.complete(db, str(step.task_id), data.get(step.spec_name, {}), user, clock)
                if n in marks or n % 2500 == 0:
                    gc.collect()
                    now = rss_mb()
                    print(f"{n:6d} cases, {len(db.live._items):6d} cached: RSS {now:.0f} MB "
                          f"(+{now - base:.0f} MB, {(now - base) * 1024 / n:.1f} KB per cached case)")
                    shown = n
            assert shown == args.cases
        finally:
            cleanup()


if __name__ == "__main__":
    main()
