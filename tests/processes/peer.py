"""Drive a second process on the test database (tests/processes/cache_peer.py): bounded, killed at the end."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path

from processes.db import Database

ROOT = Path(__file__).resolve().parents[2]


class Peer:
    """A second Python process answering commands against the same database."""

    def __init__(self, db: Database, timeout: float = 60) -> None:
        args = [sys.executable, "-m", "tests.processes.cache_peer", db.url]
        if not db.is_sqlite:
            with db.read() as conn:
                args.append(conn.exec_driver_sql("SELECT current_schema()").scalar())
        self.timeout = timeout
        self.proc = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})

    def ask(self, **cmd) -> object:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(self.timeout):
                raise TimeoutError(f"the peer did not answer {cmd} in {self.timeout} s")
        reply = json.loads(self.proc.stdout.readline())
        assert "error" not in reply, reply["error"]
        return reply["ok"]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
