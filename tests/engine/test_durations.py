"""ISO 8601 working-time durations: parsing, canonical text, arithmetic, errors."""

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.durations import DurationKind, WorkingDuration, parse_duration


@pytest.mark.parametrize(
    ("text", "days", "minutes", "canonical"),
    [
        ("P15D", 15, 0, "P15D"),
        ("P0.5D", Fraction(1, 2), 0, "P0.5D"),
        ("P0,5D", Fraction(1, 2), 0, "P0.5D"),  # ISO allows a decimal comma
        ("PT4H", 0, 240, "PT4H"),
        ("PT30M", 0, 30, "PT30M"),
        ("P1DT4H", 1, 240, "P1DT4H"),
        ("P1W", 5, 0, "P5D"),  # a working week is 5 working days
        ("P2W3D", 13, 0, "P13D"),  # 2*5 + 3
        ("PT90M", 0, 90, "PT1H30M"),
        ("PT1.5H", 0, 90, "PT1H30M"),  # 1.5 * 60
        ("PT30S", 0, Fraction(1, 2), "PT30S"),
        ("PT1H0.5S", 0, 60 + Fraction(1, 120), "PT1H0.5S"),  # 0.5 s = 1/120 min
        ("P0D", 0, 0, "P0D"),
        ("  p2dt15m ", 2, 15, "P2DT15M"),  # lenient about case and surrounding blanks
    ],
)
def test_parse_and_print(text, days, minutes, canonical):
    duration = parse_duration(text)
    assert (duration.days, duration.minutes, duration.kind) == (days, minutes, DurationKind.WORKING)
    assert str(duration) == canonical
    assert parse_duration(canonical) == duration


def test_week_is_seven_days_for_calendar_kind():
    duration = parse_duration("P1W", kind="calendar")
    assert duration == WorkingDuration(days=7, kind=DurationKind.CALENDAR)
    assert duration != WorkingDuration(days=7)  # the kind is part of the value


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "15D", "P-1D", "PT1D", "P1DT", "P1.D", "P.5D", "abc", "P1D2W", "PT1M1H"]
)
def test_bad_text_is_rejected_naming_the_text(text):
    with pytest.raises(ValueError, match="invalid duration") as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2M3D", "P2MT1H"])
def test_years_and_months_are_refused_explicitly(text):
    with pytest.raises(ValueError, match="years and months are not supported"):
        parse_duration(text)


def test_unknown_kind_and_non_string():
    with pytest.raises(ValueError, match="unknown duration kind 'wall'"):
        parse_duration("P1D", kind="wall")
    with pytest.raises(TypeError, match="must be a string"):
        parse_duration(15)


def test_constructor_coerces_and_validates():
    assert WorkingDuration(days=Decimal("0.25")).days == Fraction(1, 4)
    assert WorkingDuration(days=0.1).days == Fraction(1, 10)  # through repr, not binary 0.1
    assert WorkingDuration(minutes="7.5").minutes == Fraction(15, 2)
    with pytest.raises(ValueError, match="must not be negative"):
        WorkingDuration(days=-1)
    with pytest.raises(ValueError, match="not a finite number"):
        WorkingDuration(days=float("nan"))
    with pytest.raises(TypeError, match="must be a number"):
        WorkingDuration(days=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        WorkingDuration().days = 3


def test_of_sums_hours_and_minutes():
    assert WorkingDuration.of(days=1, hours=1.5, minutes=10) == WorkingDuration(days=1, minutes=100)
    assert str(WorkingDuration.of(hours=8, kind="calendar")) == "PT8H"


def test_addition_keeps_kind_and_refuses_mixing():
    total = parse_duration("P1DT4H") + parse_duration("P0.5DT30M")
    assert total == WorkingDuration(days=Fraction(3, 2), minutes=270)
    assert str(total) == "P1.5DT4H30M"
    with pytest.raises(ValueError, match="cannot add a calendar duration to a working duration"):
        parse_duration("P1D") + parse_duration("P1D", kind="calendar")


def test_total_minutes_and_zero():
    # P1DT4H with an 8-hour day: 480 + 240; with a 7.5-hour day: 450 + 240.
    assert parse_duration("P1DT4H").total_minutes(480) == 720
    assert parse_duration("P1DT4H").total_minutes(450) == 690
    assert parse_duration("PT0M").is_zero and parse_duration("P0D").is_zero
    assert not parse_duration("PT1S").is_zero


hundredths = st.integers(min_value=0, max_value=100_000).map(lambda n: Fraction(n, 100))


@settings(max_examples=200)
@given(days=hundredths, minutes=hundredths, kind=st.sampled_from(list(DurationKind)))
def test_canonical_text_round_trips(days, minutes, kind):
    duration = WorkingDuration(days=days, minutes=minutes, kind=kind)
    assert parse_duration(str(duration), kind=kind) == duration
