"""Scheduler processes: several fire each timer job once; a killed worker's job is finished by another.

Workers run as real separate processes (multiprocessing, spawn) against the test database.
"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from processes import timers
from processes.clock import FixedClock
from processes.db import Database
from processes.scheduler import Scheduler
from processes.schema import events, timer_jobs
from processes.sweep import run_sweep
from tests.conftest import PG_URL
from tests.processes.conftest import current_schema, open_tasks_of
from tests.processes.test_timers import DUE, jobs, lifecycles, timer_bpmn, waiting_case

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def timer_db(org, deployed):
    """The demo database with the timer procedure of test_timers deployed."""
    deployed(timer_bpmn())
    return org


def _open(url: str, schema: str | None) -> Database:
    return Database(url, schema=schema)


def _due_left(db: Database, now: dt.datetime) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(timer_jobs).where(timer_jobs.c.due_at <= now)).scalar()


def run_worker(url: str, schema: str | None, worker_id: str, at: str, go, results) -> None:
    """Child process: fire due jobs in small batches until none is left; report what it claimed."""
    db, clock = _open(url, schema), FixedClock(dt.datetime.fromisoformat(at))
    claimed: list[int] = []
    real = timers.claim_due

    def recording(*args, **kwargs):
        found = real(*args, **kwargs)
        claimed.extend(job.id for job in found)
        return found

    timers.claim_due = recording
    go.wait(60)
    fired, deadline = 0, time.monotonic() + 120
    while _due_left(db, clock.now()) and time.monotonic() < deadline:
        fired += timers.fire_due(db, clock, worker_id, limit=2, claim_seconds=120)
    results.put((worker_id, fired, claimed))
    db.dispose()


def run_blocking_worker(url: str, schema: str | None, at: str, claimed) -> None:
    """Child process: claim one job, then hang while firing it (inside its transaction) until killed."""
    db, clock = _open(url, schema), FixedClock(dt.datetime.fromisoformat(at))

    def hang(*args, **kwargs):
        claimed.set()
        time.sleep(600)

    timers.engine_timers.advance_timers = hang
    timers.fire_due(db, clock, "doomed", limit=1, claim_seconds=30)


def run_once(url: str, schema: str | None, worker_id: str, at: str, results) -> None:
    """Child process: one fire_due call; report how many timers it fired."""
    db = _open(url, schema)
    results.put(timers.fire_due(db, FixedClock(dt.datetime.fromisoformat(at)), worker_id, limit=10))
    db.dispose()


def _address(db: Database) -> tuple[str, str | None]:
    return (db.url, None) if db.is_sqlite else (PG_URL, current_schema(db))


def test_two_scheduler_processes_fire_each_job_exactly_once(timer_db, clock):
    cases = [waiting_case(timer_db, clock) for _ in range(24)]
    url, schema = _address(timer_db)
    go, results = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=run_worker, args=(url, schema, f"w{i}", DUE.isoformat(), go, results))
               for i in (1, 2)]
    for worker in workers:
        worker.start()
    go.set()
    reports = [results.get(timeout=180) for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    claimed = {worker_id: ids for worker_id, _, ids in reports}
    assert not set(claimed["w1"]) & set(claimed["w2"]), "a job was claimed by both workers"
    assert sum(fired for _, fired, _ in reports) == len(cases)
    with timer_db.read() as conn:
        rows = conn.execute(select(events.c.case_id, events.c.payload).where(events.c.lifecycle == "timer")).all()
    assert Counter(case for case, _ in rows) == dict.fromkeys(cases, 1)
    assert jobs(timer_db) == []
    assert all(len(open_tasks_of(timer_db, "tp.ktht", case)) == 1 for case in cases)


def test_a_killed_worker_leaves_its_job_to_another_after_the_claim_expires(timer_db, clock):
    case = waiting_case(timer_db, clock)
    url, schema = _address(timer_db)
    claimed, results = SPAWN.Event(), SPAWN.Queue()
    doomed = SPAWN.Process(target=run_blocking_worker, args=(url, schema, DUE.isoformat(), claimed))
    doomed.start()
    try:
        assert claimed.wait(120), "the blocking worker never started firing"
        [job] = jobs(timer_db)
        assert job.claimed_by == "doomed" and job.claim_expires_at == DUE + dt.timedelta(seconds=30)
    finally:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.join(30)
    assert doomed.exitcode == -signal.SIGKILL

    def other(at: dt.datetime) -> int:
        worker = SPAWN.Process(target=run_once, args=(url, schema, "survivor", at.isoformat(), results))
        worker.start()
        fired = results.get(timeout=120)
        worker.join(30)
        return fired

    assert other(DUE + dt.timedelta(seconds=29)) == 0  # the dead worker's claim still holds
    assert lifecycles(timer_db, case, "timer") == []
    deadline = time.monotonic() + 60  # PostgreSQL ends the killed session's transaction on its own
    while (fired := other(DUE + dt.timedelta(seconds=31))) == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert fired == 1
    [event] = lifecycles(timer_db, case, "timer")
    assert event["payload"]["worker"] == "survivor" and jobs(timer_db) == []
    assert [t.element_id for t in open_tasks_of(timer_db, "tp.ktht", case)] == ["T_XuLyQuaHan"]


def test_tick_fires_timers_and_sweeps_on_its_own_period(timer_db, clock):
    waiting_case(timer_db, clock)
    calls: list[tuple] = []
    sender = object()

    def sweep(db, at_clock, sender=None):
        calls.append((db, at_clock.now(), sender))
        return "swept"

    clock.set(DUE)
    scheduler = Scheduler(timer_db, clock, worker_id="s1", sweep=sweep, sweep_every=3600, sender=sender)
    tick = scheduler.run(once=True)
    assert (tick.fired, tick.swept, tick.sweep_result, tick.errors) == (1, True, "swept", [])
    assert calls == [(timer_db, DUE, sender)]
    assert scheduler.tick().swept is False and len(calls) == 1  # not time yet
    assert scheduler.tick(force_sweep=True).swept and len(calls) == 2


def test_a_failing_sweep_does_not_stop_timers_and_vice_versa(timer_db, clock, monkeypatch):
    waiting_case(timer_db, clock)

    def broken_sweep(db, at_clock, sender=None):
        raise RuntimeError("smtp down")

    clock.set(DUE)
    tick = Scheduler(timer_db, clock, sweep=broken_sweep).tick()
    assert tick.fired == 1 and tick.errors == ["sweep: RuntimeError: smtp down"]

    def broken_fire(*args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(timers, "fire_due", broken_fire)
    swept: list[bool] = []
    tick = Scheduler(timer_db, clock, sweep=lambda db, c, sender=None: swept.append(True)).tick()
    assert swept == [True] and tick.errors == ["timers: OSError: database unreachable"]


def test_the_scheduler_sweeps_with_processes_sweep_by_default(org, clock):
    assert Scheduler(org, clock).sweep is run_sweep


def test_a_missing_or_broken_sweep_module_fails_loudly_at_import(monkeypatch):
    # The scheduler used to import the sweep lazily and run without it when it was missing: an import
    # error then meant SLA deadlines silently never swept. Now it is an ordinary import, so it fails.
    monkeypatch.setitem(sys.modules, "processes.sweep", None)  # what `import processes.sweep` then raises
    monkeypatch.delitem(sys.modules, "processes.scheduler")
    with pytest.raises(ImportError, match="processes.sweep"):
        importlib.import_module("processes.scheduler")


def test_the_embedded_scheduler_thread_fires_timers_and_stops(timer_db, clock):
    case = waiting_case(timer_db, clock)
    clock.set(DUE)
    scheduler = Scheduler(timer_db, clock, interval=0.05, sweep=lambda *a, **k: None)
    thread = scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while not lifecycles(timer_db, case, "timer") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert thread.daemon and scheduler.running and lifecycles(timer_db, case, "timer")
    finally:
        scheduler.stop()
    assert not thread.is_alive() and not scheduler.running


def test_the_web_app_starts_the_scheduler_only_when_asked(timer_db, clock):
    from web import create_app

    plain = create_app({"DATABASE": timer_db, "CLOCK": clock, "TESTING": True})
    assert "quytrinh.scheduler" not in plain.extensions
    app = create_app({"DATABASE": timer_db, "CLOCK": clock, "TESTING": True, "SCHEDULER_EMBEDDED": True,
                      "SCHEDULER_INTERVAL": 0.05})
    embedded = app.extensions["quytrinh.scheduler"]
    try:
        assert embedded.running and embedded.db is timer_db and embedded.clock is clock
    finally:
        embedded.stop()
    assert not embedded.running


def test_worker_command_once_fires_what_is_due(timer_db, clock):
    from cli.main import main

    # Due Tue 7 Jan 2025 16:00 (Fri 3 Jan 16:00 + P2D): long past on the worker's system clock.
    case = waiting_case(timer_db, clock, when=dt.datetime(2025, 1, 3, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    url, schema = _address(timer_db)
    if schema:
        url = f"{url}?options=-csearch_path%3D{schema}"
    result = CliRunner().invoke(main, ["--database", url, "worker", "--once", "--json", "--sweep-every", "0"])
    assert result.exit_code == 0, result.output
    assert '"fired": 1' in result.output
    assert len(lifecycles(timer_db, case, "timer")) == 1
