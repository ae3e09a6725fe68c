"""quytrinh web layer: the Flask app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from processes.db import Database


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; `config` overrides settings (DATABASE_URL, SECRET_KEY, TESTING…)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev-only-change-me", DATABASE_URL=None)
    app.config.from_prefixed_env("QUYTRINH")
    if config:
        app.config.update({k: v for k, v in config.items() if v is not None})
    app.extensions["quytrinh.db"] = Database(app.config.get("DATABASE_URL"))

    from . import health

    app.register_blueprint(health.bp)
    return app
