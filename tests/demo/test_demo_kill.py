"""`quytrinh demo` killed with SIGKILL in the middle of its year is finished by running it again, and the
database is then the one an uninterrupted run makes; a third run says in Vietnamese that nothing is left."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from processes import eventlog
from processes.db import Database
from processes.schema import dossiers, events
from processes.schema import instances as cases

ROOT = Path(__file__).resolve().parents[2]
ARGS = ("demo", "--year", "2025", "--scale", "0.3", "--seed", "5", "--json")


def _quytrinh(folder: Path, *args: str, background: bool = False):
    env = {**os.environ, "QUYTRINH_ATTACHMENTS_DIR": str(folder / "files"), "QUYTRINH_SQLITE_SYNCHRONOUS": "NORMAL"}
    command = [sys.executable, "-m", "cli", "--database", f"sqlite:///{folder / 'demo.sqlite'}", *args]
    if background:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _made(folder: Path) -> dict[str, list]:
    db = Database(f"sqlite:///{folder / 'demo.sqlite'}")
    try:
        with db.read() as conn:
            assert eventlog.verify(conn) == []
            return {"dossiers": list(conn.execute(select(
                        dossiers.c.code, dossiers.c.status_code, dossiers.c.result, dossiers.c.received_at,
                        dossiers.c.done_at).order_by(dossiers.c.code))),
                    "events": list(conn.execute(select(
                        cases.c.business_key, events.c.seq, events.c.activity, events.c.lifecycle, events.c.actor,
                        events.c.at).join(cases, cases.c.id == events.c.case_id).order_by(events.c.id)))}
    finally:
        db.dispose()


def _committed_cases(folder: Path) -> int:
    """Cases committed so far in the demo database (0 while it cannot be read)."""
    try:
        address = f"file:{folder / 'demo.sqlite'}?mode=ro"
        with contextlib.closing(sqlite3.connect(address, uri=True, timeout=0.1)) as conn:
            return conn.execute("SELECT count(*) FROM instances").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_a_killed_demo_is_finished_by_the_next_run_as_if_never_killed(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    for folder in (whole, killed):
        folder.mkdir()
        _quytrinh(folder, "init-db")
    _quytrinh(whole, *ARGS)

    running = _quytrinh(killed, *ARGS, background=True)
    deadline = time.monotonic() + 120
    # Killed once the first chunk has committed (its cases are visible to another connection; its checkpoint is
    # written just before the commit) and not later: a chunk is ~2 s of work, so on a fast machine the whole year
    # takes two, and waiting for the second checkpoint (the .prev file) killed a run that had already finished.
    while not _committed_cases(killed) and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(running.pid, signal.SIGKILL)
    assert running.wait(30) == -signal.SIGKILL, "the run ended before it could be killed"

    resumed = json.loads(_quytrinh(killed, *ARGS))
    assert resumed["resumed_at_day"] > 0
    assert _made(killed) == _made(whole)
    again = _quytrinh(killed, *ARGS[:-1])
    assert "đã được mô phỏng xong" in again and _made(killed) == _made(whole)
