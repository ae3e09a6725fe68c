"""ISO 8601 durations measured in working time (the default) or in calendar time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

__all__ = ["DurationKind", "WorkingDuration", "parse_duration"]


class DurationKind(StrEnum):
    """How a duration is counted: office time on working days, or plain calendar time."""

    WORKING = "working"
    CALENDAR = "calendar"


# A working week is Monday-Friday; a calendar week is seven days.
_DAYS_PER_WEEK = {DurationKind.WORKING: 5, DurationKind.CALENDAR: 7}

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_ISO = re.compile(
    rf"P(?:{_NUMBER}W)?(?:{_NUMBER}D)?(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
# Years and months have no fixed length in working time, so they are refused explicitly.
_YEARS_OR_MONTHS = re.compile(r"P[^T]*\d[YM]")

Number = int | float | str | Decimal | Fraction


def _fraction(value: object, field: str) -> Fraction:
    """Coerce a number to an exact Fraction (floats go through their decimal repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal | Fraction):
        raise TypeError(f"WorkingDuration.{field} must be a number, not {type(value).__name__}")
    try:
        result = Fraction(repr(value) if isinstance(value, float) else value)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"WorkingDuration.{field}: {value!r} is not a finite number") from exc
    if result < 0:
        raise ValueError(f"WorkingDuration.{field} must not be negative, got {value!r}")
    return result


def _decimal_text(value: Fraction) -> str:
    """Exact decimal text of a fraction whose denominator has only factors 2 and 5."""
    if value.denominator == 1:
        return str(value.numerator)
    scale = 1
    while (value * scale).denominator != 1:
        scale *= 10
        if scale > 10**30:
            raise ValueError(f"{value} has no finite decimal representation")
    digits = len(str(scale)) - 1
    whole, rest = divmod((value * scale).numerator, scale)
    return f"{whole}.{rest:0{digits}d}"


@dataclass(frozen=True)
class WorkingDuration:
    """A non-negative duration: whole or fractional days plus minutes, with a counting kind.

    ``days`` are working days (one day = that day's office hours) for ``kind=WORKING`` and
    calendar days for ``kind=CALENDAR``; ``minutes`` are office minutes or clock minutes
    respectively. Hours and seconds are folded into ``minutes``; weeks into ``days``.
    """

    days: Fraction = Fraction(0)
    minutes: Fraction = Fraction(0)
    kind: DurationKind = DurationKind.WORKING

    def __post_init__(self) -> None:
        # Frozen dataclass: coerce through object.__setattr__ so equality and hashing are exact.
        object.__setattr__(self, "days", _fraction(self.days, "days"))
        object.__setattr__(self, "minutes", _fraction(self.minutes, "minutes"))
        object.__setattr__(self, "kind", DurationKind(self.kind))

    @classmethod
    def of(
        cls,
        days: Number = 0,
        hours: Number = 0,
        minutes: Number = 0,
        kind: DurationKind | str = DurationKind.WORKING,
    ) -> WorkingDuration:
        """Build a duration from days, hours and minutes."""
        total = _fraction(hours, "hours") * 60 + _fraction(minutes, "minutes")
        return cls(days=_fraction(days, "days"), minutes=total, kind=DurationKind(kind))

    @classmethod
    def parse(cls, text: str, kind: DurationKind | str = DurationKind.WORKING) -> WorkingDuration:
        """Parse ISO 8601 text such as ``P15D``, ``P0.5D``, ``PT4H``, ``P1DT4H`` or ``P1W``."""
        return parse_duration(text, kind)

    @property
    def is_zero(self) -> bool:
        """True when the duration is empty."""
        return self.days == 0 and self.minutes == 0

    def total_minutes(self, day_minutes: int) -> Fraction:
        """Length in minutes when every day lasts ``day_minutes`` minutes."""
        return self.days * day_minutes + self.minutes

    def __add__(self, other: object) -> WorkingDuration:
        if not isinstance(other, WorkingDuration):
            return NotImplemented
        if other.kind != self.kind:
            raise ValueError(f"cannot add a {other.kind} duration to a {self.kind} duration")
        return WorkingDuration(self.days + other.days, self.minutes + other.minutes, self.kind)

    def __str__(self) -> str:
        """Canonical ISO 8601 text (weeks written as days, minutes split into H/M/S)."""
        text = "P"
        if self.days:
            text += f"{_decimal_text(self.days)}D"
        hours, rest = divmod(self.minutes, 60)
        whole_minutes, seconds = divmod(rest, 1)
        time = ""
        if hours:
            time += f"{int(hours)}H"
        if whole_minutes:
            time += f"{int(whole_minutes)}M"
        if seconds:
            time += f"{_decimal_text(seconds * 60)}S"
        if time:
            text += f"T{time}"
        return text if text != "P" else "P0D"


def _number(group: str | None) -> Fraction:
    return Fraction(group.replace(",", ".")) if group else Fraction(0)


def parse_duration(text: str, kind: DurationKind | str = DurationKind.WORKING) -> WorkingDuration:
    """Parse an ISO 8601 duration (``P15D``, ``P0.5D``, ``PT4H``, ``PT30M``, ``P1DT4H``, ``P1W``)."""
    if not isinstance(text, str):
        raise TypeError(f"duration must be a string, not {type(text).__name__}")
    try:
        kind = DurationKind(kind)
    except ValueError:
        raise ValueError(f"unknown duration kind {kind!r}: use 'working' or 'calendar'") from None
    cleaned = text.strip().upper()
    if _YEARS_OR_MONTHS.match(cleaned):
        raise ValueError(
            f"invalid duration {text!r}: years and months are not supported, use days (P30D) or weeks (P4W)"
        )
    match = _ISO.fullmatch(cleaned)
    if match is None or cleaned in ("P", "PT"):
        raise ValueError(
            f"invalid duration {text!r}: expected ISO 8601 like P15D, P0.5D, PT4H, PT30M, P1DT4H or P1W"
        )
    weeks, days, hours, minutes, seconds = (_number(group) for group in match.groups())
    return WorkingDuration(
        days=weeks * _DAYS_PER_WEEK[kind] + days,
        minutes=hours * 60 + minutes + seconds / 60,
        kind=kind,
    )
