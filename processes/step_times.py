"""The office time each completed step took, kept with the step, and the step figures reports aggregate from it.

A step's time is office time on its agency's calendar from when it opened to when it was done
(`worked`). It is written when the step completes (instances.complete_in), so a report sums and sorts
stored numbers instead of running the calendar for every step of the year. Steps completed before the
column existed hold NULL: the first report that counts them computes their time exactly as it did before
and writes it back (`fill_missing`), so an upgrade changes no figure.

The figures are read grouped in SQL (`step_times`): counts per step, result, performer and roles; the
hours of each step sorted for its median and 90th percentile; and the late completions one by one
(their overrun and the late dossiers they belong to).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, bindparam, select, update

from engine.calendar import WorkingCalendar

from .calendar_store import calendar_for
from .records import Span
from .schema import definitions, dossiers, human_tasks, instances, units

COMPLETED = "completed"


def worked(calendar: WorkingCalendar, opened: dt.datetime, done: dt.datetime) -> float:
    """A step's office time in seconds, from when it opened to when it was done."""
    return calendar.elapsed(opened, done).total_seconds()


def _in_scope(span: Span, procedures: Collection[str] | None, agencies: Collection[str] | None):
    """The steps completed in the span, of the dossiers received or resolved in it (of these procedures and
    agencies when given): those the SLA report counts."""
    cases = select(dossiers.c.instance_id).where(
        and_(dossiers.c.received_at >= span.first_instant, dossiers.c.received_at < span.end_instant)
        | and_(dossiers.c.done_at >= span.first_instant, dossiers.c.done_at < span.end_instant))
    if procedures is not None:
        cases = cases.where(dossiers.c.procedure.in_(sorted(procedures)))
    if agencies is not None:
        cases = cases.join(units, units.c.id == dossiers.c.unit_id).where(units.c.code.in_(sorted(agencies)))
    return and_(human_tasks.c.state == COMPLETED, human_tasks.c.completed_at >= span.first_instant,
                human_tasks.c.completed_at < span.end_instant, human_tasks.c.instance_id.in_(cases))


def missing_times(conn: Connection, span: Span, procedures: Collection[str] | None = None,
                  agencies: Collection[str] | None = None) -> list[dict[str, float]]:
    """The office time of the steps in scope that have none kept yet, computed (rows for keep_times)."""
    rows = conn.execute(select(human_tasks.c.id, instances.c.unit_id, human_tasks.c.created_at,
                               human_tasks.c.completed_at)
                        .join(instances, instances.c.id == human_tasks.c.instance_id)
                        .where(_in_scope(span, procedures, agencies), human_tasks.c.worked_seconds.is_(None))
                        ).all()
    calendars: dict[int, WorkingCalendar] = {}
    values = []
    for r in rows:
        calendar = calendars.get(r.unit_id)
        if calendar is None:
            calendar = calendars[r.unit_id] = calendar_for(conn, r.unit_id)
        values.append({"b_id": r.id, "worked_seconds": worked(calendar, r.created_at, r.completed_at)})
    return values


def keep_times(conn: Connection, values: list[dict[str, float]]) -> None:
    """Write the office times computed by missing_times (a step's time never changes once it is done)."""
    statement = update(human_tasks).where(human_tasks.c.id == bindparam("b_id"),
                                          human_tasks.c.worked_seconds.is_(None))
    for i in range(0, len(values), 5000):
        conn.execute(statement, values[i:i + 5000])


@dataclass(frozen=True)
class StepTally:
    """How many completions of one step had one result, by one performer holding these roles."""

    procedure: str
    element_id: str
    result: str | None
    completed_by: str | None
    roles: str
    count: int


@dataclass(frozen=True)
class LateStep:
    """One completion after the step's own limit."""

    procedure: str
    element_id: str
    instance_id: int
    hours: float


@dataclass
class StepTimes:
    """The completed steps of a report's scope, grouped."""

    tallies: list[StepTally] = field(default_factory=list)
    # (procedure, element id) → (name, time limit) of its earliest row
    steps: dict[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)
    hours: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # office hours, sorted
    late: list[LateStep] = field(default_factory=list)
    missing: bool = False  # some step in scope has no office time kept yet (see missing_times)


def step_times(conn: Connection, span: Span, procedures: Collection[str] | None = None,
               agencies: Collection[str] | None = None) -> StepTimes:
    """The steps completed in the span of the dossiers received or resolved in it, grouped (see the module).

    One pass over the rows in scope (what costs is finding them, not carrying a few short columns); the
    procedure code is looked up per version, not joined per row."""
    t = human_tasks.c
    codes = dict(conn.execute(select(definitions.c.id, definitions.c.code)).all())
    query = (select(instances.c.definition_id, t.element_id, t.id, t.name, t.due_duration, t.result, t.completed_by,
                    t.roles, t.instance_id, t.worked_seconds)
             .join(instances, instances.c.id == t.instance_id).where(_in_scope(span, procedures, agencies)))
    out = StepTimes()
    first: dict[tuple[str, str], int] = {}
    counts: dict[tuple[str, str, str | None, str | None, str], int] = defaultdict(int)
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    late: list[tuple[int, LateStep]] = []
    for definition, element, row_id, name, due, result, who, roles, instance_id, seconds in conn.execute(query):
        if seconds is None:
            out.missing = True
            continue
        key = (codes[definition], element)
        if key not in first or row_id < first[key]:
            first[key], out.steps[key] = row_id, (name, due)
        counts[(*key, result, who, roles)] += 1
        hours[key].append(seconds / 3600)
        if result == "late":
            late.append((row_id, LateStep(key[0], element, instance_id, seconds / 3600)))
    out.tallies = [StepTally(*k, n) for k, n in counts.items()]
    out.hours = {key: sorted(values) for key, values in hours.items()}
    out.late = [step for _, step in sorted(late, key=lambda x: x[0])]
    return out
