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
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, select, update

from engine.calendar import WorkingCalendar

from .calendar_store import calendar_for
from .records import Span
from .schema import definitions, dossiers, human_tasks, instances, units

COMPLETED = "completed"


def worked(calendar: WorkingCalendar, opened: dt.datetime, done: dt.datetime) -> float:
    """A step's office time in seconds, from when it opened to when it was done."""
    return calendar.elapsed(opened, done).total_seconds()


def in_scope(span: Span, procedures: Collection[str] | None, agencies: Collection[str] | None,
             ) -> ColumnElement[bool]:
    """The steps completed in the span, of the dossiers received or resolved in it (of these procedures and
    agencies when given): those the SLA report counts."""
    cases = dossiers_where(received_in(span) | resolved_in(span), procedures, agencies)
    return completed_in(span.first_instant, span.end_instant) & human_tasks.c.instance_id.in_(cases)


def received_in(span: Span) -> ColumnElement[bool]:
    """Dossiers received in the span."""
    return and_(dossiers.c.received_at >= span.first_instant, dossiers.c.received_at < span.end_instant)


def resolved_in(span: Span) -> ColumnElement[bool]:
    """Dossiers answered in the span."""
    return and_(dossiers.c.done_at >= span.first_instant, dossiers.c.done_at < span.end_instant)


def dossiers_where(where: ColumnElement[bool], procedures: Collection[str] | None,
                   agencies: Collection[str] | None) -> Select[tuple[int]]:
    """The cases of the dossiers the condition selects, of these procedures and agencies when given."""
    cases = select(dossiers.c.instance_id).where(where)
    if procedures is not None:
        cases = cases.where(dossiers.c.procedure.in_(sorted(procedures)))
    if agencies is not None:
        cases = cases.join(units, units.c.id == dossiers.c.unit_id).where(units.c.code.in_(sorted(agencies)))
    return cases


def completed_in(first: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    """Steps completed in [first, end)."""
    return and_(human_tasks.c.state == COMPLETED, human_tasks.c.completed_at >= first,
                human_tasks.c.completed_at < end)


def missing_times(conn: Connection, span: Span, procedures: Collection[str] | None = None,
                  agencies: Collection[str] | None = None) -> list[dict[str, float]]:
    """The office time of the steps in scope that have none kept yet, computed (rows for keep_times)."""
    return missing_times_where(conn, in_scope(span, procedures, agencies))


def missing_times_where(conn: Connection, where: ColumnElement[bool]) -> list[dict[str, float]]:
    """The office time of the steps the condition selects that have none kept yet, computed."""
    rows = conn.execute(select(human_tasks.c.id, instances.c.unit_id, human_tasks.c.created_at,
                               human_tasks.c.completed_at)
                        .join(instances, instances.c.id == human_tasks.c.instance_id)
                        .where(where, human_tasks.c.worked_seconds.is_(None))).all()
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
    gather = Gather(conn)
    gather.add_rows(conn, in_scope(span, procedures, agencies))
    return gather.finish()


class Gather:
    """Completed steps grouped into StepTimes, from rows (add_rows) and from groups already counted (add_group)."""

    def __init__(self, conn: Connection) -> None:
        self.codes = dict(conn.execute(select(definitions.c.id, definitions.c.code)).all())
        self.out = StepTimes()
        self.first: dict[tuple[str, str], int] = {}
        self.counts: dict[tuple[str, str, str | None, str | None, str], int] = defaultdict(int)
        self.hours: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.late: list[tuple[int, LateStep]] = []

    def add_rows(self, conn: Connection, where: ColumnElement[bool]) -> None:
        """Count the completed steps the condition selects, one by one."""
        t = human_tasks.c
        query = (select(instances.c.definition_id, t.element_id, t.id, t.name, t.due_duration, t.result,
                        t.completed_by, t.roles, t.instance_id, t.worked_seconds)
                 .join(instances, instances.c.id == t.instance_id).where(where))
        codes, out, first, counts, hours, late = self.codes, self.out, self.first, self.counts, self.hours, self.late
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

    def add_group(self, definition: int, element: str, result: str | None, who: str | None, roles: str,
                  count: int, first: tuple[int, str, str | None], seconds: Iterable[float],
                  late: Iterable[tuple[int, int, float]]) -> None:
        """Count a group of completions of one step already counted (first: its earliest row's id, name and
        limit; late: (row id, case id, office seconds) of its late completions)."""
        key = (self.codes[definition], element)
        row_id, name, due = first
        if key not in self.first or row_id < self.first[key]:
            self.first[key], self.out.steps[key] = row_id, (name, due)
        self.counts[(*key, result, who, roles)] += count
        self.hours[key].extend(s / 3600 for s in seconds)
        self.late.extend((r, LateStep(key[0], element, case, s / 3600)) for r, case, s in late)

    def finish(self) -> StepTimes:
        """The groups, each step's hours sorted and the late completions in the order of their rows."""
        out = self.out
        out.tallies = [StepTally(*k, n) for k, n in self.counts.items()]
        out.hours = {key: sorted(values) for key, values in self.hours.items()}
        out.late = [step for _, step in sorted(self.late, key=lambda x: x[0])]
        return out
