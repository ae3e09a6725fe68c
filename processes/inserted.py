"""The primary key of the row a single-row INSERT just made.

SQLAlchemy types `CursorResult.inserted_primary_key` as optional: it is None only when the
statement inserted no row (or many rows at once), which a single-row insert never does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.exc import InvalidRequestError


def inserted_id(result: CursorResult[Any]) -> int:
    """The (integer, single-column) primary key of the row `result`'s INSERT made."""
    key = result.inserted_primary_key
    if key is None:
        raise InvalidRequestError("the INSERT made no row, so it has no primary key")
    return key[0]
