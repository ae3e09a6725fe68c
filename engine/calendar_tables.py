"""Per-year day tables of a working calendar: which days work, their sessions, running totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from .calendar_config import CalendarConfig, OverrideKind, Sessions

__all__ = ["US_PER_MINUTE", "YearTable", "build_year"]

US_PER_MINUTE = 60_000_000
SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class YearTable:
    """One calendar year, indexed by day of year (0 = 1 January).

    ``cum_us[i]`` is the office time (microseconds) before day ``i`` and ``cum_days[i]`` the number
    of working days before it; both have one extra entry holding the year's total, so that
    ``cum_us[i + 1]`` is the office time up to the end of day ``i``.
    """

    year: int
    sessions: tuple[Sessions, ...]
    reasons: tuple[str, ...]
    lengths: tuple[int, ...]
    cum_us: tuple[int, ...]
    cum_days: tuple[int, ...]
    workdays: tuple[int, ...]

    @property
    def first(self) -> date:
        """1 January of the table's year."""
        return date(self.year, 1, 1)

    @property
    def total_us(self) -> int:
        """Office time in the whole year, in microseconds."""
        return self.cum_us[-1]

    @property
    def total_days(self) -> int:
        """Number of working days in the year."""
        return self.cum_days[-1]

    def index(self, day: date) -> int:
        """Day-of-year index (0-based) of ``day``, which must lie in this year."""
        return (day - self.first).days

    def day(self, index: int) -> date:
        """The date at a day-of-year index."""
        return self.first + timedelta(days=index)


@dataclass(frozen=True)
class _PublicDays:
    """What the `holidays` package says about one year."""

    names: dict[date, str]
    weekend_workdays: frozenset[date]


def _public_days(config: CalendarConfig, year: int) -> _PublicDays:
    if config.public_holidays is None:
        return _PublicDays({}, frozenset())
    table = holidays.country_holidays(config.public_holidays, years=year, language="vi")
    # weekend_workdays is shared across years in holidays 0.109 (it always contains 2014-12-27
    # and 2019-01-05, swaps listed under a neighbouring year), so keep only this year's dates.
    swapped = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    names = {d: name for d, name in table.items() if d.year == year}
    return _PublicDays(names, swapped)


def _plan_day(config: CalendarConfig, day: date, public: _PublicDays) -> tuple[Sessions, str]:
    """Sessions of ``day`` and the reason, by precedence: override, swap, holiday, weekday."""
    rule = config.rule_for(day)
    override = config.overrides.get(day)
    if override is not None:
        label = f"override {override.kind}" + (f": {override.note}" if override.note else "")
        if override.kind is OverrideKind.DAY_OFF:
            return (), label
        if override.sessions is not None:
            return override.sessions, label
        return (rule.sessions if rule else ()), label
    if rule is None:
        return (), "no calendar rule in effect yet"
    if day in public.weekend_workdays:
        # A swapped Saturday is a full working day, not a Saturday-morning session.
        return rule.sessions, "swapped working day (làm bù)"
    if day in public.names:
        return (), f"public holiday: {public.names[day]}"
    weekday = day.weekday()
    if weekday == SUNDAY:
        return (), "weekend"
    if weekday == SATURDAY:
        if rule.saturday_sessions:
            return rule.saturday_sessions, "Saturday sessions"
        return (), "weekend"
    return rule.sessions, "working day"


def build_year(config: CalendarConfig, year: int) -> YearTable:
    """Compute the day table of one year (about a millisecond; callers cache it)."""
    public = _public_days(config, year)
    first = date(year, 1, 1)
    count = (date(year + 1, 1, 1) - first).days
    plans = [_plan_day(config, first + timedelta(days=i), public) for i in range(count)]
    lengths = tuple(sum(end - start for start, end in sessions) * US_PER_MINUTE for sessions, _ in plans)
    cum_us, cum_days = [0], [0]
    for length in lengths:
        cum_us.append(cum_us[-1] + length)
        cum_days.append(cum_days[-1] + (1 if length else 0))
    return YearTable(
        year=year,
        sessions=tuple(sessions for sessions, _ in plans),
        reasons=tuple(reason for _, reason in plans),
        lengths=lengths,
        cum_us=tuple(cum_us),
        cum_days=tuple(cum_days),
        workdays=tuple(i for i, length in enumerate(lengths) if length),
    )
