"""Reporting periods: a year, a half, a quarter or a month, in Vietnam local dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from processes.errors import InvalidInput
from processes.keys import VN

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A half-open range of local dates [start, end) with its label (2025, 2025-Q4, 2025-H1, 2025-11)."""

    label: str
    start: dt.date
    end: dt.date

    @cached_property
    def first_instant(self) -> dt.datetime:
        """The first instant of the period (UTC)."""
        return dt.datetime.combine(self.start, dt.time(), VN).astimezone(dt.UTC)

    @cached_property
    def end_instant(self) -> dt.datetime:
        """The first instant after the period (UTC)."""
        return dt.datetime.combine(self.end, dt.time(), VN).astimezone(dt.UTC)

    @property
    def year(self) -> int:
        """The year the period belongs to."""
        return self.start.year

    def contains(self, at: dt.datetime | None) -> bool:
        """True when an instant falls inside the period."""
        return at is not None and self.first_instant <= at < self.end_instant

    def months(self) -> list[str]:
        """The months of the period as YYYY-MM labels."""
        out, day = [], self.start
        while day < self.end:
            out.append(f"{day:%Y-%m}")
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out

    def quarters(self) -> list[Period]:
        """The quarters that make up the period (for a year: Q1..Q4)."""
        return [parse_period(f"{self.year}-Q{q}") for q in range(1, 5)
                if parse_period(f"{self.year}-Q{q}").start >= self.start
                and parse_period(f"{self.year}-Q{q}").end <= self.end]


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """Read 2025, 2025-Q4, 2025-H2 or 2025-11; InvalidInput otherwise."""
    found = _PATTERN.match((text or "").strip())
    if not found:
        raise InvalidInput.of("period_invalid", period=text)
    year, part = int(found.group(1)), (found.group(2) or "").upper()
    if not part:
        return Period(str(year), dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    if part.startswith("Q"):
        q = int(part[1])
        return Period(f"{year}-Q{q}", _month_start(year, 3 * q - 2), _month_start(year, 3 * q + 1))
    if part.startswith("H"):
        h = int(part[1])
        return Period(f"{year}-H{h}", _month_start(year, 6 * h - 5), _month_start(year, 6 * h + 1))
    month = int(part)
    if not 1 <= month <= 12:
        raise InvalidInput.of("period_month_invalid", period=text, month=month)
    return Period(f"{year}-{month:02d}", _month_start(year, month), _month_start(year, month + 1))


def local_month(at: dt.datetime) -> str:
    """The YYYY-MM label of an instant's local (Vietnam) date."""
    return f"{at.astimezone(VN):%Y-%m}"
