"""Access to the app's database, clock, attachment store and job queue from request handlers."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from jobs import CeleryQueue, JobQueue
from processes.clock import Clock
from processes.db import Database
from processes.paths import attachments_dir


def database() -> Database:
    """The app's Database."""
    return current_app.extensions["quytrinh.db"]


def clock() -> Clock:
    """The app's clock (the system clock, or a fixed one in tests)."""
    return current_app.extensions["quytrinh.clock"]


def attachments_root() -> Path:
    """Where uploads are kept: ATTACHMENTS_DIR (QUYTRINH_ATTACHMENTS_DIR), else <instance>/attachments (the app
    gives the same to its database before each request: a signing step's completion reads it there)."""
    return attachments_dir(current_app.config.get("ATTACHMENTS_DIR"))


def job_queue() -> JobQueue:
    """Where started jobs go: Celery on the configured broker, unless a test put another in the app's extensions.
    (Not a config key: every QUYTRINH_* variable lands in the config, and QUYTRINH_JOBS_QUEUE names the queue.)"""
    queue: JobQueue | None = current_app.extensions.get("quytrinh.jobs_queue")
    if queue is None:
        queue = current_app.extensions["quytrinh.jobs_queue"] = CeleryQueue()
    return queue
