"""Flask-SQLAlchemy makes the web app's engine with the options processes.db gives every engine (issue 11 item 1)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from processes import db as db_module
from processes.db import Database, engine_options
from tests.conftest import PG_URL
from web import create_app
from web.database import sqla


def test_flask_sqlalchemy_makes_the_engine_the_use_cases_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'folder' / 'app.sqlite'}"
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "t"})
    db = app.extensions["quytrinh.db"]
    with app.app_context():
        assert db.engine is sqla.engine
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == engine_options(url)
    with db.write() as conn:  # the pragmas of processes.db hold on Flask-SQLAlchemy's engine
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    db.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs QUYTRINH_TEST_DATABASE_URL")
def test_postgresql_pool_comes_from_processes(monkeypatch):
    monkeypatch.setenv("QUYTRINH_DATABASE_URL", PG_URL)
    app = create_app({"TESTING": True, "SECRET_KEY": "t"})
    db = app.extensions["quytrinh.db"]
    assert db.engine.pool.size() == engine_options(PG_URL)["pool_size"]
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    db.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs QUYTRINH_TEST_DATABASE_URL")
def test_a_pooled_connection_that_died_while_idle_is_replaced_not_an_error(monkeypatch):
    """A web worker idle across a PostgreSQL restart gets a fresh connection: a connection idle in the pool
    longer than IDLE_PING_SECONDS is pinged before use (one in steady use is not: no round trip per request)."""
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)
    db = Database(PG_URL)
    with db.read() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a restart does to the pooled connection
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    admin.dispose()
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    db.dispose()
