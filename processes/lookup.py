"""Finding cases by id or dossier code."""

from __future__ import annotations

from sqlalchemy import select

from .db import Database
from .errors import NotFound
from .schema import instances


def find_instance(db: Database, ref: str | int):
    """The instance row for an id or a dossier code (business key), or NotFound."""
    with db.read() as conn:
        query = select(instances.c.id, instances.c.business_key, instances.c.status,
                       instances.c.definition_id, instances.c.unit_id)
        text = str(ref).strip()
        cond = instances.c.id == int(text) if text.isdigit() else instances.c.business_key == text
        row = conn.execute(query.where(cond)).first()
    if row is None:
        raise NotFound.of("case_ref_not_found", case=ref)
    return row
