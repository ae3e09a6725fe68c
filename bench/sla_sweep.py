"""Time of one SLA sweep over many open dossiers, against a bare SELECT count(*) over the same rows.

Setup inserts N open building-permit dossiers (instances, dossiers and one open step each) directly
with executemany, as a previous sweep one hour earlier would have left them: due dates spread over
the coming weeks (and a few past), SLA state and next check instant consistent with that sweep.
Then, in the same run:

(a) ``SELECT count(*) FROM dossiers WHERE status_code IN (2, 4)`` — touching every open dossier once;
(b) ``run_sweep`` one hour later — finds through the index only what changed in that hour, records
    events, notifications and escalations;
(c) a second ``run_sweep`` at the same instant — nothing left to say.

A sweep one minute after the previous one warms the calendar tables and statement caches first.

    python bench/sla_sweep.py [--dossiers 100000] [--hours 1]
    python bench/sla_sweep.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path when run as a script
from sqlalchemy import insert, select, text

from processes import catalog, sla, sweep
from processes.clock import FixedClock
from processes.db import Database
from processes.schema import definitions, dossiers, human_tasks, instances, units

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 2/3/2026 09:00 in Hà Nội


def make_database(url: str | None, workdir: Path) -> tuple[Database, Callable[[], None]]:
    """A fresh database (SQLite file in workdir, or a new PostgreSQL schema) and its clean-up."""
    db, cleanup = scratch_database(url, workdir, NOW, "sweep")
    catalog.deploy(db, (ROOT / "bpmn" / "QT-XD-01.bpmn").read_bytes(), FixedClock(NOW), "iso")
    return db, cleanup


def _watched(previous: dt.datetime, due: dt.datetime, soon: dt.datetime, apology: bool = False) -> dict:
    """SLA columns as a sweep at `previous` left them (escalations 0 and 2 days after due, as the default)."""
    escalations = [due, due + dt.timedelta(days=2)]
    state, level, following = sla.watch(previous, due, soon, 0, escalations)
    found = {"sla_state": state.value, "escalation_level": level, "next_check_at": following}
    if apology:  # a dossier is asked for an apology one day before its appointment
        ask = due - dt.timedelta(days=1)
        found["apology_at"] = ask if ask > previous and state is not sla.SlaState.OVERDUE else None
        if found["apology_at"] is not None:
            found["next_check_at"] = min(t for t in (following, ask) if t is not None)
    return found


def populate(db: Database, n: int, previous: dt.datetime, seed: int = 7) -> None:
    """Insert n running cases, each an open dossier (status 4) waiting at Thẩm định."""
    rng = random.Random(seed)
    with db.read() as conn:
        definition = conn.execute(select(definitions.c.id)).scalar_one()
        unit = conn.execute(select(units.c.id).where(units.c.code == "H01")).scalar_one()
    for first in range(0, n, 5000):
        cases, files, steps = [], [], []
        for i in range(first, min(n, first + 5000)):
            created = NOW - dt.timedelta(days=rng.uniform(1, 20))
            task_due = NOW + dt.timedelta(hours=rng.uniform(-48, 24 * 14))
            appointment = task_due + dt.timedelta(days=rng.uniform(0, 10))
            cases.append({"id": i + 1, "business_key": f"H01-BENCH-{i:06d}", "definition_id": definition,
                          "unit_id": unit, "status": "running", "state": "{}", "state_version": "bench",
                          "lock_version": 1, "started_by": "motcua", "event_count": 0, "event_head": "",
                          "created_at": created, "updated_at": created})
            files.append({"instance_id": i + 1, "code": f"H01-BENCH-{i:06d}", "procedure": "QT-XD-01",
                          "unit_id": unit, "channel": "truc_tiep", "status_code": 4, "deadline": "P15D",
                          "received_at": created, "counted_from": created, "due_at": appointment,
                          "appointment_at": appointment, "original_appointment_at": appointment,
                          "supplement_count": 0, "paused_minutes": 0, "late_marked": False, "new_date_set": False,
                          "soon_at": appointment - dt.timedelta(days=5), "updated_at": created,
                          **_watched(previous, appointment, appointment - dt.timedelta(days=5), apology=True)})
            steps.append({"task_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": i + 1,
                          "element_id": "Task_ThamDinh", "name": "Thẩm định hồ sơ, kiểm tra thực địa",
                          "roles": "chuyen_vien_ktht", "unit_id": unit, "state": "ready", "due_duration": "P9D",
                          "created_at": created, "due_at": task_due, "soon_at": task_due - dt.timedelta(hours=30),
                          **_watched(previous, task_due, task_due - dt.timedelta(hours=30))})
        with db.write() as conn:
            conn.execute(insert(instances), cases)
            conn.execute(insert(dossiers), files)
            conn.execute(insert(human_tasks), steps)


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--hours", type=float, default=1.0, help="time since the previous sweep")
    ap.add_argument("--database", default=None, help="SQLAlchemy URL (default: a SQLite file)")
    args = ap.parse_args()
    previous = NOW - dt.timedelta(hours=args.hours)
    with tempfile.TemporaryDirectory() as tmp:
        db, cleanup = make_database(args.database, Path(tmp))
        try:
            setup, _ = timed(lambda: populate(db, args.dossiers, previous))
            if db.is_sqlite:
                with db.write() as conn:
                    conn.execute(text("ANALYZE"))
            else:
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))

            def count() -> int:
                with db.read() as conn:
                    return conn.execute(text("SELECT count(*) FROM dossiers WHERE status_code IN (2, 4)")).scalar()

            count()  # warm the database cache for both
            # A worker sweeps all day: warm its calendar tables and statement caches with a sweep a
            # minute after the previous one, as a worker would have done.
            sweep.run_sweep(db, FixedClock(previous + dt.timedelta(minutes=1)))
            bare, rows = timed(count)
            clock = FixedClock(NOW)
            first, result = timed(lambda: sweep.run_sweep(db, clock))
            second, again = timed(lambda: sweep.run_sweep(db, clock))
        finally:
            cleanup()
    backend = "PostgreSQL" if args.database else "SQLite (WAL, synchronous=FULL)"
    print(f"{backend}: {rows} open dossiers, each with one open step (setup {setup:.1f} s)")
    print(f"(a) SELECT count(*) over the open dossiers : {bare * 1000:9.1f} ms")
    changed = result.tasks_due_soon + result.tasks_overdue + result.dossiers_due_soon + result.dossiers_overdue
    print(f"(b) run_sweep {args.hours:g} h after the last one  : {first * 1000:9.1f} ms  ({changed} state changes, "
          f"{result.escalations} escalations, {result.apologies} apologies, {result.notifications} notifications, "
          f"{result.events} events)")
    print(f"(c) run_sweep again, nothing new          : {second * 1000:9.1f} ms  ({again.notifications} notifications)")
    print(f"ratio (b)/(a): {first / bare:.2f}   (c)/(a): {second / bare:.2f}")


if __name__ == "__main__":
    main()
