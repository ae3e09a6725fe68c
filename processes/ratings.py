"""Citizen satisfaction: one rating per dossier, given with the dossier's code and ID number once it is done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from engine.field_errors import FieldError

from .clock import Clock
from .db import Database
from .dossier_rules import RESOLVED, DossierStatus
from .errors import ConflictError, InvalidInput, NotFound
from .inserted import inserted_id
from .public import matches
from .schema import dossiers
from .workspace_schema import ratings

SCORES = {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng", 1: "Rất không hài lòng"}
MAX_COMMENT = 1000


def rate(db: Database, code: str, id_number: str, score: int, comment: str, clock: Clock) -> int:
    """Record the applicant's rating of a finished dossier; return the rating's id."""
    errors: dict[str, str] = {}
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        errors["score"] = FieldError("score")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = FieldError("too_long", max=MAX_COMMENT)
    if errors:
        raise InvalidInput.of("rating_invalid", errors)
    with db.write() as conn:
        row = matches(conn, code, id_number)
        if row is None:
            raise NotFound.of("rating_dossier_not_found")
        if DossierStatus(row.status_code) not in RESOLVED:
            raise ConflictError.of("rating_too_early")
        if conn.execute(select(ratings.c.id).where(ratings.c.instance_id == row.instance_id)).first():
            raise ConflictError.of("already_rated")
        try:
            return inserted_id(conn.execute(insert(ratings).values(
                instance_id=row.instance_id, score=score, comment=comment, created_at=clock.now())))
        except IntegrityError:  # two submissions at once: the unique key keeps one
            raise ConflictError.of("already_rated") from None


def summary(db: Database, unit_ids: list[int], since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    """How many ratings of each score the dossiers of these agencies received in a period."""
    with db.read() as conn:
        rows = conn.execute(select(ratings.c.score, func.count()).join(dossiers,
                                                                       dossiers.c.instance_id == ratings.c.instance_id)
                            .where(dossiers.c.unit_id.in_(unit_ids), ratings.c.created_at >= since,
                                   ratings.c.created_at < until).group_by(ratings.c.score))
        found = {int(r[0]): int(r[1]) for r in rows}
    return {s: found.get(s, 0) for s in SCORES}
