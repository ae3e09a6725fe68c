"""Which cases are citizens' dossiers: internal procedures (level noi_bo — procedure approvals QT-ISO-01, CAPA,
internal documents…) are not, so they stay out of the tracking book (Mẫu 07), the dossier CSV and the
citizens' statistics (issue 13 item 10).

The level is a property of each deployed definition; the set of internal codes is read from `definitions`
(a few hundred rows at most) and turned into a NOT IN on the dossier's procedure code.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Connection, select, true

from .catalog import INTERNAL_LEVEL
from .db import Database
from .schema import definitions


def is_internal_level(properties: str | dict[str, Any] | None) -> bool:
    """Whether a definition's properties (stored JSON text, or parsed) say it is an internal procedure."""
    if isinstance(properties, str):
        try:
            properties = json.loads(properties or "{}")
        except ValueError:
            return False
    return isinstance(properties, dict) and properties.get("level", "") == INTERNAL_LEVEL


def internal_codes(conn: Connection) -> set[str]:
    """The codes of procedures any of whose versions is internal."""
    return {code for code, properties in conn.execute(select(definitions.c.code, definitions.c.properties))
            if is_internal_level(properties)}


def is_internal(db: Database, procedure_code: str) -> bool:
    """Whether a procedure is internal (its cases are no citizen's dossier: no applicant, no receipt)."""
    with db.read() as conn:
        return procedure_code in internal_codes(conn)


def citizens_only(conn: Connection, procedure_code: Any) -> ColumnElement[bool]:
    """A condition on a procedure-code column keeping citizens' dossiers only."""
    codes = internal_codes(conn)
    return procedure_code.notin_(sorted(codes)) if codes else true()
