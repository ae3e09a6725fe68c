"""The web app refuses to start on a database upgraded by a newer release (processes.schema_guard)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from processes.db import Database
from processes.errors import ConflictError
from web import create_app


def test_the_app_does_not_start_on_a_database_newer_than_the_code(db):
    url = db.url
    if not db.is_sqlite:
        pytest.skip("the app's own engine has no per-test PostgreSQL schema; the refusal is in processes.db")
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'zz_from_the_future'"))
    with pytest.raises(ConflictError, match="zz_from_the_future, which this release does not know"):
        create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test"})
    with pytest.raises(ConflictError):
        Database(url)
