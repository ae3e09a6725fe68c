"""Fixtures shared by every layer's tests: databases (SQLite, and PostgreSQL when configured), clocks."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from processes import catalog
from processes.clock import FixedClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "bpmn"
EXTERNAL = ROOT.parent / "shared" / "external"
PG_URL = os.environ.get("QUYTRINH_TEST_DATABASE_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session", autouse=True)
def signing_folders(tmp_path_factory) -> None:
    """Signing keys and trusted roots the tests make (the demo's leaders' keys, its demo CA) go to a folder of
    the session, not to the project's instance/ folder; a test may still point either variable elsewhere."""
    folder = tmp_path_factory.mktemp("signing")
    os.environ.setdefault("QUYTRINH_SIGNING_KEYS_DIR", str(folder / "keys"))
    os.environ.setdefault("QUYTRINH_TRUST_DIR", str(folder / "trust"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite database initialised once per session (every schema revision, the standard roles).

    Running the revisions takes ~0.1 s; each test gets a page-for-page copy instead (a few ms).
    """
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    database = Database(f"sqlite:///{path}")
    initialise(database, FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)))
    database.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> Database:
    """An empty, initialised database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        with closing(sqlite3.connect(request.getfixturevalue("sqlite_template"))) as source, \
                closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    schema = f"qt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(PG_URL, schema=schema)
    initialise(database, FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)))
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 5 January 2026, 08:00 in Hà Nội."""
    return FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
def org(db, clock) -> Database:
    """The database with the demo district organisation loaded."""
    load_demo_organisation(db, clock)
    return db


@pytest.fixture
def deployed(org, clock):
    """Deploy a BPMN text or a file from bpmn/ into the demo database; returns the Deployment."""

    def _deploy(source: str | Path, process_id: str | None = None):
        if isinstance(source, Path) or (isinstance(source, str) and source.endswith(".bpmn")):
            path = Path(source) if Path(source).is_absolute() else BPMN_DIR / source
            return catalog.deploy(org, path.read_bytes(), clock, "iso", process_id, path.name)
        return catalog.deploy(org, source, clock, "iso", process_id)

    return _deploy
