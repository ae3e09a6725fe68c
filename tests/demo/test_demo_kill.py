"""`quytrinh demo` killed with SIGKILL in the middle of its year is finished by running it again, and the
database is then the one an uninterrupted run makes; a third run says in Vietnamese that nothing is left."""

from __future__ import annotations

import json
import os
import signal
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


def test_a_killed_demo_is_finished_by_the_next_run_as_if_never_killed(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    for folder in (whole, killed):
        folder.mkdir()
        _quytrinh(folder, "init-db")
    _quytrinh(whole, *ARGS)

    running = _quytrinh(killed, *ARGS, background=True)
    deadline = time.monotonic() + 120
    # A chunk's checkpoint is written just before its commit (demo/checkpoint.save keeps the one before as .prev):
    # a .prev file means the second chunk's checkpoint is written, so the first chunk has committed. Waiting
    # only for the .ckpt could kill the run before the first commit, leaving nothing to resume from.
    while (not list((killed / "files" / ".demo").glob("*.prev")) and running.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.05)
    os.kill(running.pid, signal.SIGKILL)
    assert running.wait(30) == -signal.SIGKILL, "the run ended before it could be killed"

    resumed = json.loads(_quytrinh(killed, *ARGS))
    assert resumed["resumed_at_day"] > 0
    assert _made(killed) == _made(whole)
    again = _quytrinh(killed, *ARGS[:-1])
    assert "đã được mô phỏng xong" in again and _made(killed) == _made(whole)
