"""Working calendar on fixed dates; every expected value is worked out by hand in its comment.

Default sessions: 07:00-11:30 (270 min) and 13:30-17:00 (210 min) = 480 min = one working day.
"""

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import WorkingCalendar, default_calendar
from engine.calendar_config import load_default_config
from engine.durations import parse_duration

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = default_calendar()


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN)


def custom(**changes) -> WorkingCalendar:
    config = load_default_config()
    config.update(changes)
    return WorkingCalendar.from_config(config)


def rule(sessions: list, start: str = "2020-01-01", **extra) -> dict:
    return {"effective_from": start, "sessions": sessions, **extra}


# ---- what holidays.VN 0.109 says, pinned ---------------------------------------------------


def days(text: str) -> list[date]:
    return [date.fromisoformat(item) for item in text.split()]


OFF = [
    *days("2024-04-29 2024-04-30 2024-05-01"),  # Mon 29/4 swapped for Sat 4/5/2024; 30/4, 1/5
    *days("2024-09-02 2024-09-03 2025-01-01"),
    *days("2025-01-27 2025-01-28 2025-01-29 2025-01-30 2025-01-31"),  # Tết 2025
    *days("2025-04-07"),  # Giỗ Tổ Hùng Vương
    *days("2025-04-30 2025-05-01 2025-05-02"),  # Fri 2/5 swapped for Sat 26/4/2025
    *days("2025-09-01 2025-09-02 2026-01-01"),
    *days("2026-02-16 2026-02-17 2026-02-18 2026-02-19 2026-02-20"),  # Tết 2026
    *days("2026-04-27"),  # Giỗ Tổ falls on Sun 26/4, observed Monday
    *days("2026-08-31 2026-09-01 2026-09-02"),  # Mon 31/8 swapped for Sat 22/8/2026
    *days("2026-11-24"),  # Vietnam Cultural Day, new in the package from 2026
    *days("2027-01-01 2025-02-01 2025-02-02 2025-04-27"),  # weekends stay off
]
WORKING = [
    *days("2024-05-04 2025-04-26 2026-08-22"),  # swapped Saturdays
    *days("2025-01-24 2025-02-03 2026-02-13 2026-02-23"),  # around Tết
    *days("2025-12-31 2026-01-02 2024-09-04 2025-09-03 2026-08-28"),
]


@pytest.mark.parametrize("day", OFF)
def test_days_off(day):
    assert not CAL.is_working_day(day)
    assert CAL.day_minutes(day) == 0
    assert CAL.sessions_on(day) == ()


@pytest.mark.parametrize("day", WORKING)
def test_working_days(day):
    assert CAL.is_working_day(day)
    assert CAL.day_minutes(day) == 480
    assert CAL.sessions_on(day) == ((time(7), time(11, 30)), (time(13, 30), time(17)))


def test_day_info_reasons():
    assert CAL.day_info(date(2025, 4, 26)).reason == "swapped working day (làm bù)"
    assert CAL.day_info(date(2025, 1, 29)).reason == "public holiday: Tết Nguyên Đán"
    assert CAL.day_info(date(2025, 1, 4)).reason == "weekend"
    assert CAL.day_info(date(2025, 1, 6)).is_working


# ---- add: working durations ----------------------------------------------------------------

