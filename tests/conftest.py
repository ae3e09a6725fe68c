"""Fixtures shared by every layer's tests: databases (SQLite, and PostgreSQL when configured), clocks."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from processes import catalog
from processes.clock import FixedClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "bpmn"
EXTERNAL = ROOT.parent / "shared" / "external"
PG_URL = os.environ.get("QUYTRINH_TEST_DATABASE_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


# Files of a few tests that each take minutes (processes started and killed, fuzzing, a whole matrix): run
# first, so that no xdist worker is left alone with one at the end. `make test` and .ci/run pass
# --no-loadscope-reorder, which keeps this order (xdist would otherwise put the files of most tests first and
# these, of one to four tests each, last).
SLOW_FIRST = (
    "web/test_openapi_fuzz.py", "web/test_shared_state.py", "processes/test_restart.py", "jobs/test_deploy_doc.py",
    "demo/test_demo_kill.py", "web/test_security_matrix.py", "jobs/test_end_to_end.py",
    "jobs/test_kill_under_load.py", "processes/test_long_case.py", "jobs/test_worker_kill.py",
    "processes/test_cross_process.py", "processes/test_scheduler.py",
)


def pytest_collection_modifyitems(items) -> None:
    """Put the slow files first (a stable sort: every file's tests stay together and in their order)."""
    rank = {str(ROOT / "tests" / name): i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(str(item.path), len(SLOW_FIRST)))


@pytest.fixture(scope="session", autouse=True)
def signing_folders(tmp_path_factory) -> None:
    """Signing keys and trusted roots the tests make (the demo's leaders' keys, its demo CA) go to a folder of
    the session, not to the project's instance/ folder; a test may still point either variable elsewhere."""
    folder = tmp_path_factory.mktemp("signing")
    os.environ.setdefault("QUYTRINH_SIGNING_KEYS_DIR", str(folder / "keys"))
    os.environ.setdefault("QUYTRINH_TRUST_DIR", str(folder / "trust"))
    # Attachments likewise (the signed ISO documents an approval keeps, the browser tests' uploads): a database
    # whose app gave it no ATTACHMENTS_DIR keeps them in QUYTRINH_ATTACHMENTS_DIR, else instance/attachments.
    os.environ.setdefault("QUYTRINH_ATTACHMENTS_DIR", str(tmp_path_factory.mktemp("attachments")))
    # Drawn pictures (audits/drawing_cache.py) likewise: a session's own folder, not the project's instance/.
    os.environ.setdefault("QUYTRINH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


# The clock of every test's `clock` fixture, and so of the rows the templates below were made with.
MONDAY_0800 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


def _copy_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as copy:
        src.backup(copy)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite database initialised once per session (every schema revision, the standard roles).

    Running the revisions takes ~0.1 s; each test gets a page-for-page copy instead (a few ms).
    """
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    database = Database(f"sqlite:///{path}")
    initialise(database, FixedClock(MONDAY_0800))
    database.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_org_template(sqlite_template, tmp_path_factory) -> Path:
    """The template with the demo organisation loaded as `org` loads it (same clock): ~1 s a test saved."""
    path = tmp_path_factory.mktemp("template-org") / "template.sqlite"
    _copy_sqlite(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    load_demo_organisation(database, FixedClock(MONDAY_0800))
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schemas():
    """This test process's PostgreSQL templates and working schema (tests/pg_schemas.py); dropped at the end."""
    from tests.pg_schemas import PgSchemas

    schemas = PgSchemas(PG_URL, lambda database: initialise(database, FixedClock(MONDAY_0800)),
                        lambda database: load_demo_organisation(database, FixedClock(MONDAY_0800)))
    yield schemas
    schemas.drop_all()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> Database:
    """An empty, initialised database: a SQLite file, or a PostgreSQL schema in the state of a fresh one.

    When the test asks for `org` too, the copy already holds the demo organisation (made once per session
    with the same clock) and `org` does not load it again.
    """
    with_org = "org" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        template = "sqlite_org_template" if with_org else "sqlite_template"
        _copy_sqlite(request.getfixturevalue(template), path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(PG_URL, schema=request.getfixturevalue("pg_schemas").checkout(with_org))
    database.demo_org_preloaded = with_org  # type: ignore[attr-defined]
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 5 January 2026, 08:00 in Hà Nội."""
    return FixedClock(MONDAY_0800)


@pytest.fixture
def org(db, clock) -> Database:
    """The database with the demo district organisation loaded (by `db` from a template when it knew)."""
    if not getattr(db, "demo_org_preloaded", False) or clock.now() != MONDAY_0800:
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
