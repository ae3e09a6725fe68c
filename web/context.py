"""Access to the app's database and clock from request handlers."""

from __future__ import annotations

from flask import current_app

from processes.clock import Clock
from processes.db import Database


def database() -> Database:
    """The app's Database."""
    return current_app.extensions["quytrinh.db"]


def clock() -> Clock:
    """The app's clock (the system clock, or a fixed one in tests)."""
    return current_app.extensions["quytrinh.clock"]