ADD_CASES = [
    # Mon 09:00 is 120 min into the day; one day later at the same position: Tue 09:00.
    (vn(2025, 1, 6, 9), "P1D", vn(2025, 1, 7, 9)),
    # Fri 16:30 (450/480) -> Mon 16:30.
    (vn(2025, 1, 10, 16, 30), "P1D", vn(2025, 1, 13, 16, 30)),
    # Fri 17:30 is after hours: count from Mon 07:00; a full day of office hours ends Mon 17:00.
    (vn(2025, 1, 10, 17, 30), "P1D", vn(2025, 1, 13, 17)),
    # Sat: count from Mon 07:00, 2 days -> end of Tue.
    (vn(2025, 1, 11, 10), "P2D", vn(2025, 1, 14, 17)),
    # Hours ending exactly at closing time stay at 17:00 (also before a weekend, Tết, New Year).
    (vn(2025, 1, 6, 16), "PT1H", vn(2025, 1, 6, 17)),
    (vn(2025, 1, 24, 16), "PT1H", vn(2025, 1, 24, 17)),
    (vn(2025, 12, 31, 9), "PT6H", vn(2025, 12, 31, 17)),  # 150 (to 11:30) + 210 (to 17:00)
    # Lunch break: 11:00 + 60 min = 30 min until 11:30, 30 min from 13:30 -> 14:00.
    (vn(2025, 1, 6, 11), "PT1H", vn(2025, 1, 6, 14)),
    # Ends exactly at the session end: 11:30, never 13:30.
    (vn(2025, 1, 6, 11), "PT30M", vn(2025, 1, 6, 11, 30)),
    # Received during lunch: counts from 13:30 -> 14:30.
    (vn(2025, 1, 6, 12, 15), "PT1H", vn(2025, 1, 6, 14, 30)),
    # Before opening: counts from 07:00 -> 08:00.
    (vn(2025, 1, 6, 6), "PT1H", vn(2025, 1, 6, 8)),
    # 16:00 + 2h: 1 h until 17:00, 1 h from Tue 07:00 -> 08:00.
    (vn(2025, 1, 6, 16), "PT2H", vn(2025, 1, 7, 8)),
    # P0.5D = 240 min from 09:00: 150 until 11:30, 90 from 13:30 -> 15:00.
    (vn(2025, 1, 6, 9), "P0.5D", vn(2025, 1, 6, 15)),
    # P1DT4H: Tue 09:00, then 240 min as above -> Tue 15:00.
    (vn(2025, 1, 6, 9), "P1DT4H", vn(2025, 1, 7, 15)),
    # Whole week = 5 working days: Mon 09:00 -> next Mon 09:00.
    (vn(2025, 1, 6, 9), "P1W", vn(2025, 1, 13, 9)),
    # 07:00 + P1D: a whole day of office hours ends the same day at 17:00.
    (vn(2025, 1, 6, 7), "P1D", vn(2025, 1, 6, 17)),
    # Seconds are kept: 09:00:30.5 + 1 min.
    (vn(2025, 1, 6, 9, 0, 30, 500_000), "PT1M", vn(2025, 1, 6, 9, 1, 30, 500_000)),
    # Tết 2025 (27/1-31/1 off, 1-2/2 weekend): Fri 24/1 09:00 + P1D -> Mon 3/2 09:00.
    (vn(2025, 1, 24, 9), "P1D", vn(2025, 2, 3, 9)),
    # Thu 23/1 + P2D: day 1 = Fri 24/1, day 2 = Mon 3/2.
    (vn(2025, 1, 23, 10), "P2D", vn(2025, 2, 3, 10)),
    # Fri 24/1 17:00 + 1 min -> Mon 3/2 07:01.
    (vn(2025, 1, 24, 17), "PT1M", vn(2025, 2, 3, 7, 1)),
    # Received during Tết: counts from Mon 3/2 07:00, P0.5D = 240 min -> 11:00.
    (vn(2025, 1, 29, 10), "P0.5D", vn(2025, 2, 3, 11)),
    # Tết 2026 (16-20/2 off): Fri 13/2 16:30 + P15D. Working days after 13/2: 23-27/2 (5),
    # 2-6/3 (10), 9-13/3 (15) -> Fri 13/3/2026 16:30.
    (vn(2026, 2, 13, 16, 30), "P15D", vn(2026, 3, 13, 16, 30)),
    # Year boundary: Wed 31/12/2025 09:00, 1/1 off -> Fri 2/1/2026 09:00.
    (vn(2025, 12, 31, 9), "P1D", vn(2026, 1, 2, 9)),
    # 31/12/2025 16:00 + 2h: 1 h on 31/12, 1 h from Fri 2/1 07:00 -> 08:00.
    (vn(2025, 12, 31, 16), "PT2H", vn(2026, 1, 2, 8)),
    # Thu 31/12/2026 + P1D: Fri 1/1/2027 off, weekend -> Mon 4/1/2027.
    (vn(2026, 12, 31, 10), "P1D", vn(2027, 1, 4, 10)),
    # 30/4-1/5/2025 plus swapped Fri 2/5: Tue 29/4 + P1D -> Mon 5/5.
    (vn(2025, 4, 29, 10), "P1D", vn(2025, 5, 5, 10)),
    # Fri 25/4/2025 + P1D -> Sat 26/4 (swapped working Saturday).
    (vn(2025, 4, 25, 10), "P1D", vn(2025, 4, 26, 10)),
    # 2024: Fri 26/4 + P1D: Mon 29/4 (swapped), 30/4, 1/5 off -> Thu 2/5.
    (vn(2024, 4, 26, 10), "P1D", vn(2024, 5, 2, 10)),
    # 2024: Fri 26/4 + P3D: Thu 2/5, Fri 3/5, Sat 4/5 (swapped working Saturday).
    (vn(2024, 4, 26, 10), "P3D", vn(2024, 5, 4, 10)),
    # 2/9/2025 (+1/9): Fri 29/8 + P1D -> Wed 3/9.
    (vn(2025, 8, 29, 10), "P1D", vn(2025, 9, 3, 10)),
    # 2026: Fri 21/8 + P1D -> Sat 22/8 (swapped); Fri 28/8 + P1D: 31/8, 1/9, 2/9 off -> Thu 3/9.
    (vn(2026, 8, 21, 10), "P1D", vn(2026, 8, 22, 10)),
    (vn(2026, 8, 28, 10), "P1D", vn(2026, 9, 3, 10)),
    # Cultural Day Tue 24/11/2026: Mon 23/11 + P1D -> Wed 25/11.
    (vn(2026, 11, 23, 10), "P1D", vn(2026, 11, 25, 10)),
    # Input in UTC: 02:00Z = 09:00 in Vietnam -> Tue 09:00 (+07:00), i.e. 02:00Z.
    (datetime(2025, 1, 6, 2, tzinfo=UTC), "P1D", datetime(2025, 1, 7, 2, tzinfo=UTC)),
    # Zero duration: the next working instant (lunch -> 13:30).
    (vn(2025, 1, 6, 12), "P0D", vn(2025, 1, 6, 13, 30)),
]


