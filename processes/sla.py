"""Service levels in working time: due dates, on-track / due-soon / overdue, early / on-time / late.

Rules (all instants are compared in working time on the agency's calendar):

* A step's due instant is ``calendar.add(created_at, camunda:dueDate)``; none without a dueDate.
* A dossier's appointment (ngày hẹn trả) counts from ``calendar.start_of_count(received_at, cutoff)``:
  ``deadline`` ``same_day`` gives the end of that working day, ``deadline_kind`` ``calendar`` adds
  calendar days (never ending on a day off), otherwise working time is added.
* **Due soon** starts when the working time left is at most the *window*: the larger of
  ``due_soon_fraction`` (25 %) of the time allowed and ``due_soon_hours`` (4 working hours), i.e.
  whichever of "last 25 %" and "less than 4 hours left" comes first. A step of 4 hours or less is
  therefore due soon from the moment it opens. **Overdue** strictly after the due instant.
* On completion: **early** when at least ``early_days`` (1) working day was left, **on time** when
  finished at or before the due instant, **late** after it. A dossier marked late (second supplement
  request) is late whatever the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from engine.calendar import WorkingCalendar
from engine.durations import DurationKind, WorkingDuration, parse_duration


class SlaState(StrEnum):
    """Where an open step or dossier stands against its due instant."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


