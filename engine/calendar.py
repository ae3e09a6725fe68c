"""Working-time calendar: deadlines in office hours on Vietnamese working days.

Two monotone clocks underlie every computation:

* the *office clock* counts office time (microseconds inside sessions of working days);
* the *day clock* counts working days, each day's office hours being one unit, so that a day with
  7.5 office hours and a Saturday morning of 4 hours both count as one working day.

Hours and minutes run on the office clock, days on the day clock. Both clocks stand still
outside office hours, so one clock value has several wall-clock instants (11:30 and 13:30,
17:00 and the next working day's 07:00). A due instant is always the *earliest* of them: a
deadline that ends exactly at a session end is that session end, never the next session start.
Hence Monday 09:00 + P1D = Tuesday 09:00, Friday 17:30 + P1D = next working day 17:00
(counting starts at the next session, and one full day of office hours ends at 17:00).

All public methods take timezone-aware datetimes (naive ones raise ValueError) and return
datetimes in the calendar's zone (Asia/Ho_Chi_Minh by default); store them as UTC.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from functools import cache
from math import ceil
from zoneinfo import ZoneInfo

from .calendar_config import CalendarConfig, load_default_config, parse_clock, parse_config
from .calendar_tables import US_PER_MINUTE, YearTable, build_year
from .durations import DurationKind, WorkingDuration, parse_duration

__all__ = ["DayInfo", "WorkingCalendar", "default_calendar"]

# Beyond this many consecutive years without office time a calendar is misconfigured.
_MAX_EMPTY_YEARS = 3
_US_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date, with the reason (holiday name, override note…)."""

    day: date
    is_working: bool
    sessions: tuple[tuple[time, time], ...]
    minutes: int
    reason: str


def _require_aware(value: datetime, name: str = "datetime") -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive {name} {value.isoformat()} rejected: pass a timezone-aware datetime, "
            "e.g. datetime(..., tzinfo=ZoneInfo('Asia/Ho_Chi_Minh')) or tzinfo=timezone.utc"
        )


def _require_date(value: date) -> None:
    # datetime is a subclass of date; silently dropping its time (and zone) would hide bugs.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")


def _time_of_day_us(value: datetime | time) -> int:
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return seconds * _US_PER_SECOND + value.microsecond


def _office_before(sessions: tuple[tuple[int, int], ...], tod_us: int) -> int:
    """Office microseconds of a day that lie before the time of day ``tod_us``."""
    total = 0
    for start, end in sessions:
        start_us, end_us = start * US_PER_MINUTE, end * US_PER_MINUTE
        total += min(max(tod_us - start_us, 0), end_us - start_us)
    return total


