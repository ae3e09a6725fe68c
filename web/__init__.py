"""quytrinh web layer: the Flask app factory."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import Flask

from processes.clock import SystemClock
from processes.paths import attachments_dir, instance_dir
from processes.scheduler import start_embedded

from . import blueprints
from .database import init_database
from .extensions import csrf, limiter
from .guards import init_guards
from .i18n import init_i18n
from .server_state import init_server_state


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; `config` overrides settings (DATABASE_URL, SECRET_KEY, CLOCK, TESTING…)."""
    # The instance folder processes.paths names: the CLI and job workers find the same attachments.
    app = Flask(__name__, instance_path=str(instance_dir()), instance_relative_config=True)
    # Without a configured key, a random one: sessions then end when the server restarts.
    app.config.from_mapping(
        SECRET_KEY=secrets.token_hex(32), DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies need HTTPS; deployments behind TLS set QUYTRINH_SESSION_COOKIE_SECURE=true.
        SESSION_COOKIE_SECURE=False, PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=10),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024, WTF_CSRF_TIME_LIMIT=None,
        SESSION_IDLE_MINUTES=60,  # a session unused this long ends (web/server_state.py); 0: never
    )
    app.config.from_prefixed_env("QUYTRINH")
    if config:
        app.config.update({k: v for k, v in config.items() if v is not None})
    # A prebuilt Database (tests) as is; else Flask-SQLAlchemy makes the engine (web/database.py).
    app.extensions["quytrinh.db"] = app.config.get("DATABASE") or init_database(app)
    app.extensions["quytrinh.db"].attachments_root = attachments_dir(app.config.get("ATTACHMENTS_DIR"))

    @app.before_request
    def _attachment_store() -> None:  # a signing step's completion reads the store uploads go to (config may change)
        app.extensions["quytrinh.db"].attachments_root = attachments_dir(app.config.get("ATTACHMENTS_DIR"))
    app.extensions["quytrinh.clock"] = app.config.get("CLOCK") or SystemClock()
    if app.config.get("SCHEDULER_EMBEDDED"):  # `quytrinh serve`: timers and the SLA sweep run in-process
        app.extensions["quytrinh.scheduler"] = start_embedded(
            app.extensions["quytrinh.db"], app.extensions["quytrinh.clock"],
            interval=float(app.config.get("SCHEDULER_INTERVAL", 5)))
    init_guards(app)  # NUL bytes refused before anything else reads the request; security headers
    csrf.init_app(app)
    init_server_state(app)  # shared rate limits, revocable sessions, cache checks (before the limiter)
    # Flask-Limiter's one limiter keeps one `enabled` for the process, set by the last app initialised: each app
    # says it, so an app made with limits off (a test's) does not lift them for the apps made after it (an app
    # made before it still follows the last one: one app a process in production)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    init_i18n(app)
    blueprints.register(app)
    return app
