"""quytrinh web layer: the Flask app factory."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask

from processes.db import Database


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; `config` overrides settings (DATABASE_URL, SECRET_KEY, TESTING…)."""
    app = Flask(__name__, instance_relative_config=True)
    # Without a configured key, a random one: sessions then end when the server restarts.
    app.config.from_mapping(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=None)
    app.config.from_prefixed_env("QUYTRINH")
    if config:
        app.config.update({k: v for k, v in config.items() if v is not None})
    app.extensions["quytrinh.db"] = Database(app.config.get("DATABASE_URL"))

    from . import health

    app.register_blueprint(health.bp)
    return app
