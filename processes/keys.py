"""Dossier codes (business keys): {unit code}-{yyMMdd}-{4-digit sequence per unit and day}."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from .fastsql import Fast
from .schema import key_sequences

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _upsert(dialect) -> Fast:
    # One atomic upsert: concurrent starts in the same unit and day never get the same number.
    return Fast(dialect.insert(key_sequences).values(prefix=bindparam("b_prefix"), last=1).on_conflict_do_update(
        index_elements=[key_sequences.c.prefix], set_={"last": key_sequences.c.last + 1},
    ).returning(key_sequences.c.last))


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


def next_business_key(conn: Connection, unit_code: str, at: dt.datetime) -> str:
    """Allocate the next dossier code for a unit on the local (Vietnam) date of `at`."""
    prefix = f"{unit_code}-{at.astimezone(VN):%y%m%d}"
    number = _UPSERT[conn.dialect.name].execute(conn, {"b_prefix": prefix}).scalar()
    return f"{prefix}-{number:04d}"
