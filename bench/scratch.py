"""A scratch database for a benchmark: a SQLite file, or a PostgreSQL schema of its own, with the demo org."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from processes.clock import FixedClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation


def scratch_database(url: str | None, workdir: Path, at: dt.datetime,
                     name: str = "bench") -> tuple[Database, Callable[[], None]]:
    """An initialised database with the demo organisation, and the function that removes it."""
    clock = FixedClock(at)
    if url is None:
        db = Database(f"sqlite:///{workdir / f'{name}.sqlite'}")
        cleanup = db.dispose
    else:
        schema = f"{name}_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        db = Database(url, schema=schema)

        def cleanup() -> None:
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    initialise(db, clock)
    load_demo_organisation(db, clock)
    return db, cleanup
