"""The demo district's ISO metadata of its procedures (demo/iso_metadata.json): purpose, scope, references,
terms and records, which the BPMN does not carry and a quality manager fills on each procedure's page.

Without them the demo's ISO documents printed "……" for the scope and empty tables. Only fields still empty are
filled, through the same use case as the page, so that a quality manager's own text is never overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from processes import procedures
from processes.clock import Clock
from processes.db import Database
from processes.errors import NotFound

SOURCE = Path(__file__).with_name("iso_metadata.json")
EDITOR = "iso"  # the demo's quality manager (thư ký ISO)


def fill_iso_metadata(db: Database, clock: Clock) -> list[str]:
    """Fill the empty ISO metadata of each demo procedure in the catalog; the codes of those changed."""
    changed = []
    for code, values in _demo_metadata().items():
        try:
            current = procedures.get_procedure(db, code)
        except NotFound:
            continue  # not deployed here
        missing = {k: v for k, v in values.items() if not current.get(k)}
        if missing:
            procedures.update_metadata(db, clock, EDITOR, code, missing)
            changed.append(code)
    return changed


def _demo_metadata() -> dict[str, dict[str, Any]]:
    """Procedure code → its metadata, as procedures.update_metadata takes it."""
    return json.loads(SOURCE.read_text(encoding="utf-8"))