@pytest.mark.parametrize(("start", "duration", "expected"), ADD_CASES)
def test_add(start, duration, expected):
    result = CAL.add(start, parse_duration(duration))
    assert result == expected
    assert result.tzinfo == VN


def test_p15d_after_tet_2026_with_cutoff():
    # Fri 13/2/2026 16:30 is after the 15:00 cut-off: counting starts Mon 23/2 07:00, and
    # 15 working days (23/2 .. 13/3, as above) end on Fri 13/3 at 17:00.
    start = CAL.start_of_count(vn(2026, 2, 13, 16, 30))
    assert start == vn(2026, 2, 23, 7)
    assert CAL.add(start, "P15D") == vn(2026, 3, 13, 17)


# ---- calendar-day durations ----------------------------------------------------------------

CALENDAR_CASES = [
    # Mon 6/1/2025 10:00 + 4 days = Fri 10/1 10:00, a working day: unchanged.
    (vn(2025, 1, 6, 10), "P4D", vn(2025, 1, 10, 10)),
    # + 5 days = Sat 11/1: moved to the end of the next working day, Mon 13/1 17:00.
    (vn(2025, 1, 6, 10), "P5D", vn(2025, 1, 13, 17)),
    # Fri 24/1/2025 + 3 days = Mon 27/1 (Tết): next working day Mon 3/2, 17:00.
    (vn(2025, 1, 24, 10), "P3D", vn(2025, 2, 3, 17)),
    # Wed 19:00 + 1 day = Thu 19:00: a working day, so it stays outside office hours (documented).
    (vn(2025, 1, 8, 19), "P1D", vn(2025, 1, 9, 19)),
    # Fri 25/4/2025 + 1 day = Sat 26/4, a swapped working day: unchanged.
    (vn(2025, 4, 25, 10), "P1D", vn(2025, 4, 26, 10)),
    # A calendar week is 7 days: Mon 6/1 -> Mon 13/1.
    (vn(2025, 1, 6, 10), "P1W", vn(2025, 1, 13, 10)),
    # Thu 28/8/2025 10:00 + 48 clock hours = Sat 30/8; weekend, 1/9, 2/9 off -> Wed 3/9 17:00.
    (vn(2025, 8, 28, 10), "PT48H", vn(2025, 9, 3, 17)),
]


@pytest.mark.parametrize(("start", "duration", "expected"), CALENDAR_CASES)
def test_add_calendar_days(start, duration, expected):
    assert CAL.add(start, parse_duration(duration, kind="calendar")) == expected


