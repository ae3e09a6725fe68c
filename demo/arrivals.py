"""When the demo district's dossiers arrive: drawn per working day of the year from each procedure's rate
(demo/profiles.py: seasons, weekdays), plus the desk's dossiers (profiles.DESK), received a few working days
before the demo's "today" so that each officer the README names finds a step waiting. Same seed, same arrivals.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from engine.calendar import WorkingCalendar
from processes.keys import VN

from . import profiles as P
from . import support as S


class Arrival(NamedTuple):
    """One dossier to come: when, of which procedure, its number in the year, and the desk step it is for."""

    when: dt.datetime
    profile: P.Profile
    number: int
    desk: str = ""


def draw(year: int, scale: float, seed: int, until: dt.datetime, calendars: Mapping[str, WorkingCalendar],
         staff: S.Staff) -> Iterator[Arrival]:
    """The year's arrivals up to `until`, regular ones day by day, then the desk's."""
    rng = random.Random(f"{seed}:arrivals")
    calendar = calendars[staff.district]
    index = 0
    day = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), until.astimezone(VN).date())
    while day <= last:
        if calendar.is_working_day(day):
            sessions = calendar.sessions_on(day)
            for profile in P.PROFILES:
                if profile.months and day.month not in profile.months:
                    continue
                mean = profile.rate * scale * P.SEASON[day.month] * P.WEEKDAY[day.weekday()]
                for _ in range(S.poisson(rng, mean)):
                    yield Arrival(S.office_instant(rng, day, sessions), profile, index)
                    index += 1
        day += dt.timedelta(days=1)
    yield from _desk(year, until, calendars, staff, rng, index)


def _desk(year: int, until: dt.datetime, calendars: Mapping[str, WorkingCalendar], staff: S.Staff,
          rng: random.Random, index: int) -> Iterator[Arrival]:
    """The dossiers of profiles.DESK, received on a morning profiles.DESK_LEAD working days before the demo's
    "today" (none when that day falls in another year)."""
    profiles = {p.code: p for p in P.PROFILES}
    for code, element in P.DESK:
        profile = profiles[code]
        calendar = calendars[staff.agency_of[profile.starter]]
        received, left = until.astimezone(VN).date(), P.DESK_LEAD[code]
        while left:
            received -= dt.timedelta(days=1)
            left -= calendar.is_working_day(received)
        if received.year != year:
            continue
        yield Arrival(S.office_instant(rng, received, calendar.sessions_on(received)[:1]), profile, index, element)
        index += 1