class WorkingCalendar:
    """Office-time arithmetic for one configuration (sessions, public holidays, overrides)."""

    def __init__(self, config: CalendarConfig) -> None:
        self._config = config
        self._years: dict[int, YearTable] = {}

    @classmethod
    def from_config(cls, data: Mapping) -> WorkingCalendar:
        """Build a calendar from a configuration dict (format: engine.calendar_config)."""
        return cls(parse_config(data))

    def __repr__(self) -> str:
        return f"WorkingCalendar({self._config.name!r}, {self._config.timezone.key})"

    @property
    def name(self) -> str:
        """Configuration name."""
        return self._config.name

    @property
    def timezone(self) -> ZoneInfo:
        """Zone in which sessions are read and results are returned."""
        return self._config.timezone

    @property
    def cutoff(self) -> time:
        """Default receipt cut-off used by start_of_count."""
        return self._config.cutoff

    # ---- tables and positions -------------------------------------------------------------

    def _table(self, year: int) -> YearTable:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = build_year(self._config, year)
        return table

    def _locate(self, day: date) -> tuple[YearTable, int]:
        table = self._table(day.year)
        return table, table.index(day)

    def _local(self, value: datetime, name: str = "datetime") -> datetime:
        _require_aware(value, name)
        return value.astimezone(self._config.timezone)

    def _split(self, local: datetime) -> tuple[YearTable, int, int]:
        table, index = self._locate(local.date())
        return table, index, _time_of_day_us(local)

    def _at(self, table: YearTable, index: int, tod_us: int) -> datetime:
        midnight = datetime.combine(table.day(index), time(), tzinfo=self._config.timezone)
        return midnight + timedelta(microseconds=tod_us)

    def _next_year(self, table: YearTable, empty: int) -> tuple[YearTable, int]:
        """The following year's table; raise if the calendar has no office time for years."""
        empty = empty + 1 if table.total_us == 0 else 0
        if empty > _MAX_EMPTY_YEARS:
            raise ValueError(f"calendar {self.name!r} has no working time for years after {table.year}")
        return self._table(table.year + 1), empty

    def _next_workday(self, table: YearTable, index: int) -> tuple[YearTable, int]:
        """The first working day strictly after day ``index`` of ``table``."""
        position, empty = bisect_right(table.workdays, index), 0
        while position == len(table.workdays):
            table, empty = self._next_year(table, empty)
            position = 0
        return table, table.workdays[position]

    def _day_start(self, table: YearTable, index: int) -> datetime:
        return self._at(table, index, table.sessions[index][0][0] * US_PER_MINUTE)

    def _day_end(self, table: YearTable, index: int) -> datetime:
        return self._at(table, index, table.sessions[index][-1][1] * US_PER_MINUTE)

    def _instant(self, table: YearTable, index: int, offset_us: int) -> datetime:
        """The earliest instant after ``offset_us`` of office time on a working day."""
        for start, end in table.sessions[index]:
            span = (end - start) * US_PER_MINUTE
            if offset_us <= span:  # "<=": an exact session end stays at that end
                return self._at(table, index, start * US_PER_MINUTE + offset_us)
            offset_us -= span
        raise AssertionError("offset beyond the day's office time")  # pragma: no cover

    def _office_position(self, local: datetime) -> tuple[YearTable, int]:
        table, index, tod = self._split(local)
        return table, table.cum_us[index] + _office_before(table.sessions[index], tod)

    def _day_position(self, local: datetime) -> tuple[YearTable, Fraction]:
        table, index, tod = self._split(local)
        length = table.lengths[index]
        done = Fraction(_office_before(table.sessions[index], tod), length) if length else Fraction(0)
        return table, table.cum_days[index] + done

    def _span(self, first: YearTable, second: YearTable, total: str) -> int:
        """Sum of ``total`` ('total_us' or 'total_days') over the years from first to second."""
        return sum(getattr(self._table(year), total) for year in range(first.year, second.year))

    # ---- days -----------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` has office sessions."""
        _require_date(day)
        table, index = self._locate(day)
        return table.lengths[index] > 0

    def day_minutes(self, day: date) -> int:
        """Office minutes on ``day`` (0 on a day off)."""
        _require_date(day)
        table, index = self._locate(day)
        return table.lengths[index] // US_PER_MINUTE

    def sessions_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """Office sessions of ``day`` as local (start, end) times; empty on a day off."""
        _require_date(day)
        table, index = self._locate(day)
        return tuple(
            (time(start // 60, start % 60), time(end // 60, end % 60)) for start, end in table.sessions[index]
        )

    def day_info(self, day: date) -> DayInfo:
        """Everything about ``day``, including why it is (not) a working day."""
        _require_date(day)
        table, index = self._locate(day)
        return DayInfo(
            day=day,
            is_working=table.lengths[index] > 0,
            sessions=self.sessions_on(day),
            minutes=table.lengths[index] // US_PER_MINUTE,
            reason=table.reasons[index],
        )

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        _require_date(day)
        table, index = self._next_workday(*self._locate(day))
        return table.day(index)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open range [start, end); negative when end < start."""
        _require_date(start)
        _require_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        (first, i), (second, j) = self._locate(start), self._locate(end)
        return self._span(first, second, "total_days") + second.cum_days[j] - first.cum_days[i]

    # ---- instants -------------------------------------------------------------------------

    def is_office_hours(self, instant: datetime) -> bool:
        """True when ``instant`` lies inside a session (start included, end excluded)."""
        table, index, tod = self._split(self._local(instant))
        return any(start * US_PER_MINUTE <= tod < end * US_PER_MINUTE for start, end in table.sessions[index])

    def next_working_instant(self, instant: datetime) -> datetime:
        """``instant`` itself if the office is open then, else the next session start."""
        local = self._local(instant)
        table, index, tod = self._split(local)
        for start, end in table.sessions[index]:
            start_us, end_us = start * US_PER_MINUTE, end * US_PER_MINUTE
            if tod < end_us:
                return local if tod >= start_us else self._at(table, index, start_us)
        return self._day_start(*self._next_workday(table, index))

    def start_of_count(self, received_at: datetime, cutoff: str | time | None = None) -> datetime:
        """When the time limit of a dossier received at ``received_at`` starts running.

        Received on a working day before the office closes and not after ``cutoff`` (default: the
        calendar's, 15:00): counting starts at once (or at the next session start if received
        before opening or during lunch). Received after the cut-off, after hours or on a day off:
        counting starts at the first session of the next working day.
        """
        limit = _time_of_day_us(self.cutoff if cutoff is None else parse_clock(cutoff, "cutoff"))
        local = self._local(received_at, "received_at")
        table, index, tod = self._split(local)
        sessions = table.sessions[index]
        if sessions and tod <= limit and tod < sessions[-1][1] * US_PER_MINUTE:
            return self.next_working_instant(local)
        return self._day_start(*self._next_workday(table, index))

    def end_of_day(self, start: datetime) -> datetime:
        """Same-day deadline: the last session end of the working day counting starts on.

        ``start`` is normalised with next_working_instant (no cut-off is applied here; compose
        with start_of_count for receipts), so Friday 17:30 gives the next working day's 17:00.
        """
        first = self.next_working_instant(start)
        return self._day_end(*self._locate(first.date()))

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        """Office time between two instants (negative when b is before a)."""
        local_a, local_b = self._local(a, "a"), self._local(b, "b")
        if local_b < local_a:
            return -self.elapsed(local_b, local_a)
        (first, pos_a), (second, pos_b) = self._office_position(local_a), self._office_position(local_b)
        return timedelta(microseconds=self._span(first, second, "total_us") + pos_b - pos_a)

    def elapsed_days(self, a: datetime, b: datetime) -> Fraction:
        """Working days between two instants, each day's office hours counting as one."""
        local_a, local_b = self._local(a, "a"), self._local(b, "b")
        if local_b < local_a:
            return -self.elapsed_days(local_b, local_a)
        (first, pos_a), (second, pos_b) = self._day_position(local_a), self._day_position(local_b)
        return self._span(first, second, "total_days") + pos_b - pos_a

    def add(self, start: datetime, duration: WorkingDuration | str) -> datetime:
        """The due instant of ``duration`` counted from ``start``.

        Working durations: days run on the day clock (same office-time position N working days
        later, fractions taken of the landing day's office hours), then hours/minutes consume
        office time session by session. A start outside office hours counts from the next session
        start; the result is the earliest instant with the required amount of office time, so
        it may be a session end (11:30, 17:00) but never a day off or a time outside sessions.
        A zero duration gives next_working_instant(start).

        Calendar durations: add the days/hours as plain clock time in the calendar's zone; if the
        resulting date is a day off, the deadline moves to the end (last session end) of the next
        working day. Such a result never falls on a day off but may fall outside office hours.
        """
        if isinstance(duration, str):
            duration = parse_duration(duration)
        elif not isinstance(duration, WorkingDuration):
            raise TypeError(f"duration must be a WorkingDuration or ISO text, not {type(duration).__name__}")
        local = self._local(start, "start")
        if duration.kind is DurationKind.CALENDAR:
            return self._add_calendar(local, duration)
        if duration.is_zero:
            return self.next_working_instant(local)
        result = local
        if duration.days:
            result = self._add_days(result, duration.days)
        if duration.minutes:
            result = self._add_office(result, ceil(duration.minutes * US_PER_MINUTE))
        return result

    def _add_calendar(self, local: datetime, duration: WorkingDuration) -> datetime:
        result = local + timedelta(microseconds=ceil(duration.total_minutes(24 * 60) * US_PER_MINUTE))
        table, index = self._locate(result.date())
        if table.lengths[index]:
            return result
        return self._day_end(*self._next_workday(table, index))

    def _add_office(self, local: datetime, amount_us: int) -> datetime:
        table, position = self._office_position(local)
        target, empty = position + amount_us, 0
        while target > table.total_us:
            target -= table.total_us
            table, empty = self._next_year(table, empty)
        # First day whose running total reaches the target: the earliest instant (a session end
        # rather than the next day's opening when the target is exactly a day's end).
        index = bisect_left(table.cum_us, target, 1) - 1
        return self._instant(table, index, target - table.cum_us[index])

    def _add_days(self, local: datetime, days: Fraction) -> datetime:
        table, position = self._day_position(local)
        target, empty = position + days, 0
        while target > table.total_days:
            target -= table.total_days
            table, empty = self._next_year(table, empty)
        # Working day number ceil(target) - 1 (0-based) holds the target; a whole target is the
        # end of that day. The fraction is of that day's own office hours.
        ordinal = ceil(target) - 1
        index = table.workdays[ordinal]
        offset = ceil((target - ordinal) * table.lengths[index])
        return self._instant(table, index, offset)


@cache
def default_calendar() -> WorkingCalendar:
    """The calendar built from the shipped engine/calendar_rules/default.json (cached)."""
    return WorkingCalendar.from_config(load_default_config())