# ---- instants, cut-off, same day -----------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (vn(2025, 1, 6, 9), vn(2025, 1, 6, 9)),  # open
        (vn(2025, 1, 6, 7), vn(2025, 1, 6, 7)),  # session start is open
        (vn(2025, 1, 6, 11, 30), vn(2025, 1, 6, 13, 30)),  # session end is closed
        (vn(2025, 1, 6, 17), vn(2025, 1, 7, 7)),
        (vn(2025, 1, 24, 18), vn(2025, 2, 3, 7)),  # Friday evening before Tết 2025
        (vn(2025, 12, 31, 17, 30), vn(2026, 1, 2, 7)),  # over New Year
    ],
)
def test_next_working_instant(instant, expected):
    assert CAL.next_working_instant(instant) == expected
    assert CAL.is_office_hours(expected)


@pytest.mark.parametrize(
    ("received", "cutoff", "expected"),
    [
        (vn(2025, 1, 6, 14, 59), None, vn(2025, 1, 6, 14, 59)),
        (vn(2025, 1, 6, 15), None, vn(2025, 1, 6, 15)),  # at the cut-off is not after it
        (vn(2025, 1, 6, 15, 0, 1), None, vn(2025, 1, 7, 7)),
        (vn(2025, 1, 6, 15, 30), "16:00", vn(2025, 1, 6, 15, 30)),  # agency cut-off
        (vn(2025, 1, 6, 15, 30), time(15), vn(2025, 1, 7, 7)),
        (vn(2025, 1, 6, 12), None, vn(2025, 1, 6, 13, 30)),  # lunch -> afternoon session
        (vn(2025, 1, 6, 6, 30), None, vn(2025, 1, 6, 7)),  # before opening -> same day
        (vn(2025, 1, 6, 17, 30), "23:00", vn(2025, 1, 7, 7)),  # after hours beats a late cut-off
        (vn(2025, 1, 11, 9), None, vn(2025, 1, 13, 7)),  # Saturday
        (vn(2025, 1, 24, 15, 30), None, vn(2025, 2, 3, 7)),  # after the cut-off before Tết
        (vn(2025, 5, 2, 9), None, vn(2025, 5, 5, 7)),  # swapped day off
    ],
)
def test_start_of_count(received, cutoff, expected):
    assert CAL.start_of_count(received, cutoff) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (vn(2025, 1, 6, 9), vn(2025, 1, 6, 17)),
        (vn(2025, 1, 6, 17), vn(2025, 1, 7, 17)),  # closed at 17:00: counts from Tuesday
        (vn(2025, 1, 25, 10), vn(2025, 2, 3, 17)),  # Saturday before Tết 2025 week
        (CAL.start_of_count(vn(2025, 1, 6, 15, 30)), vn(2025, 1, 7, 17)),  # after the cut-off
    ],
)
def test_end_of_day(start, expected):
    assert CAL.end_of_day(start) == expected


# ---- elapsed and counting ------------------------------------------------------------------


def test_elapsed():
    # Fri 16:00 -> Mon 08:00: 1 h on Friday + 1 h on Monday.
    assert CAL.elapsed(vn(2025, 1, 10, 16), vn(2025, 1, 13, 8)) == timedelta(hours=2)
    assert CAL.elapsed(vn(2025, 1, 13, 8), vn(2025, 1, 10, 16)) == -timedelta(hours=2)
    # Fri 13/2/2026 16:30 -> Mon 23/2 07:30 over Tết: 30 + 30 min.
    assert CAL.elapsed(vn(2026, 2, 13, 16, 30), vn(2026, 2, 23, 7, 30)) == timedelta(hours=1)
    # A whole Tết week counts nothing; lunch counts nothing.
    assert CAL.elapsed(vn(2025, 1, 24, 17), vn(2025, 2, 3, 7)) == timedelta(0)
    assert CAL.elapsed(vn(2025, 1, 6, 11, 30), vn(2025, 1, 6, 13, 30)) == timedelta(0)
    # 31/12/2025 16:00 -> 2/1/2026 08:00 across the year: 1 h + 1 h.
    assert CAL.elapsed(vn(2025, 12, 31, 16), vn(2026, 1, 2, 8)) == timedelta(hours=2)
    # Mon 09:00 (1/4 of the day) -> Tue 15:00 (360/480 = 3/4): 1.5 working days.
    assert CAL.elapsed_days(vn(2025, 1, 6, 9), vn(2025, 1, 7, 15)) == Fraction(3, 2)


