"""`quytrinh worker` fires due timers even while its jobs' broker cannot be reached: the scheduler does not
wait for Celery to connect."""

from __future__ import annotations

import datetime as dt

import pytest

from processes.keys import VN
from tests.jobs.workers import wait_until, worker, worker_env
from tests.processes.test_timers import lifecycles, timer_db, waiting_case  # noqa: F401 - timer_db: a fixture

pytestmark = pytest.mark.slow


def test_timers_fire_while_the_broker_is_down(timer_db, clock, tmp_path):  # noqa: F811 - the fixture
    # Started on Friday 3 January 2025: its P2D timer is long due on the worker's system clock.
    case = waiting_case(timer_db, clock, when=dt.datetime(2025, 1, 3, 16, 0, tzinfo=VN))
    log = tmp_path / "worker.log"
    nobody = "redis://127.0.0.1:1/0"  # a port nothing listens on
    with worker(worker_env(timer_db, tmp_path / "jobs", broker=nobody), log):
        wait_until(lambda: len(lifecycles(timer_db, case, "timer")) == 1, 60, "the timer fires", log)
        wait_until(lambda: "Cannot connect" in log.read_text(errors="replace"), 60, "Celery retries", log)
        assert " ready." not in log.read_text(errors="replace")  # Celery never connected
