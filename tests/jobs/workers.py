"""Real `quytrinh worker` processes for tests: on the embedded broker in a temporary folder, bounded in time,
killed at the end (their whole process group: Celery's pool children too)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from jobs.broker import ALIAS
from jobs.submit import CeleryQueue
from processes.db import Database
from tests.conftest import PG_URL, ROOT
from tests.processes.conftest import current_schema

# Redis for the tests that run on it too (like QUYTRINH_TEST_DATABASE_URL for PostgreSQL): opt in.
REDIS_URL = os.environ.get("QUYTRINH_TEST_REDIS_URL")

# Fast beats so that a lost job is noticed within seconds, not a minute.
FAST = {"QUYTRINH_JOBS_HEARTBEAT": "0.3", "QUYTRINH_JOBS_STALE_SECONDS": "2", "QUYTRINH_JOBS_WATCH_SECONDS": "0.5"}


def database_url(db: Database) -> str:
    """The URL another process opens `db` with (a PostgreSQL test schema rides in the options)."""
    schema = current_schema(db)
    return db.url if schema is None else f"{PG_URL}?options=-csearch_path%3D{schema}"


def worker_env(db: Database, jobs_dir: Path, broker: str | None = None) -> dict[str, str]:
    """The environment of a worker (or server) on `db` with its files under `jobs_dir`, on `broker` (Redis) or
    the embedded queue in `jobs_dir`; on a shared broker the queue gets a name of its own (parallel tests)."""
    env = {k: v for k, v in os.environ.items() if k not in ("QUYTRINH_REDIS_URL", "QUYTRINH_BROKER_URL")}
    env.update(FAST, QUYTRINH_DATABASE_URL=database_url(db), QUYTRINH_JOBS_DIR=str(jobs_dir),
               PYTHONPATH=str(ROOT))
    if broker:
        env.update(QUYTRINH_BROKER_URL=broker, QUYTRINH_JOBS_QUEUE=f"quytrinh-test-{uuid.uuid4().hex[:8]}")
    return env


def queue_of(jobs_dir: Path) -> CeleryQueue:
    """The embedded queue those workers consume."""
    return CeleryQueue(f"{ALIAS}+sqlite:///{jobs_dir / 'queue.sqlite'}")


@contextmanager
def worker(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen]:
    """A `quytrinh worker` (with the tests' slow kind) in a process group of its own, killed on exit."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.slow_worker", "worker", "--interval", "0.5", "--concurrency", "1",
             *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and its children (nothing is left running after a test)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def wait_until(check: Callable[[], bool], seconds: float, what: str, log: Path | None = None) -> None:
    """Poll `check` until it holds; fail with the worker's log when it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what}: not within {seconds} s\n{tail}")


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(env: dict[str, str], log: Path, port: int, *args: str) -> Iterator[subprocess.Popen]:
    """`quytrinh serve` (gunicorn) on 127.0.0.1:`port`, killed with its workers on exit."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        kill_group(process)
