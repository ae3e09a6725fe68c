"""Dossier codes (business keys): {unit code}-{yyMMdd}-{4-digit sequence per unit and day}."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from .schema import key_sequences

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def next_business_key(conn: Connection, unit_code: str, at: dt.datetime) -> str:
    """Allocate the next dossier code for a unit on the local (Vietnam) date of `at`."""
    prefix = f"{unit_code}-{at.astimezone(VN):%y%m%d}"
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(key_sequences).values(prefix=prefix, last=1)
    # One atomic upsert: concurrent starts in the same unit and day never get the same number.
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_sequences.c.prefix], set_={"last": key_sequences.c.last + 1}
    ).returning(key_sequences.c.last)
    number = conn.execute(stmt).scalar_one()
    return f"{prefix}-{number:04d}"
