"""The SLA step figures of whole months, kept grouped so that a report reads thousands of rows, not every step.

A report's step figures (processes/step_times.py) count the steps completed in its period of the dossiers
received or resolved in it. For a period of whole local months (a year, a half, a quarter, a month) that is:

* the steps completed in the period of dossiers *received* in it: read from `step_rollups`, one row per
  (completion month, month received, dossier unit and procedure, version, step, result, performer, roles)
  with the count, the group's earliest row (its name and limit), every office time and the late completions
  packed — medians, 90th percentiles and overruns come out exactly as from the rows;
* the steps completed in it of dossiers received before it and resolved in it (a few weeks' worth), and the
  steps of months not over yet: read row by row as before.

The scheduler rolls up the thirteen months before the current one once an hour (roll_up_recent); a month it
has not reached is rolled up by the first report that needs it once the month is over, from its completed steps
(their office times computed first where missing, as step_times does). Its row in `step_rollup_months` keeps
the count and the highest id of that month's completed steps; when they differ (a step recorded late with an
old time, a case purged) the month is rolled up again before it is read, so the figures are always those of
the rows.
"""

from __future__ import annotations

import datetime as dt
import sys
from array import array
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, not_, or_, select
from sqlalchemy.exc import IntegrityError

from .audit_schema import step_rollup_months, step_rollups
from .db import Database
from .keys import VN
from .records import Span
from .schema import dossiers, human_tasks, instances, units
from .step_times import (
    COMPLETED,
    Gather,
    StepTimes,
    completed_in,
    dossiers_where,
    in_scope,
    keep_times,
    missing_times_where,
    received_in,
    resolved_in,
)


@dataclass(frozen=True)
class Month:
    """A local (Vietnam) month: its label and its first and next-month first instants (UTC)."""

    label: str
    first: dt.datetime
    end: dt.datetime


def months_of(span: Span) -> list[Month] | None:
    """The local months making up the span, or None when it does not begin and end at a month's start."""
    start, stop = span.first_instant.astimezone(VN), span.end_instant.astimezone(VN)
    if any((at.day, at.hour, at.minute, at.second, at.microsecond) != (1, 0, 0, 0, 0) for at in (start, stop)):
        return None
    return _months(start.date(), stop.date())


def _months(day: dt.date, stop: dt.date) -> list[Month]:
    """The local months from the one beginning on `day` up to `stop` (a first of the month), excluded."""
    out = []
    while day < stop:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append(Month(f"{day:%Y-%m}", _instant(day), _instant(following)))
        day = following
    return out


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), VN).astimezone(dt.UTC)


def rolled_step_times(db: Database, span: Span, procedures: Collection[str] | None = None,
                      agencies: Collection[str] | None = None, now: dt.datetime | None = None) -> StepTimes | None:
    """The step figures of step_times (the same groups, tallies possibly in another order), the months of the
    span over by `now` read from their rollups (built first when missing or stale); None when the span is not
    whole months."""
    months = months_of(span)
    if months is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    over = [m for m in months if m.end <= now]
    with db.read() as conn:
        rolled = _current(conn, over)
        if len(rolled) == len(over):
            return _read(conn, span, months, rolled, procedures, agencies)
    ensure_rollups(db, over, rolled)
    with db.read() as conn:  # checked again: a month may have changed or failed to roll up meanwhile
        return _read(conn, span, months, _current(conn, over), procedures, agencies)


def _read(conn: Connection, span: Span, months: list[Month], rolled: set[str], procedures: Collection[str] | None,
          agencies: Collection[str] | None) -> StepTimes:
    """The figures of the span: the current rollups of the months in `rolled`, the other months row by row."""
    others = [m for m in months if m.label not in rolled]
    gather = Gather(conn)
    for r in _rollup_rows(conn, sorted(rolled), [m.label for m in months], procedures, agencies):
        gather.add_group(r.definition_id, r.element_id, r.result, r.completed_by, r.roles, r.count,
                         (r.first_task_id, r.first_name, r.first_due), _floats(r.seconds), _late(r.late))
    if others:  # months not over (or changed since): every step in scope, row by row
        gather.add_rows(conn, in_scope(span, procedures, agencies) & _during(others))
    if rolled:  # rolled-up months: the steps of dossiers received outside the span and resolved in it
        gather.add_rows(conn, _outside_steps(span, [m for m in months if m.label in rolled], procedures,
                                             agencies))
    return gather.finish()


def _outside_steps(span: Span, months: list[Month], procedures: Collection[str] | None,
                   agencies: Collection[str] | None) -> ColumnElement[bool]:
    """The steps completed in the months of the dossiers received before the span and resolved in it, read
    from those dossiers' steps: the state is compared as `state || ''` so that SQLite does not walk every
    step completed in the span (ix_tasks_completed) to keep a few weeks' worth."""
    outside = dossiers_where(resolved_in(span) & not_(received_in(span)), procedures, agencies)
    t = human_tasks.c
    return and_(t.state.concat("") == COMPLETED, t.completed_at >= span.first_instant,
                t.completed_at < span.end_instant, _during(months), t.instance_id.in_(outside))


def _during(months: list[Month]) -> ColumnElement[bool]:
    return or_(*(and_(human_tasks.c.completed_at >= m.first, human_tasks.c.completed_at < m.end) for m in months))


