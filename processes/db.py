"""Database access: engine creation, SQLite durability settings, write and read transactions."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from . import (
    admin_schema,  # noqa: F401 - registers the administration log, chain heads and login attempts
    audit_schema,  # noqa: F401 - registers the internal-audit tables on the metadata
    jobs_schema,  # noqa: F401 - registers the background jobs table on the metadata
    notice_schema,  # noqa: F401 - registers the search words, the mail outbox and notification choices
    oversight_schema,  # noqa: F401 - registers unit aliases and the CCHC plan tables
    runtime_schema,  # noqa: F401 - registers sessions, rate-limit counters and cache generations
    workspace_schema,  # noqa: F401 - registers the workspace tables on the metadata
)
from .caches import LiveWorkflows, ProcedureCache
from .paths import attachments_dir, instance_dir
from .schema import metadata
from .schema_guard import refuse_newer


def database_url(explicit: str | None = None) -> str:
    """The URL to use: explicit, else QUYTRINH_DATABASE_URL, else SQLite in the project's instance folder.

    The instance folder of processes.paths, not the working directory's: the database and the attachments
    (and so a backup of both) stay together wherever `quytrinh` is started from.
    """
    if explicit:
        return explicit
    env = os.environ.get("QUYTRINH_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{instance_dir() / 'quytrinh.sqlite'}"


def engine_options(url: str, schema: str | None = None) -> dict[str, Any]:
    """The create_engine keyword arguments for `url`: the one place the web app, CLI and workers take them from.

    The web app hands them to Flask-SQLAlchemy (SQLALCHEMY_ENGINE_OPTIONS); `configure_engine` then adds
    what cannot be an option (the SQLite pragmas are connection events).
    """
    if url.startswith("sqlite"):
        # Threads of one web worker share the pool; 30 s waiting for the write lock before "database is locked".
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    # A schema of its own lets tests (and several agencies) share one PostgreSQL database.
    args = {"options": f"-csearch_path={schema}"} if schema else {}
    # No pool_pre_ping (a round trip per checkout, a dozen per inbox read and completion): configure_engine
    # pings only a connection that sat idle in the pool (IDLE_PING_SECONDS). Last in, first out, so that under a
    # light load the same few connections stay in use and the rest are the ones left idle (and pinged).
    return {"pool_size": 10, "max_overflow": 20, "pool_use_lifo": True, "connect_args": args}


# A PostgreSQL connection idle in the pool longer than this is pinged before use: a web worker that sat idle
# across a database restart gets a fresh connection, not an error. One in steady use is not pinged.
IDLE_PING_SECONDS = 5.0


def configure_engine(engine: Engine) -> Engine:
    """Install what every engine of ours needs beyond its options (SQLite: durability and locking pragmas)."""
    if engine not in _CONFIGURED:
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        elif engine.dialect.name == "postgresql":
            _configure_postgresql(engine)
        _CONFIGURED.add(engine)  # twice would BEGIN twice per transaction
    return engine


_CONFIGURED: weakref.WeakSet[Engine] = weakref.WeakSet()


def make_engine(url: str, echo: bool = False, schema: str | None = None) -> Engine:
    """An engine for `url` with our options and settings (CLI, workers, tests)."""
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
    return configure_engine(create_engine(url, echo=echo, **engine_options(url, schema)))


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file (SQLite creates the file, not its folder)."""
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


class Database:
    """One database: a SQLAlchemy engine plus the transaction discipline every use case follows."""

    def __init__(self, url: str | None = None, echo: bool = False, schema: str | None = None,
                 engine: Engine | None = None, check_schema: bool = True) -> None:
        if engine is None:
            self.url = database_url(url)
            self.engine: Engine = make_engine(self.url, echo, schema)
        else:  # the web app's, made by Flask-SQLAlchemy from engine_options
            self.engine = configure_engine(engine)
            self.url = engine.url.render_as_string(hide_password=False)
        # Caches live with the database they mirror: ids mean nothing in another database.
        self.procedures = ProcedureCache()
        self.live = LiveWorkflows()
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # Tables changed by a newer release must not be read or written by this code: stop before serving.
        # (check_schema=False only for what must work on such a database: saying its revision, a restore.)
        if check_schema:
            with self.engine.connect() as conn:
                refuse_newer(conn)

    _attachments_root: Path | None = None

    @property
    def attachments_root(self) -> Path:
        """Where this database's attachments are kept: what the web app configured (create_app sets it from
        ATTACHMENTS_DIR), else QUYTRINH_ATTACHMENTS_DIR or <instance>/attachments. Checks that read files,
        such as a signing step's, read them from the same store as the uploads."""
        return self._attachments_root or attachments_dir()

    @attachments_root.setter
    def attachments_root(self, root: Path) -> None:
        self._attachments_root = root

    @classmethod
    def from_engine(cls, engine: Engine) -> Database:
        """A Database around an engine made elsewhere (Flask-SQLAlchemy's, in the web app)."""
        return cls(engine=engine)

    def create_all(self) -> None:
        """Create every table that does not exist yet."""
        metadata.create_all(self.engine)

    def drop_all(self) -> None:
        """Drop every table (tests only)."""
        metadata.drop_all(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A read-write transaction; commits on success, rolls back on any exception."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                # IMMEDIATE takes the write lock up front: two writers never deadlock on upgrade.
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    # FULL (default): a committed dossier survives power loss, not only a crash of the process.
    # NORMAL keeps the database consistent but may lose the last commits on power loss.
    synchronous = os.environ.get("QUYTRINH_SQLITE_SYNCHRONOUS", "FULL").upper()
    if synchronous not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError("QUYTRINH_SQLITE_SYNCHRONOUS must be FULL, NORMAL or EXTRA")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # We issue BEGIN ourselves (see _on_begin), so pysqlite must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        # Straight on the DBAPI connection: a statement through SQLAlchemy costs ~25 µs per transaction.
        conn.connection.driver_connection.execute(f"BEGIN {mode}")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # No JIT compilation: our statements are short, and one whose estimated cost passes jit_above_cost (the
        # inbox's loose index scan does once the planner has statistics) spent ~50 ms compiling for ~1 ms of
        # work, on every inbox read and every case check. Once per connection, not per request.
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        cur = dbapi_conn.cursor()
        cur.execute("SET jit = off")
        cur.close()
        dbapi_conn.autocommit = autocommit

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy):
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since >= IDLE_PING_SECONDS:
            try:
                alive = engine.dialect.do_ping(dbapi_conn)
            except engine.dialect.loaded_dbapi.Error as error:
                raise DisconnectionError("the pooled connection is closed") from error
            if not alive:  # the pool replaces it and checks out again
                raise DisconnectionError("the pooled connection is closed")


def ping(db: Database) -> bool:
    """True when the database answers."""
    with db.read() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1
