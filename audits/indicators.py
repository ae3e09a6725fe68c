"""SLA conformance: early / on time / late per procedure, unit, step and period, from quytrinh's own records.

* A dossier counts in the period it was **resolved** in (an answer given: done, returned or refused),
  with the result the engine recorded (processes/sla.py: early = at least one working day left, late =
  after the statutory due instant, or a second supplement request).
* A step counts in the period it was completed in; its time is **working time** on its agency's
  calendar (office hours, engine/calendar.py) from when it opened to when it was done, compared with
  its `camunda:dueDate` (a working day counted as 8 office hours, the default calendar's day).
* The **causes of lateness** are the steps that overran their own limit inside late dossiers.
* A late dossier of an administrative procedure **without a signed apology** (thư xin lỗi, Nghị định
  61/2018 art. 20) is a nonconformity by itself and is listed by code.
"""

from __future__ import annotations

import statistics
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from engine.durations import parse_duration
from processes.db import Database
from processes.organisation import department_of
from processes.records import DossierFact, load_dossiers
from processes.step_rollups import rolled_step_times
from processes.step_times import StepTimes, keep_times, missing_times, step_times

from .periods import Period, local_month

DAY_HOURS = 8.0
RESULTS = ("early", "on_time", "late")


@dataclass
class Counts:
    """Resolved dossiers (or completed steps) by result."""

    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0

    def add(self, result: str | None, count: int = 1) -> None:
        """Count items with their result (None: no time limit, counted as resolved only)."""
        self.resolved += count
        if result in RESULTS:
            setattr(self, result, getattr(self, result) + count)

    def rate(self, result: str) -> float:
        """Share (0–1) of resolved items with this result."""
        return getattr(self, result) / self.resolved if self.resolved else 0.0

    @property
    def in_time_rate(self) -> float:
        """Share (0–1) resolved early or on time."""
        return (self.early + self.on_time) / self.resolved if self.resolved else 0.0

    @property
    def early_rate(self) -> float:
        """Share (0–1) resolved early."""
        return self.rate("early")

    @property
    def on_time_rate(self) -> float:
        """Share (0–1) resolved on time."""
        return self.rate("on_time")

    @property
    def late_rate(self) -> float:
        """Share (0–1) resolved late."""
        return self.rate("late")


@dataclass
class StepFigure:
    """One step of one procedure: results, and time taken against its limit (working hours)."""

    procedure: str
    element_id: str
    name: str
    limit: str | None
    limit_hours: float | None
    counts: Counts = field(default_factory=Counts)
    median_hours: float | None = None
    p90_hours: float | None = None
    late_in_late_dossiers: int = 0  # late dossiers in which this step overran its limit
    overrun_hours: float = 0.0  # total working hours beyond the limit, over all its late completions


@dataclass
class SlaReport:
    """SLA conformance over a period."""

    period: Period
    received: int = 0
    received_online: int = 0
    overall: Counts = field(default_factory=Counts)
    by_procedure: dict[str, Counts] = field(default_factory=dict)
    by_unit: dict[str, Counts] = field(default_factory=dict)
    by_month: dict[str, Counts] = field(default_factory=dict)
    by_department: dict[str, Counts] = field(default_factory=dict)  # steps, by the unit of who did them
    steps: list[StepFigure] = field(default_factory=list)
    late_without_apology: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # procedure and unit codes -> names

    @property
    def causes(self) -> list[StepFigure]:
        """Steps that made dossiers late, worst first."""
        found = [s for s in self.steps if s.late_in_late_dossiers]
        return sorted(found, key=lambda s: (-s.late_in_late_dossiers, -s.overrun_hours, s.procedure, s.element_id))


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0–1) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def limit_hours(due: str | None) -> float | None:
    """A step's time limit in working hours (days of DAY_HOURS office hours), None without one."""
    if not due:
        return None
    limit = parse_duration(due)
    return float(limit.days) * DAY_HOURS + float(limit.minutes) / 60


def sla_report(db: Database, period: Period, procedures: list[str] | None = None,
               public_only: bool = False, agencies: Collection[str] | None = None, rollups: bool = True) -> SlaReport:
    """SLA conformance of the dossiers resolved and the steps completed in `period` (optionally only those of
    the agencies with these codes: a reader sees the agencies they oversee; `rollups=False`: every step row read)."""
    with db.read() as conn:
        facts = load_dossiers(conn, period, "either", procedures)
        if agencies is not None:
            facts = [f for f in facts if f.unit in agencies]
        departments = department_of(conn)
    if public_only:
        facts = [f for f in facts if f.public]
        procedures = sorted({f.procedure for f in facts})
    return build_sla_report(period, facts, step_figures_of(db, period, procedures, agencies, rollups), departments)