def _current(conn: Connection, months: list[Month]) -> set[str]:
    """The months whose rollup was built from the steps completed in them now."""
    if not months:
        return set()
    kept = {r.month: (r.steps, r.last_task_id) for r in conn.execute(
        select(step_rollup_months).where(step_rollup_months.c.month.in_([m.label for m in months])))}
    return {m.label for m in months if kept.get(m.label) == fingerprint(conn, m)}


def _rollup_rows(conn: Connection, rolled: list[str], received: list[str], procedures: Collection[str] | None,
                 agencies: Collection[str] | None) -> Iterator[Any]:
    if not rolled:
        return
    r = step_rollups.c
    query = select(step_rollups).where(r.month.in_(rolled), r.received_month.in_(received))
    if procedures is not None:
        query = query.where(r.procedure.in_(sorted(procedures)))
    if agencies is not None:
        query = query.where(r.unit_id.in_(select(units.c.id).where(units.c.code.in_(sorted(agencies)))))
    yield from conn.execute(query.order_by(r.id))


def fingerprint(conn: Connection, month: Month) -> tuple[int, int]:
    """The count and the highest id of the steps completed in the month (from ix_tasks_completed)."""
    count, last = conn.execute(select(func.count(human_tasks.c.id), func.max(human_tasks.c.id))
                               .where(completed_in(month.first, month.end))).one()
    return int(count), int(last or 0)


def ensure_rollups(db: Database, months: list[Month], current: set[str] | None = None) -> int:
    """Roll up the months with no rollup or a stale one (`current`: the labels of those found current just
    before); how many were rolled up."""
    if not months:
        return 0
    if current is None:
        with db.read() as conn:
            current = _current(conn, months)
    stale = [m for m in months if m.label not in current]
    for month in stale:
        build_month(db, month)
    return len(stale)


def roll_up_recent(db: Database, now: dt.datetime, count: int = 13) -> int:
    """Roll up the `count` local months before the one `now` falls in where missing or stale (the year just
    ended and one month more; a current month costs one fingerprint query); how many were rolled up. The
    scheduler calls it, so that the first /audit page or report after a month ends reads a rollup instead of
    building one in a web request (a month of a province's steps takes tens of CPU seconds)."""
    this_month = now.astimezone(VN).date().replace(day=1)
    first = this_month
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return ensure_rollups(db, _months(first, this_month))


def build_month(db: Database, month: Month) -> bool:
    """Roll up the steps completed in the month (their office times computed first where missing); False when
    a step completed meanwhile without its time (the month is then read row by row until rolled up again)."""
    done = completed_in(month.first, month.end)
    with db.read() as conn:
        missing = missing_times_where(conn, done)
    if missing:
        with db.write() as conn:
            keep_times(conn, missing)
    with db.read() as conn:
        print_ = fingerprint(conn, month)
        rows = _groups(conn, month)
    if rows is None:
        return False
    try:
        with db.write() as conn:
            conn.execute(delete(step_rollups).where(step_rollups.c.month == month.label))
            conn.execute(delete(step_rollup_months).where(step_rollup_months.c.month == month.label))
            for i in range(0, len(rows), 500):
                conn.execute(insert(step_rollups), rows[i:i + 500])
            conn.execute(insert(step_rollup_months).values(month=month.label, steps=print_[0],
                                                           last_task_id=print_[1], built_at=dt.datetime.now(dt.UTC)))
    except IntegrityError:  # another report rolled the same month up at the same time: its rows stand
        pass
    return True


def _groups(conn: Connection, month: Month) -> list[dict[str, Any]] | None:
    """The month's completed steps of dossiers, grouped; None when one has no office time kept."""
    t, d = human_tasks.c, dossiers.c
    query = (select(t.id, t.element_id, t.name, t.due_duration, t.result, t.completed_by, t.roles, t.instance_id,
                    t.worked_seconds, instances.c.definition_id, d.received_at, d.unit_id, d.procedure)
             .join(instances, instances.c.id == t.instance_id).join(dossiers, d.instance_id == t.instance_id)
             .where(completed_in(month.first, month.end)).order_by(t.id))
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    labels: dict[dt.date, str] = {}
    for r in conn.execute(query):
        if r.worked_seconds is None:
            return None
        day = r.received_at.astimezone(VN).date()
        received = labels.get(day) or labels.setdefault(day, f"{day:%Y-%m}")
        key = (received, r.unit_id, r.procedure, r.definition_id, r.element_id, r.result, r.completed_by, r.roles)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"month": month.label, "received_month": received, "unit_id": r.unit_id,
                                   "procedure": r.procedure, "definition_id": r.definition_id,
                                   "element_id": r.element_id, "result": r.result, "completed_by": r.completed_by,
                                   "roles": r.roles, "count": 0, "first_task_id": r.id, "first_name": r.name,
                                   "first_due": r.due_duration, "seconds": array("d"), "late": array("d")}
        group["count"] += 1
        group["seconds"].append(r.worked_seconds)
        if r.result == "late":
            group["late"].extend((r.id, r.instance_id, r.worked_seconds))
    for group in groups.values():
        group["seconds"], group["late"] = _pack(group["seconds"]), _pack(group["late"])
    return list(groups.values())


def _pack(values: array) -> bytes:
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def _floats(blob: bytes) -> array:
    values = array("d")
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _late(blob: bytes) -> Iterable[tuple[int, int, float]]:
    values = _floats(blob)
    return ((int(values[i]), int(values[i + 1]), values[i + 2]) for i in range(0, len(values), 3))
