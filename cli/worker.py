"""`quytrinh worker`: the scheduler (fire due BPMN timers, run the SLA sweep) and the job worker (Celery)."""

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
    @click.option("--once", is_flag=True, help="One pass (fire what is due, sweep once, recover lost jobs), then "
                  "exit; runs no job.")
    @click.option("--interval", default=2.0, type=click.FloatRange(min=0.05), show_default=True,
                  help="Seconds between passes.")
    @click.option("--sweep-every", default=60.0, type=click.FloatRange(min=0), show_default=True,
                  help="Seconds between SLA sweeps.")
    @click.option("--limit", default=100, type=click.IntRange(min=1), show_default=True,
                  help="Timer jobs claimed per batch.")
    @click.option("--claim-seconds", default=60.0, type=click.FloatRange(min=1), show_default=True,
                  help="How long a claim lasts before another worker may take the job.")
    @click.option("--jobs/--no-jobs", "run_jobs", default=True, show_default=True,
                  help="Also run background jobs (reports, exports, demo year, migrations).")
    @click.option("--concurrency", envvar="QUYTRINH_JOB_CONCURRENCY", default=1, show_default=True,
                  type=click.IntRange(min=1), help="Jobs run at once, one process each (env "
                  "QUYTRINH_JOB_CONCURRENCY).")
    @json_option
    @click.pass_context
    @handled
    def worker(ctx, once, interval, sweep_every, limit, claim_seconds, run_jobs, concurrency, as_json):
        """Fire due timers every INTERVAL seconds, run the SLA sweep and the background jobs (several workers
        may run, on one machine or several)."""
        # Imported here: Celery and the report renderers load only for this command, not for every other one.
        from jobs.submit import CeleryQueue
        from jobs.watch import JobWatch
        from jobs.worker import SchedulerOptions, run_worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        db = get_db(ctx)
        if run_jobs and not once:
            # Celery owns this process; the scheduler runs in a process beside it (jobs/worker.py says why).
            url = db.url
            db.dispose()  # no pooled SQLite connection carried into Celery's forks
            raise SystemExit(run_worker(url, SchedulerOptions(interval, sweep_every, limit, claim_seconds),
                                        concurrency))
        scheduler = Scheduler(db, SystemClock(), interval=interval, sweep_every=sweep_every,
                              limit=limit, claim_seconds=claim_seconds)
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: scheduler.stop())
        tick = scheduler.run(once=once)
        recovered = JobWatch(db, CeleryQueue()).tick() if once else 0
        payload = {"worker": scheduler.worker_id, "fired": tick.fired, "swept": tick.swept, "errors": tick.errors,
                   "jobs_requeued": recovered}
        emit(as_json, payload, f"worker {scheduler.worker_id}: {tick.fired} timer(s) fired"
             f"{', SLA sweep done' if tick.swept else ''}" + "".join(f"\n  error: {e}" for e in tick.errors))
