"""A database with no table at all, for migration tests: a SQLite file, or a fresh PostgreSQL schema dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from processes.db import Database
from tests.conftest import PG_URL


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[Database]:
    """An empty database on `backend` ("sqlite": a file in `folder`; "postgresql": a schema of its own)."""
    if backend == "sqlite":
        database = Database(f"sqlite:///{folder / 'empty.sqlite'}")
        yield database
        database.dispose()
        return
    assert PG_URL
    schema = f"qt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(PG_URL, schema=schema)
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
