"""quytrinh web layer: the Flask app factory."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import Flask, g

from processes.clock import SystemClock
from processes.db import Database

from .extensions import csrf, limiter


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; `config` overrides settings (DATABASE_URL, SECRET_KEY, CLOCK, TESTING…)."""
    app = Flask(__name__, instance_relative_config=True)
    # Without a configured key, a random one: sessions then end when the server restarts.
    app.config.from_mapping(
        SECRET_KEY=secrets.token_hex(32), DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies need HTTPS; deployments behind TLS set QUYTRINH_SESSION_COOKIE_SECURE=true.
        SESSION_COOKIE_SECURE=False, PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=10),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024, WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.from_prefixed_env("QUYTRINH")
    if config:
        app.config.update({k: v for k, v in config.items() if v is not None})
    app.extensions["quytrinh.db"] = app.config.get("DATABASE") or Database(app.config.get("DATABASE_URL"))
    app.extensions["quytrinh.clock"] = app.config.get("CLOCK") or SystemClock()
    if app.config.get("SCHEDULER_EMBEDDED"):  # `quytrinh serve`: timers and the SLA sweep run in-process
        from processes.scheduler import start_embedded

        app.extensions["quytrinh.scheduler"] = start_embedded(
            app.extensions["quytrinh.db"], app.extensions["quytrinh.clock"],
            interval=float(app.config.get("SCHEDULER_INTERVAL", 5)))
    csrf.init_app(app)
    limiter.init_app(app)
    from .i18n import init_i18n

    init_i18n(app)
    _register(app)
    return app


def _register(app: Flask) -> None:
    from . import api, audit, auth, health, home, modeler, quality, quality_documents
    from .errors import init_errors

    app.before_request(auth.load_user)
    for module in (health, auth, home, api, modeler, quality, quality_documents, audit):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API authenticates each call by token or session + JSON; see api.require_json
    from . import workspace

    workspace.register(app)  # officer workspace, dashboard, citizen pages and their API
    init_errors(app)

    @app.context_processor
    def inject_user() -> dict[str, Any]:
        from flask_babel import get_locale

        return {"current_user": g.get("user"), "get_locale": get_locale}
