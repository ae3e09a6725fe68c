"""Which schema revisions this code knows, and the refusal to open a database written by a newer release.

processes.db checks every database it opens: code that reads tables a newer release has changed could
corrupt them silently, so it stops at once with a message that names both revisions. (Upgrading and the
rest of `quytrinh db` live in processes.schema_upgrade, which needs Database and so cannot be imported here.)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from .errors import ConflictError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def script_directory(version_locations: Sequence[str | Path] | None = None) -> ScriptDirectory:
    """The revisions: processes/migrations/versions, or other folders (tests give their own)."""
    if version_locations is None:
        return _default_scripts()
    return ScriptDirectory(str(MIGRATIONS), version_locations=[str(p) for p in version_locations])


@functools.cache
def _default_scripts() -> ScriptDirectory:
    # Parsed once per process: every Database construction asks which revisions exist.
    return ScriptDirectory(str(MIGRATIONS))


def known_revisions(scripts: ScriptDirectory | None = None) -> frozenset[str]:
    """Every revision id the code has a file for."""
    scripts = scripts or _default_scripts()
    return frozenset(rev.revision for rev in scripts.walk_revisions())


def head(scripts: ScriptDirectory | None = None) -> str:
    """The newest revision (the schema the code declares)."""
    found = (scripts or _default_scripts()).get_current_head()
    if found is None:  # only a broken checkout has no revision at all
        raise RuntimeError(f"no schema revisions under {MIGRATIONS}")
    return found


def stored_revisions(conn: Connection) -> list[str]:
    """The revisions the database says it is at (none when it has no alembic_version table)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return []
    return sorted(r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")))  # noqa: S608


def refuse_newer(conn: Connection, scripts: ScriptDirectory | None = None) -> None:
    """Refuse (ConflictError "database_newer_than_code") a database at a revision this code has no file for."""
    known = known_revisions(scripts)
    unknown = [r for r in stored_revisions(conn) if r not in known]
    if unknown:
        raise ConflictError.of("database_newer_than_code", revision=", ".join(unknown), head=head(scripts))