class Result(StrEnum):
    """How a finished step or dossier did against its due instant."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class Escalation:
    """One level of the escalation chain: whom to tell, how long after the due instant."""

    target: str  # "unit": the head of the handling unit; "agency": the leaders of the agency
    after: str = "PT0M"


@dataclass(frozen=True)
class SlaPolicy:
    """Configurable thresholds (see the module docstring)."""

    due_soon_fraction: Fraction = Fraction(1, 4)
    due_soon_hours: Fraction = Fraction(4)
    early_days: Fraction = Fraction(1)
    apology_lead: str | None = "P1D"  # ask for an apology this long before the appointment; None: never
    apology_extension: str = "P3D"  # proposed new appointment = current one + this
    escalation: tuple[Escalation, ...] = field(default=(Escalation("unit"), Escalation("agency", "P2D")))


DEFAULT_POLICY = SlaPolicy()


@lru_cache(maxsize=256)
def duration(text: str, kind: str = DurationKind.WORKING) -> WorkingDuration:
    """A parsed duration (cached: a sweep reads the same few limits over and over)."""
    return parse_duration(text, kind)


def step_due_at(calendar: WorkingCalendar, created_at: dt.datetime, due: str | None) -> dt.datetime | None:
    """The due instant of a step opened at `created_at` with time limit `due` (None without one)."""
    if not due:
        return None
    return calendar.add(created_at, duration(due)).astimezone(dt.UTC)


def appointment(calendar: WorkingCalendar, received_at: dt.datetime, deadline: str | None,
                kind: str | None = None, cutoff: str | None = None) -> tuple[dt.datetime, dt.datetime | None]:
    """(counted_from, appointment) of a dossier received at `received_at` under a statutory deadline."""
    start = calendar.start_of_count(received_at, cutoff or None)
    if not deadline:
        return start.astimezone(dt.UTC), None
    if deadline.strip().lower() == "same_day":
        due = calendar.end_of_day(start)
    else:
        due = calendar.add(start, duration(deadline, kind or DurationKind.WORKING))
    return start.astimezone(dt.UTC), due.astimezone(dt.UTC)


def working_before(calendar: WorkingCalendar, due: dt.datetime, amount: WorkingDuration,
                   start: dt.datetime | None = None) -> dt.datetime:
    """The earliest instant from which `amount` of working time reaches `due`.

    Counted forward with one add() from `start` (any instant at least `amount` before `due`; searched
    for when not given): days on the day clock, hours and minutes on the office clock, as add() does.
    """
    if amount.is_zero:
        return due.astimezone(dt.UTC)
    if amount.days and amount.minutes:  # add() counts the days first, then the minutes
        later = working_before(calendar, due, WorkingDuration(minutes=amount.minutes), start)
        return working_before(calendar, later, WorkingDuration(days=amount.days), start)
    if start is None:
        span = dt.timedelta(days=int(amount.days * 2 + amount.minutes / 240) + 7)
        start = due - span
        while _left(calendar, start, due, amount) < 0:
            span *= 2
            start = due - span
            if span > dt.timedelta(days=3660):
                raise ValueError(f"no working time before {due.isoformat()}")
    rest = _left(calendar, start, due, amount)
    if rest <= 0:
        return start.astimezone(dt.UTC)
    step = WorkingDuration(days=rest) if amount.days else WorkingDuration(minutes=rest)
    return calendar.add(start, step).astimezone(dt.UTC)


def _left(calendar: WorkingCalendar, start: dt.datetime, due: dt.datetime, amount: WorkingDuration) -> Fraction:
    """Working time between start and due minus `amount`, in the unit of `amount` (days, else minutes)."""
    if amount.days:
        return calendar.elapsed_days(start, due) - amount.days
    office = calendar.elapsed(start, due) // dt.timedelta(microseconds=1)
    return Fraction(office, 60_000_000) - amount.minutes


def due_soon_window(allowed: dt.timedelta, policy: SlaPolicy = DEFAULT_POLICY) -> dt.timedelta:
    """Working time left at which a step allowed `allowed` becomes due soon."""
    fraction = allowed * float(policy.due_soon_fraction)
    return max(fraction, dt.timedelta(hours=float(policy.due_soon_hours)))


def soon_at(calendar: WorkingCalendar, start: dt.datetime, due: dt.datetime, allowed: dt.timedelta | None = None,
            policy: SlaPolicy = DEFAULT_POLICY) -> dt.datetime:
    """The instant a step (or dossier) started at `start`, due at `due`, becomes due soon."""
    allowed = calendar.elapsed(start, due) if allowed is None else allowed
    window = due_soon_window(allowed, policy)
    minutes = Fraction(window // dt.timedelta(microseconds=1), 60_000_000)
    return max(working_before(calendar, due, WorkingDuration(minutes=minutes), start), start).astimezone(dt.UTC)


def state_at(now: dt.datetime, due: dt.datetime | None, soon: dt.datetime | None) -> SlaState:
    """The state of an open step or dossier at `now` from its due and due-soon instants."""
    if due is None:
        return SlaState.ON_TRACK
    if now > due:
        return SlaState.OVERDUE
    if soon is not None and now >= soon:
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK


def classify(calendar: WorkingCalendar, done_at: dt.datetime, due: dt.datetime | None,
             policy: SlaPolicy = DEFAULT_POLICY, marked_late: bool = False) -> Result | None:
    """Early, on time or late for something finished at `done_at` (None without a due instant)."""
    if marked_late:
        return Result.LATE
    if due is None:
        return None
    if done_at > due:
        return Result.LATE
    if calendar.elapsed_days(done_at, due) >= policy.early_days:
        return Result.EARLY
    return Result.ON_TIME


def escalation_times(calendar: WorkingCalendar, due: dt.datetime,
                     policy: SlaPolicy = DEFAULT_POLICY) -> list[dt.datetime]:
    """When each level of the escalation chain is due (a level fires strictly after its instant)."""
    times = []
    for level in policy.escalation:
        amount = duration(level.after)
        times.append(due if amount.is_zero else calendar.add(due, amount).astimezone(dt.UTC))
    return times


def watch(now: dt.datetime, due: dt.datetime | None, soon: dt.datetime | None, level: int,
          escalations: list[dt.datetime]) -> tuple[SlaState, int, dt.datetime | None]:
    """(state, escalation level reached, next instant to look again) of an open row at `now`."""
    state = state_at(now, due, soon)
    if due is None:
        return state, level, None
    reached = max(level, sum(1 for at in escalations if now > at))
    upcoming = [t for t in ([soon] if state is SlaState.ON_TRACK and soon else [])
                + ([due] if state is not SlaState.OVERDUE else []) + escalations[reached:] if t is not None]
    return state, reached, min(upcoming) if upcoming else None


def task_columns(calendar: WorkingCalendar, created_at: dt.datetime, due: str | None,
                 policy: SlaPolicy = DEFAULT_POLICY) -> dict:
    """The SLA columns of a new human-task row (due_at, soon_at, sla_state, next_check_at...)."""
    due_at = step_due_at(calendar, created_at, due)
    if due_at is None:
        return {"due_at": None, "soon_at": None, "sla_state": None, "escalation_level": None, "next_check_at": None}
    soon = soon_at(calendar, created_at, due_at, policy=policy)
    state, level, next_check = watch(created_at, due_at, soon, 0, escalation_times(calendar, due_at, policy))
    return {"due_at": due_at, "soon_at": soon, "sla_state": state.value, "escalation_level": level,
            "next_check_at": next_check}


def pause_length(calendar: WorkingCalendar, since: dt.datetime, until: dt.datetime) -> tuple[int, Fraction]:
    """(office minutes, working days) between the start and the end of a pause."""
    minutes = int(calendar.elapsed(since, until).total_seconds() // 60)
    return minutes, calendar.elapsed_days(since, until)


def extend(calendar: WorkingCalendar, due: dt.datetime, days: Fraction) -> dt.datetime:
    """`due` moved later by a number of working days (the length of a pause)."""
    if days <= 0:
        return due
    return calendar.add(due, WorkingDuration(days=days)).astimezone(dt.UTC)
