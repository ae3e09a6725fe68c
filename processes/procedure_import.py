"""Bringing in a procedure the agency already issued on paper: its BPMN becomes version 1 in force, with the
issue date and the drafter, reviewer and approver of the paper issue (not the day of the import, not the
importer), so its ISO document and master-list row say what the signed original says.

The import form's values are written into the BPMN as process properties (procedures.ISSUE_PROPERTIES) and the
file is deployed: the adoption that follows every deployment (procedures.issued_as) reads them, the same way a
BPMN file that already carries them (the demo procedures) is adopted by `quytrinh deploy`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from . import catalog
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput
from .keys import VN
from .lint import main_process
from .procedures import ISSUE_PROPERTIES, adopt_in, as_text, require_editor
from .schema import procedures
from .skeleton import with_properties


def import_issued(db: Database, clock: Clock, actor: str, xml: bytes | str, code: str | None,
                  issued: dict[str, str]) -> dict[str, Any]:
    """Add a procedure issued before quytrinh as its version 1 in force (`issued`: issue_date as YYYY-MM-DD, and
    optionally effective_date, drafted_by, reviewed_by, approved_by)."""
    text = as_text(xml)
    info = main_process(text)
    if info is None:
        raise InvalidInput.of("no_executable_process_in_file")
    if code and info.code != code and "code" in info.properties:
        raise InvalidInput.of("file_code_differs", found=info.code, expected=code)
    code = code or info.code
    values = {k: (issued.get(k) or "").strip() for k in ISSUE_PROPERTIES if (issued.get(k) or "").strip()}
    day = _day(values.get("issue_date"), "issue_date")
    if day is None or day > clock.now().astimezone(VN).date():
        raise InvalidInput("an issued procedure needs its issue date, not after today", {"issue_date": "invalid"})
    _day(values.get("effective_date"), "effective_date")
    now = clock.now()
    # One transaction: two imports of the same code cannot both pass the check and both be adopted.
    with db.write() as conn:
        require_editor(conn, actor)
        if conn.execute(select(procedures.c.id).where(procedures.c.code == code)).first() is not None:
            raise ConflictError.of("procedure_exists", code=code)
        catalog.deploy_in(conn, with_properties(text, {"code": code, **values}), now, actor)
        adopt_in(conn, now)
    return {"code": code, "version": 1, "status": "effective", "issue_date": day.isoformat()}


def _day(text: str | None, field: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"{field} is not a date (YYYY-MM-DD)", {field: "invalid"}) from None