def test_working_days_between():
    # 2025: 261 weekdays - 12 weekday holidays (1/1, 27-31/1, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9)
    # + Sat 26/4 = 250.
    assert CAL.working_days_between(date(2025, 1, 1), date(2026, 1, 1)) == 250
    # 2026: 261 weekdays - 13 (1/1, 16-20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9, 24/11) + Sat 22/8 = 249.
    assert CAL.working_days_between(date(2026, 1, 1), date(2027, 1, 1)) == 249
    assert CAL.working_days_between(date(2025, 1, 6), date(2025, 1, 13)) == 5  # half-open
    assert CAL.working_days_between(date(2025, 1, 27), date(2025, 2, 3)) == 0  # Tết week
    assert CAL.working_days_between(date(2025, 12, 29), date(2026, 1, 6)) == 5  # 29-31/12, 2/1, 5/1
    assert CAL.working_days_between(date(2025, 1, 13), date(2025, 1, 6)) == -5
    assert CAL.next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)


def test_naive_and_wrong_types_are_rejected():
    naive, aware = datetime(2025, 1, 6, 9), vn(2025, 1, 6, 9)
    for method, args in [("add", ("P1D",)), ("start_of_count", ()), ("elapsed", (aware,))]:
        with pytest.raises(ValueError, match="naive .* rejected: pass a timezone-aware datetime"):
            getattr(CAL, method)(naive, *args)
    with pytest.raises(TypeError, match="expected a date, got datetime"):
        CAL.is_working_day(aware)
    with pytest.raises(TypeError, match="duration must be a WorkingDuration or ISO text, not timedelta"):
        CAL.add(aware, timedelta(hours=1))


# ---- configuration: overrides, agency sessions, rule changes -------------------------------

DEFAULT_SESSIONS = [["07:00", "11:30"], ["13:30", "17:00"]]
SATURDAY_MORNING = rule(DEFAULT_SESSIONS, "2000-01-01", saturday_sessions=[["07:30", "11:30"]])


def test_admin_overrides():
    cal = custom(
        overrides=[
            {"date": "2025-12-31", "kind": "day_off", "note": "extra day off"},
            {"date": "2025-12-27", "kind": "working_day", "note": "extra working Saturday"},
            {"date": "2025-12-28", "kind": "working_day", "sessions": [["07:30", "11:30"]]},
            {"date": "2025-04-26", "kind": "day_off"},  # beats the swapped Saturday
            {"date": "2025-05-02", "kind": "working_day"},  # beats the holiday
        ]
    )
    # Tue 30/12 + P1D: 31/12 extra day off, 1/1 holiday -> Fri 2/1/2026.
    assert cal.add(vn(2025, 12, 30, 10), "P1D") == vn(2026, 1, 2, 10)
    # Fri 26/12 + P1D -> Sat 27/12 (extra working Saturday, weekday sessions).
    assert cal.add(vn(2025, 12, 26, 10), "P1D") == vn(2025, 12, 27, 10)
    assert cal.day_minutes(date(2025, 12, 28)) == 240  # Sunday 07:30-11:30
    assert not cal.is_working_day(date(2025, 4, 26)) and cal.is_working_day(date(2025, 5, 2))
    assert cal.day_info(date(2025, 12, 31)).reason == "override day_off: extra day off"
    assert CAL.is_working_day(date(2025, 12, 31))  # the default calendar is untouched


def test_agency_with_saturday_morning_sessions():
    cal = custom(rules=[SATURDAY_MORNING])
    assert cal.day_minutes(date(2025, 1, 11)) == 240  # Sat 07:30-11:30
    assert cal.day_minutes(date(2025, 4, 26)) == 480  # swapped Saturday: a full weekday
    assert not cal.is_working_day(date(2025, 2, 1))  # Saturday inside Tết 2025
    # Fri 16:00 + 2h: 1 h Friday, 1 h from Sat 07:30 -> 08:30.
    assert cal.add(vn(2025, 1, 10, 16), "PT2H") == vn(2025, 1, 11, 8, 30)
    # Fri 14:00 is 300/480 = 5/8 of Friday; Saturday 5/8 * 240 = 150 min from 07:30 -> 10:00.
    assert cal.add(vn(2025, 1, 10, 14), "P1D") == vn(2025, 1, 11, 10)
    # Received Sat 10:00: counts at once; Sat 12:00 (after the last session) -> Mon 07:00.
    assert cal.start_of_count(vn(2025, 1, 11, 10)) == vn(2025, 1, 11, 10)
    assert cal.start_of_count(vn(2025, 1, 11, 12)) == vn(2025, 1, 13, 7)
    assert cal.end_of_day(vn(2025, 1, 11, 8)) == vn(2025, 1, 11, 11, 30)


