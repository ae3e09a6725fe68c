"""Schema migrations: bring a database to the code's revision, say where it is, undo a revision where safe.

Alembic runs the revisions under processes/migrations/versions with a Config built here (no alembic.ini).
A database made by release 0.1.0's `create_all` has the baseline's tables but no alembic_version: it IS
the baseline, so it is stamped there and then upgraded like any other.

Each revision runs in its own transaction (env.py): on PostgreSQL DDL is transactional, and on SQLite
processes.db issues BEGIN itself, so an interrupted upgrade leaves the database at the last whole revision
and running `upgrade` again finishes it.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command

try:
    import fcntl
except ImportError:  # Windows: no lock for SQLite upgrades there (servers run Linux)
    fcntl = None  # type: ignore[assignment]
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from .db import Database
from .errors import ConflictError, InvalidInput
from .schema_guard import MIGRATIONS, head, refuse_newer, script_directory, stored_revisions

BASELINE = "baseline_0_1_0"
# What release 0.1.0's create_all made (frozen with the baseline revision, not read from the code).
BASELINE_TABLES = frozenset({
    "api_tokens", "apologies", "attachments", "audit_checklist", "audit_findings", "audit_plans", "audit_samples",
    "audit_team", "calendar_overrides", "calendar_rules", "comments", "definitions", "dossiers", "events",
    "human_tasks", "index766_manual_scores", "instances", "key_sequences", "memberships", "migration_items",
    "migrations", "notifications", "procedure_versions", "procedures", "ratings", "receptions", "roles",
    "substitutes", "timer_jobs", "units", "users",
})


class UpgradeStopped(ConflictError):
    """A revision failed: the database is at the last revision that finished (`reached`)."""

    def __init__(self, message: str, reached: str | None) -> None:
        super().__init__(message)
        self.reached = reached


@dataclass(frozen=True)
class Upgraded:
    """What an upgrade did: the revision before and after, whether a 0.1.0 database was stamped first."""

    before: str | None
    after: str | None
    stamped_baseline: bool
    applied: list[str]


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of the schema, oldest first in `history`."""

    revision: str
    down_revision: str | None
    message: str
    safe_downgrade: bool
    applied: bool
    current: bool
    head: bool


def _config(conn: Connection, version_locations: Sequence[str | Path] | None) -> Config:
    cfg = Config(cmd_opts=Namespace(quiet=True))  # alembic prints nothing: the CLI says what happened (--json)
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if version_locations is not None:
        cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in version_locations))
    cfg.attributes["connection"] = conn  # env.py runs on it
    return cfg


@contextmanager
def _migrating(db: Database) -> Iterator[Connection]:
    """A connection to migrate on, holding the database's upgrade lock; on SQLite with foreign keys off."""
    with db.engine.connect() as conn:
        if not db.is_sqlite:
            with _pg_lock(conn):
                yield conn
            return
        # Batch mode recreates a table to ALTER it: with foreign keys on, dropping the old copy would
        # cascade or fail. The pragma only takes effect outside a transaction, hence the raw connection.
        raw = conn.connection.driver_connection
        if raw is None:  # a pooled connection always has its DBAPI connection; this says so to the type checker
            raise RuntimeError("SQLite connection without its DBAPI connection")
        with _file_lock(db.engine.url.database):
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                yield conn
                broken = raw.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:5]}")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")


# Two machines deploying at once both run `quytrinh db upgrade`: without a lock both would read the same
# revision and the second would fail on a table the first just made. The lock spans every revision (each
# commits on its own), and the revision is read again once it is held.
@contextmanager
def _pg_lock(conn: Connection) -> Iterator[None]:
    # Session-level advisory lock, one per schema (test schemas and agencies sharing a database do not wait).
    key = text("SELECT hashtext('quytrinh schema upgrade ' || current_schema())")
    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": conn.execute(key).scalar_one()})
    conn.commit()
    try:
        yield
    finally:
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock_all()"))
        conn.commit()


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    # SQLite has no advisory locks and one file is one machine's: a lock file beside the database does.
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{database}.upgrade-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def _current(conn: Connection) -> str | None:
    found = stored_revisions(conn)
    return found[0] if found else None


def is_pre_migrations(conn: Connection) -> bool:
    """True for a database made by 0.1.0's create_all: the baseline's tables, no alembic_version.

    Raises InvalidInput when only some of them exist: that is no database any release made.
    """
    if stored_revisions(conn):
        return False
    present = set(inspect(conn).get_table_names()) & BASELINE_TABLES
    if not present:
        return False
    missing = sorted(BASELINE_TABLES - present)
    if missing:
        raise InvalidInput(f"the database has some of quytrinh's tables but not {', '.join(missing)}; "
                           "it was not made by `quytrinh init-db`")
    return True


