"""The job watch tells a dead worker process on this machine from a live one (or one elsewhere)."""

from __future__ import annotations

import os
import socket
import subprocess

from jobs.watch import dead_here


def test_a_worker_process_that_ended_on_this_machine_is_dead_and_others_are_not_judged():
    host = socket.gethostname()
    ended = subprocess.Popen(["true"])
    ended.wait()
    assert dead_here(f"{host}:{ended.pid}")
    assert not dead_here(f"{host}:{os.getpid()}")
    assert not dead_here(f"elsewhere:{ended.pid}")  # another machine's process: only its heartbeat tells
    assert not dead_here("")