def test_rule_change_with_effective_date():
    new_hours = rule([["07:30", "11:30"], ["13:30", "17:00"]], "2027-01-01")
    cal = custom(rules=[new_hours, rule(DEFAULT_SESSIONS, "2000-01-01")])  # order does not matter
    assert cal.day_minutes(date(2026, 12, 31)) == 480
    assert cal.day_minutes(date(2027, 1, 4)) == 450  # 240 + 210
    # Thu 31/12/2026 09:00 is 120/480 = 1/4 of the day; next working day Mon 4/1/2027 (1/1 off):
    # 1/4 * 450 = 112.5 min from 07:30 -> 09:22:30.
    assert cal.add(vn(2026, 12, 31, 9), "P1D") == vn(2027, 1, 4, 9, 22, 30)
    # Within the new rule whole days keep the clock time: Mon 09:30 -> Tue 09:30.
    assert cal.add(vn(2027, 1, 4, 9, 30), "P1D") == vn(2027, 1, 5, 9, 30)
    # P0.5D of a 450-min day = 225 min from 07:30 -> 11:15.
    assert cal.add(vn(2027, 1, 4, 7, 30), "P0.5D") == vn(2027, 1, 4, 11, 15)
    # 31/12/2026 16:00 + 2h: 1 h on the old day, 1 h from Mon 4/1 07:30 -> 08:30.
    assert cal.add(vn(2026, 12, 31, 16), "PT2H") == vn(2027, 1, 4, 8, 30)
    assert cal.elapsed(vn(2026, 12, 31, 16), vn(2027, 1, 4, 8, 30)) == timedelta(hours=2)


def test_before_the_first_rule_and_without_public_holidays():
    cal = custom(rules=[{"effective_from": "2025-01-02", "sessions": [["08:00", "12:00"]]}])
    assert not cal.is_working_day(date(2025, 1, 1))  # also a holiday; the rule starts 2/1
    assert cal.day_info(date(2024, 12, 31)).reason == "no calendar rule in effect yet"
    # Tue 31/12/2024 10:00 -> first session Thu 2/1/2025 08:00, + 1 h.
    assert cal.add(vn(2024, 12, 31, 10), "PT1H") == vn(2025, 1, 2, 9)
    bare = custom(public_holidays=None)
    assert bare.is_working_day(date(2025, 1, 1)) and bare.is_working_day(date(2025, 1, 29))
    assert not bare.is_working_day(date(2025, 4, 26))  # no swapped Saturdays without the package


def test_calendar_without_any_working_time_fails_clearly():
    cal = custom(rules=[{"effective_from": "2000-01-01", "sessions": []}], public_holidays=None)
    with pytest.raises(ValueError, match="has no working time for years after"):
        cal.add(vn(2025, 1, 6, 9), "P1D")


def override(kind: str, **extra) -> dict:
    return {"date": "2025-01-02", "kind": kind, **extra}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rules": []}, "at least one rule"),
        ({"rules": [{"effective_form": "2020-01-01"}]}, r"unknown key\(s\) \['effective_form'\]"),
        ({"rules": [rule([["7h", "11:30"]])]}, "invalid time '7h'"),
        ({"rules": [rule([], start="2020-13-01")]}, "invalid date '2020-13-01'"),
        ({"rules": [rule([["11:30", "07:00"]])]}, "does not end after"),
        ({"rules": [rule([["07:00", "12:00"], ["11:00", "17:00"]])]}, "sessions overlap at 11:00"),
        ({"rules": [rule([]), rule([])]}, "two rules share the same effective_from"),
        ({"overrides": [override("holiday")]}, "kind must be 'day_off' or 'working_day'"),
        ({"overrides": [override("day_off")] * 2}, "2025-01-02 is overridden twice"),
        ({"overrides": [override("day_off", sessions=[])]}, "cannot have sessions"),
        ({"timezone": "Asia/Hanoi_City"}, "unknown time zone"),
        ({"colour": "red"}, "unknown key"),
    ],
)
def test_bad_config_is_rejected(change, message):
    with pytest.raises(ValueError, match=message):
        custom(**change)


def test_default_calendar_is_cached_and_shipped_rules_are_read():
    assert default_calendar() is CAL
    config = load_default_config()
    assert config["rules"][0]["sessions"] == [["07:00", "11:30"], ["13:30", "17:00"]]
    config["rules"].clear()  # a fresh copy each time: mutating it must not leak
    assert load_default_config()["rules"]
    assert CAL.cutoff == time(15) and CAL.timezone == VN