def upgrade(db: Database, target: str = "head", version_locations: Sequence[str | Path] | None = None) -> Upgraded:
    """Upgrade to `target` (default: the code's head); a 0.1.0 database is stamped at the baseline first."""
    scripts = script_directory(version_locations)
    with _migrating(db) as conn:
        refuse_newer(conn, scripts)
        before = _current(conn)
        stamped = is_pre_migrations(conn)
        conn.commit()  # close the reading transaction: each revision opens its own
        cfg = _config(conn, version_locations)
        if stamped:
            command.stamp(cfg, BASELINE)
            conn.commit()
        try:
            command.upgrade(cfg, target)
        except Exception as exc:
            conn.rollback()  # the failed revision's own transaction: the database stays at the last whole one
            reached = _current(conn)
            raise UpgradeStopped(f"the upgrade stopped after {reached or 'no revision'}: {exc}; the database is at "
                                 f"{reached or 'no revision'}; fix the cause and run `quytrinh db upgrade` again",
                                 reached=reached) from exc
        after = _current(conn)
        conn.rollback()
    return Upgraded(before, after, stamped, _between(scripts, before, after))


def _between(scripts: ScriptDirectory, lower: str | None, upper: str | None) -> list[str]:
    """The revisions after `lower` up to `upper`, oldest first."""
    if upper is None or upper == lower:
        return []
    return [r.revision for r in reversed(list(scripts.iterate_revisions(upper, lower or "base")))]


def downgrade(db: Database, target: str, version_locations: Sequence[str | Path] | None = None) -> list[str]:
    """Undo the revisions above `target`, newest first; refused unless each of them says it is safe."""
    scripts = script_directory(version_locations)
    with _migrating(db) as conn:
        refuse_newer(conn, scripts)
        current = _current(conn)
        if current is None:
            raise InvalidInput("the database has no schema revision yet; nothing to downgrade")
        try:
            undone = _between(scripts, None if target == "base" else scripts.get_revision(target).revision, current)
        except Exception as exc:  # alembic's CommandError/ResolutionError: an unknown or later target
            raise InvalidInput(f"cannot downgrade from {current} to {target}: {exc}") from exc
        unsafe = [r for r in undone if not getattr(scripts.get_revision(r).module, "safe_downgrade", False)]
        if unsafe:
            raise InvalidInput(f"downgrading to {target} would undo {', '.join(unsafe)}, which cannot be undone "
                               "without losing data; restore the backup made before the upgrade instead")
        conn.commit()
        command.downgrade(_config(conn, version_locations), target)
        conn.commit()
    return list(reversed(undone))


def current(db: Database) -> str | None:
    """The revision the database is at (None: no alembic_version yet, empty or made by 0.1.0)."""
    with db.read() as conn:
        return _current(conn)


def history(db: Database | None = None, version_locations: Sequence[str | Path] | None = None) -> list[RevisionInfo]:
    """Every revision, oldest first, with whether `db` has it applied."""
    scripts = script_directory(version_locations)
    at = current(db) if db is not None else None
    applied = set(_between(scripts, None, at)) if at else set()
    top = head(scripts)
    return [RevisionInfo(r.revision, _single(r.down_revision), (r.doc or "").strip().splitlines()[0] if r.doc else "",
                         bool(getattr(r.module, "safe_downgrade", False)), r.revision in applied, r.revision == at,
                         r.revision == top)
            for r in reversed(list(scripts.walk_revisions()))]


def _single(down: str | Sequence[str] | None) -> str | None:
    if down is None or isinstance(down, str):
        return down
    return ", ".join(down)



def new_revision(db: Database, message: str, rev_id: str,
                 version_locations: Sequence[str | Path] | None = None) -> Path:
    """Write the next revision: the operations that bring the head schema to the tables declared in code.

    For developers: `db` must be at head (an empty database upgraded first), autogenerate compares it with
    the code. Read the file before committing it: autogenerate misses renames and data changes, and the
    revision stays unsafe to downgrade until someone sets safe_downgrade = True on purpose.
    """
    scripts = script_directory(version_locations)
    with _migrating(db) as conn:
        refuse_newer(conn, scripts)
        if _current(conn) != head(scripts):
            raise InvalidInput(f"the database is at {_current(conn) or 'no revision'}, not at {head(scripts)}: "
                               "upgrade it first (an empty database is best)")
        conn.commit()
        cfg = _config(conn, version_locations)
        cfg.set_main_option("file_template", "%%(rev)s")  # versions/<revision id>.py, like the others
        written = command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        conn.rollback()
    first = written[0] if isinstance(written, list) else written
    if first is None:  # alembic returns None only in its "revision --sql" mode, which is not used here
        raise RuntimeError("alembic wrote no revision")
    return Path(first.path)
