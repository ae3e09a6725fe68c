"""When the demo's officers do a step: a drawn share of its time limit, never in no time, and — for the
dossier that will be late — past its appointment, or not yet on the demo's "today" (the backlog)."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

from engine.calendar import WorkingCalendar
from engine.durations import WorkingDuration, parse_duration

from . import profiles as P
from . import support as S
from .cases import Case


def step_time(calendar: WorkingCalendar, now: dt.datetime, case: Case, element: str, limit: WorkingDuration,
              appointment: dt.datetime | None, today: dt.datetime) -> dt.datetime:
    """When a step opened now is done: the dossier's cause of lateness overruns past the appointment (a
    stalled one lies after `today`, so it is still waiting then); any other step takes its drawn share of
    its limit but leaves the later steps room."""
    rng = case.rng
    if case.desk:  # received shortly before "today" to wait at this step then (profiles.DESK)
        if element == case.desk:
            return calendar.add(today, WorkingDuration(days=Fraction(rng.randint(1, 5))))
        return calendar.add(now, S.share_of(limit, rng.uniform(0.05, 0.3)))
    if case.culprit == element:
        case.culprit = ""
        when = calendar.add(now, S.share_of(limit, rng.uniform(1.3, P.LATE_MAX)))
        if appointment is not None and when <= appointment:
            when = calendar.add(appointment, WorkingDuration(minutes=Fraction(rng.randint(30, 1200))))
        if case.stalled:
            when = max(when, calendar.add(today, WorkingDuration(days=Fraction(rng.randint(1, 10)))))
        return when
    when = calendar.add(now, S.share_of(limit, P.step_fraction(rng, case.profile, element)))
    if appointment is not None and when > now and appointment > now:
        left = calendar.elapsed(now, appointment).total_seconds() / 60
        limit_minutes = float(limit.total_minutes(480))
        room = left * (0.85 if limit_minutes >= 0.4 * left else 0.6)
        when = min(when, calendar.add(now, WorkingDuration(minutes=Fraction(int(room)))))
    return when


def least(rng: random.Random, due: str | None, left: dt.timedelta | None) -> WorkingDuration:
    """The least working time a step takes: nobody reads a dossier and writes an opinion in no time (six
    steps by five people at one millisecond is what a script does, not a district). Short steps, and
    dossiers near their appointment, get a small share of what they have, never nothing."""
    minutes = Fraction(rng.randint(*P.STEP_MINUTES))
    if due:
        minutes = min(minutes, parse_duration(due).total_minutes(480) / 5)
    if left is not None:
        minutes = min(minutes, Fraction(int(left.total_seconds() // 60)) / 4)
    return WorkingDuration(minutes=max(Fraction(1), minutes).limit_denominator(60))
