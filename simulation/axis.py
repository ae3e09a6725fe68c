"""Working time as one number line: the simulation clock counts office minutes, not wall-clock minutes.

Running the event loop on office minutes means nobody works at night, on Sundays, on Tết or on the
swapped Saturday off, without a single calendar call inside the loop: the calendar is read once, when
the axis is built (one entry per day of the period), and instants are converted at the edges only
(fitting from the log, reporting months). This is what makes a district year fast.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from engine.calendar import WorkingCalendar

# (start, end) minutes after local midnight of each office session of a day; empty on a day off.
Sessions = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class WorkDay:
    """One working day of the axis: its date, sessions and where it starts on the axis."""

    day: dt.date
    sessions: Sessions
    offset: float  # office minutes before this day on the axis
    minutes: int  # office minutes of this day


class TimeAxis:
    """The working days of a period laid end to end: instant ↔ office minutes since the period began."""

    def __init__(self, first: dt.date, last: dt.date, sessions_of: Callable[[dt.date], Sessions],
                 tz: ZoneInfo, cutoff: int | None = None) -> None:
        self.first, self.last, self.tz = first, last, tz
        self.cutoff = cutoff  # minutes after midnight: received later, the count starts the next day
        self.days: list[WorkDay] = []
        offset = 0.0
        day = first
        while day <= last:
            sessions = sessions_of(day)
            if sessions:
                minutes = sum(end - start for start, end in sessions)
                self.days.append(WorkDay(day, sessions, offset, minutes))
                offset += minutes
            day += dt.timedelta(days=1)
        if not self.days:
            raise ValueError("the period has no working day")
        self.end = offset
        self._offsets = [d.offset for d in self.days]
        self._dates = [d.day for d in self.days]
        # The typical day (what "15 working days" is converted with when reporting).
        self.day_minutes = sorted(d.minutes for d in self.days)[len(self.days) // 2]

    @classmethod
    def of_calendar(cls, calendar: WorkingCalendar, first: dt.date, last: dt.date) -> TimeAxis:
        """The axis of an agency's working calendar (holidays, swapped Saturdays, office hours)."""
        def sessions_of(day: dt.date) -> Sessions:
            return tuple((a.hour * 60 + a.minute, b.hour * 60 + b.minute) for a, b in calendar.sessions_on(day))

        cutoff = calendar.cutoff.hour * 60 + calendar.cutoff.minute
        return cls(first, last, sessions_of, calendar.timezone, cutoff)

    def index_of_date(self, day: dt.date) -> int:
        """The index of the first working day on or after `day` (len(days) past the end)."""
        return bisect.bisect_left(self._dates, day)

    def at(self, instant: dt.datetime) -> float:
        """Office minutes from the start of the axis to `instant` (time off counts for nothing)."""
        local = instant.astimezone(self.tz)
        i = self.index_of_date(local.date())
        if i >= len(self.days):
            return self.end
        wd = self.days[i]
        if wd.day != local.date():
            return wd.offset
        tod = local.hour * 60 + local.minute + local.second / 60
        return wd.offset + sum(max(0.0, min(tod, end) - start) for start, end in wd.sessions)

    def day_index(self, position: float) -> int:
        """The working day a position on the axis falls in."""
        return max(0, bisect.bisect_right(self._offsets, position) - 1)

    def date_at(self, position: float) -> dt.date:
        """The date a position on the axis falls on."""
        return self.days[min(self.day_index(position), len(self.days) - 1)].day

    def start_of_count(self, position: float, tod: float | None = None) -> float:
        """When a dossier received at `position` starts being counted: the next day's opening after the cut-off."""
        i = self.day_index(position)
        if tod is None:
            tod = self.time_of_day(position)
        if self.cutoff is not None and tod > self.cutoff and i + 1 < len(self.days):
            return self.days[i + 1].offset
        return position

    def time_of_day(self, position: float) -> float:
        """Minutes after local midnight of a position (its session start plus the minutes into it)."""
        wd = self.days[self.day_index(position)]
        left = position - wd.offset
        for start, end in wd.sessions:
            if left < end - start:
                return start + left
            left -= end - start
        return float(wd.sessions[-1][1])

    def add_days(self, position: float, days: float, minutes: float = 0.0) -> float:
        """`position` plus whole or fractional working days (same fraction of a later day) plus office minutes."""
        i = self.day_index(position)
        wd = self.days[min(i, len(self.days) - 1)]
        fraction = (position - wd.offset) / wd.minutes if wd.minutes else 0.0
        whole = int(days)
        fraction += days - whole
        j = i + whole + int(fraction)
        fraction -= int(fraction)
        if j >= len(self.days):  # past the axis: count typical days beyond its end
            return self.end + (j - len(self.days) + fraction) * self.day_minutes + minutes
        return self.days[j].offset + fraction * self.days[j].minutes + minutes

    def end_of_day(self, position: float) -> float:
        """The end of the working day a position falls in (a same-day deadline)."""
        wd = self.days[self.day_index(position)]
        return wd.offset + wd.minutes

    def working_days(self, minutes: float) -> float:
        """A length in office minutes as typical working days."""
        return minutes / self.day_minutes

    def month_days(self) -> dict[tuple[int, int], list[int]]:
        """(year, month) → the indexes of its working days."""
        out: dict[tuple[int, int], list[int]] = {}
        for i, wd in enumerate(self.days):
            out.setdefault((wd.day.year, wd.day.month), []).append(i)
        return out


def weekday_sessions(hours: Sequence[tuple[int, int]],
                     holidays: Callable[[dt.date], bool]) -> Callable[[dt.date], Sessions]:
    """Sessions Monday to Friday except holidays: the calendar of a log from elsewhere (the Dutch backtest)."""
    fixed = tuple(hours)

    def sessions_of(day: dt.date) -> Sessions:
        return () if day.weekday() >= 5 or holidays(day) else fixed

    return sessions_of
