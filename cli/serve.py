"""`quytrinh serve` (gunicorn, or Werkzeug with --dev) and `quytrinh run-all` (server + job worker).

Timers, the SLA sweep and jobs never run in the web server: with N gunicorn workers they would run N
times. They run in `quytrinh worker` (cli/worker.py); `run-all` starts one beside the server for
`make run`, and stops both on Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

# A 2-core machine: one process per core (each keeps its own caches of compiled procedures and live
# workflows), a few threads each to overlap waiting on the database and the network.
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
DEFAULT_THREADS = 4


class Gunicorn(BaseApplication):
    """gunicorn run from Python: each of its worker processes builds the app with `factory`."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Our options, then gunicorn's own environment variable (GUNICORN_CMD_ARGS) on top.

        BaseApplication reads no environment by itself (only gunicorn's command-line Application does), so
        the variable is parsed here the way gunicorn parses it: `--worker-connections N` in docs/deploy.md.
        """
        for key, value in self.options.items():
            self.cfg.set(key, value)
        from_env = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
        for key, value in vars(from_env).items():
            if value is not None and key != "args":
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        """Called in each worker process after the fork: its own app, engine and connections."""
        return self.factory()


def gunicorn_options(host: str, port: int, workers: int, threads: int, timeout: int) -> dict[str, Any]:
    """gunicorn settings for quytrinh (threads > 1: the gthread worker)."""
    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync", "timeout": timeout, "graceful_timeout": 30,
            "accesslog": "-", "errorlog": "-", "proc_name": "quytrinh",
            # gunicorn >= 25 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl): a second
            # server of that user (tests, benches, two instances) takes it over and removes it on exit.
            # quytrinh is run by systemd or run-all, not gunicornc.
            "control_socket_disable": True}


def serve_commands(main: click.Group) -> None:
    """Attach `serve` and `run-all` to the main group."""

    @main.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, type=int, show_default=True)
    @click.option("--workers", envvar="QUYTRINH_WEB_WORKERS", default=DEFAULT_WORKERS, show_default=True,
                  type=click.IntRange(min=1), help="gunicorn worker processes (env QUYTRINH_WEB_WORKERS).")
    @click.option("--threads", envvar="QUYTRINH_WEB_THREADS", default=DEFAULT_THREADS, show_default=True,
                  type=click.IntRange(min=1), help="Threads per worker (env QUYTRINH_WEB_THREADS).")
    @click.option("--timeout", default=120, type=click.IntRange(min=5), show_default=True,
                  help="Seconds before a silent worker is restarted.")
    @click.option("--dev", is_flag=True, help="Werkzeug's development server with the reloader (one process).")
    @click.pass_context
    def serve(ctx: click.Context, host: str, port: int, workers: int, threads: int, timeout: int,
              dev: bool) -> None:
        """Serve the web app with gunicorn (timers and jobs run in `quytrinh worker`)."""
        # Imported here, like the report renderers in cli/audit.py: every other command starts without it.
        from web import create_app

        url = ctx.obj["url"]
        if dev:
            create_app({"DATABASE_URL": url}).run(host=host, port=port, debug=True, use_reloader=True)
            return
        # Every worker must sign sessions with the same key: without a configured one, draw it here, in the
        # master, before the workers are forked (sessions then end when the server restarts).
        key = os.environ.get("QUYTRINH_SECRET_KEY") or secrets.token_hex(32)
        Gunicorn(lambda: create_app({"DATABASE_URL": url, "SECRET_KEY": key}),
                 gunicorn_options(host, port, workers, threads, timeout)).run()

    @main.command("run-all")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, type=int, show_default=True)
    @click.pass_context
    def run_all(ctx: click.Context, host: str, port: int) -> None:
        """The web server and one job worker together (`make run`); Ctrl-C stops both."""
        sys.exit(supervise([["serve", "--host", host, "--port", str(port)], ["worker"]], ctx.obj["url"]))


def supervise(commands: list[list[str]], url: str | None, grace: float = 40.0) -> int:
    """Start `quytrinh <command>` for each command; when one ends or we are told to stop, stop the others.

    A supervisor of our own rather than honcho or supervisord: nothing more to install for `make run`,
    and production runs each process under systemd instead (docs/deploy.md).
    """
    env = dict(os.environ, **({"QUYTRINH_DATABASE_URL": url} if url else {}))
    # One session key for the server, drawn here so that a restart of run-all is the only thing ending sessions.
    env.setdefault("QUYTRINH_SECRET_KEY", secrets.token_hex(32))
    children = [subprocess.Popen([sys.executable, "-m", "cli", *command], env=env) for command in commands]
    stopping = False

    def _stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    failed = next((child.returncode for child in children if child.poll() not in (None, 0)), 0)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)  # gunicorn and Celery: warm shutdown, running work finishes
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if not stopping and failed == 0:
        failed = 1  # a child ended on its own: run-all is not running any more
    return failed
