"""`quytrinh worker`: the scheduler on its own (fire due BPMN timers, run the SLA sweep)."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable

import click

from processes.clock import SystemClock
from processes.db import Database
from processes.scheduler import Scheduler

from .output import emit, handled, json_option


def worker_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach the `worker` command to the main group."""

    @main.command()
    @click.option("--once", is_flag=True, help="One pass (fire what is due, sweep once), then exit.")
    @click.option("--interval", default=2.0, type=click.FloatRange(min=0.05), show_default=True,
                  help="Seconds between passes.")
    @click.option("--sweep-every", default=60.0, type=click.FloatRange(min=0), show_default=True,
                  help="Seconds between SLA sweeps.")
    @click.option("--limit", default=100, type=click.IntRange(min=1), show_default=True,
                  help="Timer jobs claimed per batch.")
    @click.option("--claim-seconds", default=60.0, type=click.FloatRange(min=1), show_default=True,
                  help="How long a claim lasts before another worker may take the job.")
    @json_option
    @click.pass_context
    @handled
    def worker(ctx, once, interval, sweep_every, limit, claim_seconds, as_json):
        """Fire due timers every INTERVAL seconds and run the SLA sweep (several workers may run)."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        scheduler = Scheduler(get_db(ctx), SystemClock(), interval=interval, sweep_every=sweep_every,
                              limit=limit, claim_seconds=claim_seconds)
        if scheduler.sweep is None:
            click.echo("SLA sweep not available (processes.sweep missing): firing timers only", err=True)
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: scheduler.stop())
        tick = scheduler.run(once=once)
        payload = {"worker": scheduler.worker_id, "fired": tick.fired, "swept": tick.swept, "errors": tick.errors}
        emit(as_json, payload, f"worker {scheduler.worker_id}: {tick.fired} timer(s) fired"
             f"{', SLA sweep done' if tick.swept else ''}" + "".join(f"\n  error: {e}" for e in tick.errors))
