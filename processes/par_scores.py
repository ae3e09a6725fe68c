"""PAR index (Chỉ số CCHC) self-scores (issue 17 item 5): what a unit scores itself on a criterion quytrinh cannot
compute, with the evidence (document numbers, links). oversight/par_index.py checks them against the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select, update

from . import organisation
from .clock import Clock
from .db import Database
from .errors import InvalidInput
from .oversight_schema import par_self_scores
from .schema import units
from .uow import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class SelfScore:
    """One self-score as stored."""

    unit: str
    year: int
    criterion: str
    points: Decimal
    evidence: str
    entered_by: str
    entered_at: dt.datetime


def set_score(db: Database, unit: str, year: int, criterion: str, points: Decimal, evidence: str, actor: str,
              clock: Clock, max_points: Decimal) -> None:
    """Enter (or replace) `unit`'s self-score on `criterion` for `year`, within 0..max_points, with evidence."""
    with unit_of_work(db) as uow:
        set_score_in(uow, unit, year, criterion, points, evidence, actor, clock, max_points)


def set_score_in(uow: UnitOfWork, unit: str, year: int, criterion: str, points: Decimal, evidence: str,
                 actor: str, clock: Clock, max_points: Decimal) -> None:
    """Enter the self-score inside `uow` (see set_score)."""
    if not Decimal(0) <= points <= max_points:
        raise InvalidInput(f"criterion {criterion} scores 0 to {max_points}", {"points": str(points)})
    if len(evidence.strip()) < 3:
        raise InvalidInput("a self-score needs its evidence (document, link)", {"evidence": "required"})
    row = organisation.unit_by_code(uow.conn, unit)
    values = {"points": points, "evidence": evidence.strip(), "entered_by": actor, "entered_at": clock.now()}
    found = uow.conn.execute(select(par_self_scores.c.id).where(
        par_self_scores.c.unit_id == row.id, par_self_scores.c.year == year,
        par_self_scores.c.criterion == criterion)).first()
    if found is None:
        uow.conn.execute(insert(par_self_scores).values(unit_id=row.id, year=year, criterion=criterion, **values))
    else:
        uow.conn.execute(update(par_self_scores).where(par_self_scores.c.id == found.id).values(**values))


def scores(db: Database, year: int) -> list[SelfScore]:
    """Every self-score of `year`, by unit and criterion."""
    with db.read() as conn:
        rows = conn.execute(select(par_self_scores, units.c.code).join(units, units.c.id == par_self_scores.c.unit_id)
                            .where(par_self_scores.c.year == year)
                            .order_by(units.c.code, par_self_scores.c.criterion))
        return [SelfScore(r.code, r.year, r.criterion, Decimal(r.points), r.evidence, r.entered_by, r.entered_at)
                for r in rows]
