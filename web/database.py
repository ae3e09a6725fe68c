"""The web app's database: Flask-SQLAlchemy makes the engine, the service layer gets a Database around it.

Flask-SQLAlchemy owns the configuration (SQLALCHEMY_DATABASE_URI from QUYTRINH_DATABASE_URL, the
engine options from processes.db.engine_options, the same the CLI and the job workers use); use cases
keep taking an explicit processes.db.Database and never see Flask.
"""

from __future__ import annotations

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from processes.db import Database, database_url, engine_options, ensure_sqlite_dir
from processes.schema import metadata

# One extension object for every app the process builds (tests build many); each app gets its own engine.
sqla = SQLAlchemy(metadata=metadata)


def init_database(app: Flask) -> Database:
    """Configure Flask-SQLAlchemy from the app's settings and wrap its engine for the use cases."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or database_url(app.config.get("DATABASE_URL"))
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url))
    ensure_sqlite_dir(url)
    sqla.init_app(app)
    with app.app_context():
        # Before any connection is made: the SQLite pragmas are connect events (processes.db.configure_engine).
        return Database.from_engine(sqla.engine)
