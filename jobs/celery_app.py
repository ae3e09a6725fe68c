"""The Celery application: which broker, and the settings that keep a job from being lost.

Broker: QUYTRINH_BROKER_URL, else QUYTRINH_REDIS_URL (several machines, N workers), else the embedded SQLite
queue of jobs/broker.py (one machine, nothing to install). No result backend: the `jobs` table
(processes/jobs.py) holds status, progress, file and error, so every web worker reads the same state.
"""

from __future__ import annotations

import os

from celery import Celery

from processes.jobs import jobs_dir

from . import broker

REDIS_VISIBILITY_SECONDS = 600


def queue_name() -> str:
    """The queue's name: QUYTRINH_JOBS_QUEUE, default "quytrinh". Installations (or test runs) sharing one
    Redis need names of their own, or a worker would run another database's job ids."""
    return os.environ.get("QUYTRINH_JOBS_QUEUE") or "quytrinh"


def broker_url() -> str:
    """The broker the web app publishes to and the worker consumes from."""
    for name in ("QUYTRINH_BROKER_URL", "QUYTRINH_REDIS_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return f"{broker.ALIAS}+sqlite:///{jobs_dir() / 'queue.sqlite'}"


def embedded(url: str) -> bool:
    """True for the SQLite queue (its folder must exist before SQLite can create the file)."""
    return url.startswith(f"{broker.ALIAS}+")


def make_app(url: str | None = None) -> Celery:
    """A Celery app on `url` (default: broker_url())."""
    broker.register()
    url = url or broker_url()
    app = Celery("quytrinh", broker=url, include=["jobs.tasks"])
    app.conf.update(
        task_default_queue=queue_name(),
        task_ignore_result=True,
        result_backend=None,
        # A job is acknowledged only once it ran, and a child process killed mid-job hands its message back
        # (prefork pool): the message is redelivered instead of dropped.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Reserve one message at a time per process: a killed worker takes as few messages with it as possible.
        worker_prefetch_multiplier=1,
        # Redis hands an unacknowledged message to another worker after this long. Jobs may run longer:
        # the second delivery then finds the job claimed and does nothing (processes.jobs.claim).
        broker_transport_options={"visibility_timeout": REDIS_VISIBILITY_SECONDS} if url.startswith("redis")
        else {},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
    )
    return app


app = make_app()