def step_figures_of(db: Database, period: Period, procedures: Collection[str] | None = None,
                    agencies: Collection[str] | None = None, rollups: bool = True) -> StepTimes:
    """The grouped steps the SLA report counts: the months over read from their rollups (processes/step_rollups.py,
    `rollups=False`: every step row read); the office time of those completed before it was kept with each step
    is computed and kept first (processes/step_times.py)."""
    def read() -> StepTimes:
        """The figures as they stand."""
        if rollups:
            found = rolled_step_times(db, period, procedures, agencies)
            if found is not None:
                return found
        with db.read() as conn:
            return step_times(conn, period, procedures, agencies)

    found = read()
    if not found.missing:
        return found
    with db.read() as conn:
        missing = missing_times(conn, period, procedures, agencies)
    with db.write() as conn:
        keep_times(conn, missing)
    return read()


def build_sla_report(period: Period, facts: list[DossierFact], steps: StepTimes,
                     departments: dict[tuple[str, str], str]) -> SlaReport:
    """The figures from records already loaded (see sla_report): `steps` are those of the `facts`."""
    report = SlaReport(period)
    late_cases: set[int] = set()
    first, end = period.first_instant, period.end_instant
    # Resolved dossiers counted per (procedure, unit, month, result) first, then added to the buckets: a few
    # thousand additions instead of four per dossier. The buckets keep the order in which facts first name them.
    tally: dict[tuple[str, str, str, str], int] = {}
    months: dict[tuple[int, int, int, int], str] = {}  # UTC hour -> local month (Vietnam's offset is whole hours)
    names = report.names
    for f in facts:
        names[f.procedure] = f.procedure_name
        names[f.unit] = f.unit_name
        if first <= f.received_at < end:
            report.received += 1
            report.received_online += f.online
        done = f.done_at
        if done is None or not first <= done < end or f.result is None:
            continue
        hour = (done.year, done.month, done.day, done.hour)
        month = months.get(hour)
        if month is None:
            month = months[hour] = local_month(done)
        key = (f.procedure, f.unit, month, f.result)
        tally[key] = tally.get(key, 0) + 1
        if f.result == "late":
            late_cases.add(f.instance_id)
            if f.public and not f.apology_signed:  # the apology is owed to citizens (NĐ 61/2018 art. 20)
                report.late_without_apology.append(f.code)
    for (procedure, unit, month, result), count in tally.items():
        for bucket in (report.overall, report.by_procedure.setdefault(procedure, Counts()),
                       report.by_unit.setdefault(unit, Counts()), report.by_month.setdefault(month, Counts())):
            bucket.add(result, count)
    report.steps = _step_figures(steps, late_cases, departments, report)
    report.by_month = dict(sorted(report.by_month.items()))
    return report


def _step_figures(steps: StepTimes, late_cases: set[int], departments: dict[tuple[str, str], str],
                  report: SlaReport) -> list[StepFigure]:
    figures: dict[tuple[str, str], StepFigure] = {}
    for key, (name, due) in steps.steps.items():
        figures[key] = StepFigure(key[0], key[1], name, due, limit_hours(due))
    for tally in steps.tallies:
        figures[(tally.procedure, tally.element_id)].counts.add(tally.result, tally.count)
        role = tally.roles.split(",")[0].partition("@")[0] if tally.roles else ""
        who = tally.completed_by or ""
        dept = departments.get((who, role)) or departments.get((who, ""), "?")
        report.by_department.setdefault(dept, Counts()).add(tally.result, tally.count)
    culprits: dict[tuple[str, str], set[int]] = defaultdict(set)
    for late in steps.late:
        key = (late.procedure, late.element_id)
        figure = figures[key]
        if figure.limit_hours is not None:
            figure.overrun_hours += max(0.0, late.hours - figure.limit_hours)
            if late.instance_id in late_cases:
                culprits[key].add(late.instance_id)
    for key, figure in figures.items():
        values = steps.hours.get(key, [])
        figure.median_hours = round(statistics.median(values), 2) if values else None
        p90 = percentile(values, 0.9)
        figure.p90_hours = round(p90, 2) if p90 is not None else None
        figure.late_in_late_dossiers = len(culprits[key])
    return sorted(figures.values(), key=lambda f: (f.procedure, f.element_id))


def result_mix(facts: list[DossierFact]) -> Tally:
    """How many dossiers have each result (None for the unresolved)."""
    return Tally(f.result for f in facts)
