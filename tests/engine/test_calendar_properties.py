"""Properties of working-calendar arithmetic for random aware instants and durations."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.calendar import WorkingCalendar, default_calendar
from engine.calendar_config import load_default_config
from engine.durations import DurationKind, WorkingDuration

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT = default_calendar()


def _agency() -> WorkingCalendar:
    # Non-uniform days: Saturday mornings (4 h) and a switch to 7.5-hour days from 2027.
    config = load_default_config()
    config["rules"] = [
        {
            "effective_from": "2000-01-01",
            "sessions": [["07:00", "11:30"], ["13:30", "17:00"]],
            "saturday_sessions": [["07:30", "11:30"]],
        },
        {"effective_from": "2027-01-01", "sessions": [["07:30", "11:30"], ["13:30", "17:00"]]},
    ]
    config["overrides"] = [{"date": "2026-12-30", "kind": "day_off"}]
    return WorkingCalendar.from_config(config)


AGENCY = _agency()
# Every random example needs at most these years; building them here keeps examples fast.
for _year in range(2024, 2031):
    DEFAULT.is_working_day(date(_year, 1, 1))
    AGENCY.is_working_day(date(_year, 1, 1))

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

zones = st.sampled_from([VN, UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))])
anywhere = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=zones
).map(lambda value: value.replace(microsecond=0))
# Session boundaries are where off-by-one mistakes live, so hit them on purpose.
edges = st.builds(
    lambda day, clock: datetime.combine(day, clock, tzinfo=VN),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    st.sampled_from([time(7), time(7, 30), time(11, 30), time(12), time(13, 30), time(17)]),
)
instants = st.one_of(anywhere, edges)
# Hundredths of a day times whole minutes of office time always give whole microseconds,
# so the identities below can be checked exactly.
day_parts = st.integers(min_value=0, max_value=2500).map(lambda n: Fraction(n, 100))
minute_parts = st.integers(min_value=0, max_value=3000)
durations = st.builds(WorkingDuration, days=day_parts, minutes=minute_parts)
nonzero = durations.filter(lambda duration: not duration.is_zero)
calendars = st.sampled_from([DEFAULT, AGENCY])


def _inside_or_at_end(cal: WorkingCalendar, instant: datetime) -> bool:
    """True when ``instant`` lies in (start, end] of one of its day's sessions."""
    local = instant.astimezone(cal.timezone)
    clock = local.time()
    return any(start < clock <= end for start, end in cal.sessions_on(local.date()))


@SETTINGS
@given(start=instants, duration=durations)
def test_elapsed_inverts_add_on_uniform_days(start, duration):
    # Default calendar: every working day is 480 office minutes.
    due = DEFAULT.add(start, duration)
    exact_us = duration.total_minutes(480) * 60_000_000
    assert exact_us.denominator == 1
    assert DEFAULT.elapsed(start, due) == timedelta(microseconds=int(exact_us))


@SETTINGS
@given(start=instants, days=day_parts, minutes=minute_parts)
def test_elapsed_inverts_add_on_uneven_days(start, days, minutes):
    # With days of different lengths, days are measured by elapsed_days and hours by elapsed.
    by_days = AGENCY.add(start, WorkingDuration(days=days))
    assert AGENCY.elapsed_days(start, by_days) == days
    by_minutes = AGENCY.add(start, WorkingDuration(minutes=minutes))
    assert AGENCY.elapsed(start, by_minutes) == timedelta(minutes=minutes)


@SETTINGS
@given(cal=calendars, first=instants, second=instants, duration=durations)
def test_add_is_monotone_in_start(cal, first, second, duration):
    first, second = sorted([first, second])
    assert cal.add(first, duration) <= cal.add(second, duration)


@SETTINGS
@given(cal=calendars, start=instants, small=durations, extra=durations)
def test_add_is_monotone_in_duration(cal, start, small, extra):
    assert cal.add(start, small) <= cal.add(start, small + extra)


@SETTINGS
@given(start=instants, first=durations, second=nonzero)
def test_add_is_associative(start, first, second):
    # Holds for any start (not only inside office hours). `second` is non-zero because a zero
    # duration normalises a session end (11:30) to the next session start (13:30).
    assert DEFAULT.add(start, first + second) == DEFAULT.add(DEFAULT.add(start, first), second)


@SETTINGS
@given(cal=calendars, start=instants, duration=nonzero)
def test_results_are_inside_office_hours_on_working_days(cal, start, duration):
    due = cal.add(start, duration)
    assert due > start
    assert cal.is_working_day(due.date())
    assert _inside_or_at_end(cal, due)
    assert due.tzinfo == cal.timezone


@SETTINGS
@given(cal=calendars, instant=instants)
def test_next_working_instant_and_start_of_count(cal, instant):
    opened = cal.next_working_instant(instant)
    assert opened >= instant and cal.is_office_hours(opened)
    assert cal.elapsed(instant, opened) == timedelta(0)
    assert cal.add(instant, WorkingDuration()) == opened
    counted = cal.start_of_count(instant)
    assert counted >= opened and cal.is_office_hours(counted)
    day_end = cal.end_of_day(instant)
    assert day_end.date() == opened.date()
    assert day_end.time() == cal.sessions_on(opened.date())[-1][1]


@SETTINGS
@given(cal=calendars, a=instants, b=instants, c=instants)
def test_elapsed_is_additive_and_antisymmetric(cal, a, b, c):
    assert cal.elapsed(a, b) + cal.elapsed(b, c) == cal.elapsed(a, c)
    assert cal.elapsed(a, b) == -cal.elapsed(b, a)
    assert cal.elapsed_days(a, b) + cal.elapsed_days(b, c) == cal.elapsed_days(a, c)


@SETTINGS
@given(cal=calendars, start=instants, days=st.integers(min_value=0, max_value=60))
def test_calendar_days_never_end_on_a_day_off(cal, start, days):
    due = cal.add(start, WorkingDuration(days=days, kind=DurationKind.CALENDAR))
    plain = start.astimezone(cal.timezone) + timedelta(days=days)
    assert cal.is_working_day(due.date())
    if cal.is_working_day(plain.date()):
        assert due == plain
    else:
        # Moved to the closing time of the first working day after the plain result.
        assume(plain.date() < due.date())
        assert due.date() == cal.next_working_day(plain.date())
        assert due.time() == cal.sessions_on(due.date())[-1][1]
