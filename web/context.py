"""Access to the app's database, clock and attachment store from request handlers."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

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
    """Where uploads are kept: ATTACHMENTS_DIR (QUYTRINH_ATTACHMENTS_DIR), else <instance>/attachments."""
    return attachments_dir(current_app.config.get("ATTACHMENTS_DIR"))
