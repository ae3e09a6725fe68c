"""The scheduler loop: fire due timer jobs every few seconds, run the SLA sweep every so often.

Run it standalone (``quytrinh worker``) or embedded in the web server as a daemon thread
(``start_embedded``). Several schedulers may run against one database: timer jobs are claimed
(processes.timers), so each fires once. Every pass may also run the SLA sweep (processes.sweep)
and let approved procedure versions take effect (processes.versions); once an hour it rolls up the SLA step
figures of the months just over (processes.step_rollups), so no web request has to.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import generations, mail_outbox, step_rollups, timers, versions
from .clock import Clock, SystemClock
from .db import Database
from .sweep import run_sweep

log = logging.getLogger("quytrinh.scheduler")

SweepFunction = Callable[..., Any]


def default_worker_id() -> str:
    """host:pid:random, unique enough to tell schedulers apart in claims and events."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Tick:
    """What one pass of the loop did."""

    fired: int = 0
    swept: bool = False
    sweep_result: Any = None
    activated: list = field(default_factory=list)
    mailed: Any = None  # processes.mail_outbox.Drained
    rolled_up: int | None = None  # months of SLA step figures rolled up (None: not this pass)
    errors: list[str] = field(default_factory=list)


class Scheduler:
    """Fires due timers and runs the SLA sweep; `run` loops until stopped, `tick` does one pass."""

    def __init__(self, db: Database, clock: Clock | None = None, *, worker_id: str | None = None,
                 interval: float = 2.0, sweep_every: float = 60.0, limit: int = 100,
                 claim_seconds: float = 60.0, sender: Any = None,
                 sweep: SweepFunction | None = None, rollup_every: float = 3600.0) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.worker_id = worker_id or default_worker_id()
        self.interval = interval
        self.sweep_every = sweep_every
        self.limit = limit
        self.claim_seconds = claim_seconds
        self.sender = sender
        self.sweep: SweepFunction = sweep if sweep is not None else run_sweep
        self._next_sweep = 0.0
        self.rollup_every = rollup_every
        self._next_rollup = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, force_sweep: bool = False) -> Tick:
        """Fire every due timer (batch after batch), then sweep if it is time; never raises."""
        result = Tick()
        try:
            # A restored database gives old ids new contents: drop cached workflows before firing timers.
            generations.refresh(self.db)
            while not self._stop.is_set():
                fired = timers.fire_due(self.db, self.clock, self.worker_id, self.limit, self.claim_seconds)
                result.fired += fired
                if fired < self.limit:
                    break
        except Exception as exc:  # e.g. the database is down: log it, try again next tick
            log.exception("firing timers failed")
            result.errors.append(f"timers: {type(exc).__name__}: {exc}")
        if force_sweep or time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + self.sweep_every
            try:
                result.sweep_result = self.sweep(self.db, self.clock, sender=self.sender)
                result.swept = True
            except Exception as exc:
                log.exception("SLA sweep failed")
                result.errors.append(f"sweep: {type(exc).__name__}: {exc}")
            self._activate_versions(result)
        try:  # mail decided by committed moves (issue 13): sent here, after the commit, never inside it
            result.mailed = mail_outbox.drain(self.db, self.clock, sender=self.sender)
        except Exception as exc:
            log.exception("sending mail failed")
            result.errors.append(f"mail: {type(exc).__name__}: {exc}")
        # Last: building months that no report has rolled up yet (the first pass after an upgrade) may take tens
        # of seconds, and timers and mail come first.
        if time.monotonic() >= self._next_rollup:
            self._next_rollup = time.monotonic() + self.rollup_every
            self._roll_up(result)
        return result

    def _activate_versions(self, result: Tick) -> None:
        """Approved procedure versions whose effective date has come take effect (on the sweep's cadence)."""
        try:
            result.activated = versions.activate_due(self.db, self.clock)
        except Exception as exc:
            log.exception("activating due procedure versions failed")
            result.errors.append(f"versions: {type(exc).__name__}: {exc}")

    def _roll_up(self, result: Tick) -> None:
        """The months just over get their SLA step rollups here, not in the first web request that needs them."""
        try:
            result.rolled_up = step_rollups.roll_up_recent(self.db, self.clock.now())
        except Exception as exc:
            log.exception("rolling up the SLA step figures failed")
            result.errors.append(f"rollups: {type(exc).__name__}: {exc}")

    def run(self, once: bool = False) -> Tick:
        """Tick every `interval` seconds until `stop` is called (or once); return the last tick."""
        log.info("scheduler %s started (interval %ss, sweep every %ss)", self.worker_id,
                 self.interval, self.sweep_every)
        last = self.tick(force_sweep=True)
        while not once and not self._stop.wait(self.interval):
            last = self.tick()
        log.info("scheduler %s stopped", self.worker_id)
        return last

    def start(self) -> threading.Thread:
        """Run in a daemon thread (embedded mode); returns the thread."""
        if self._thread is not None and self._thread.is_alive():
            return self._thread
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="quytrinh-scheduler", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop after the current pass and wait for the thread to end."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """True while the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()


def start_embedded(db: Database, clock: Clock | None = None, interval: float = 5.0,
                   sweep_every: float = 60.0) -> Scheduler:
    """Start a scheduler thread inside this process (the web server) and stop it at exit."""
    scheduler = Scheduler(db, clock, interval=interval, sweep_every=sweep_every)
    scheduler.start()
    atexit.register(scheduler.stop)
    return scheduler
