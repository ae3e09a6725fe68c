"""Alembic's environment: run the revisions on the connection processes.schema_upgrade hands over.

Online only (no SQL-script mode): the caller opens the connection, so a PostgreSQL schema chosen by
search_path, SQLite's pragmas and the test databases are all the caller's business.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from processes.db import metadata  # every table the code declares (processes.db registers them all)
from processes.schema import UTCDateTime


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # A revision must not import the code's type: UTC handling is Python-side, the column is DateTime(tz).
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("quytrinh runs migrations through processes.schema_upgrade (it passes the connection)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode copies the table ("move and copy") instead.
        render_as_batch=True,
        # Each revision commits on its own with its alembic_version row: an upgrade that stops half-way
        # leaves the database at the last whole revision, and `db upgrade` again finishes the job.
        transaction_per_migration=True,
        render_item=_render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run `quytrinh db upgrade`")
_run()
