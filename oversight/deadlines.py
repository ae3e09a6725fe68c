"""What the deadline column of a CCHC plan means: the text agencies write, read as a due date.

Rules (documented in docs/oversight.md; the plan's year fills a missing year):

* "Thường xuyên", "Hằng tháng/quý/năm", "Định kỳ …" → no deadline (recurring work is followed, not due).
* "Trước ngày 15/01/2024", "Chậm nhất ngày 15/01", "Ngày 15/01/2024", "15/01/2024" → that date (the day
  written is the last day, as agencies read "trước ngày").
* "Tháng 6/2024", "Tháng 6 năm 2024", "Tháng 6" → the last day of that month.
* "Quý IV/2023", "Quý 4 năm 2023", "Quý IV" → the last day of that quarter.
* "6 tháng đầu năm" → 30 June; "6 tháng cuối năm" → 31 December; "9 tháng đầu năm" → 30 September.
* "Năm 2023", "Trong năm 2023", "Cả năm", "Trong năm" → 31 December.
* Several deadlines in one cell ("Quý II và Quý IV/2024", one per line) → the last of them: the item is due
  when its last part is.

Anything else is unreadable and reported on its row; nothing is guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from processes.search_terms import fold

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_RECURRING = re.compile(r"^(thuong xuyen|hang (thang|quy|nam)|hang (thang|quy|nam)|dinh ky\b.*|lien tuc)$")
_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?!\d)")
_MONTH = re.compile(r"thang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?")
_QUARTER = re.compile(r"quy\s+(iv|iii|ii|i|[1-4])(?:\s*(?:/|nam)\s*(\d{4}))?")
_HALF = re.compile(r"(6|sau|9|chin)\s+thang\s+(dau|cuoi)\s+nam(?:\s+(\d{4}))?")
_YEAR = re.compile(r"(?:trong\s+)?nam\s+(\d{4})|ca\s+nam|trong\s+nam")


class DeadlineUnreadable(ValueError):
    """The text is none of the forms above."""


@dataclass(frozen=True)
class Deadline:
    """A deadline read from the plan: the date it means (None: recurring, no deadline) and how it was read."""

    text: str
    due: dt.date | None
    form: str  # recurring | date | month | quarter | half | year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(value: str | None, default: int) -> int:
    return int(value) if value else default


def _found(text: str, year: int) -> list[tuple[int, dt.date, str]]:
    """Every deadline in the folded text, with its position (the last written wins)."""
    found: list[tuple[int, dt.date, str]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], due: dt.date, form: str) -> None:
        found.append((match.start(), due, form))
        taken.append(match.span())

    for m in _HALF.finditer(text):
        months = 6 if m.group(1) in ("6", "sau") else 9
        month = months if m.group(2) == "dau" else 12
        add(m, _month_end(_year(m.group(3), year), month), "half")
    for m in _MONTH.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or not 1 <= int(m.group(1)) <= 12:
            continue
        add(m, _month_end(_year(m.group(2), year), int(m.group(1))), "month")
    for m in _QUARTER.finditer(text):
        q = ROMAN.get(m.group(1)) or int(m.group(1))
        add(m, _month_end(_year(m.group(2), year), 3 * q), "quarter")
    for m in _DATE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        try:
            add(m, dt.date(_year(m.group(3), year), int(m.group(2)), int(m.group(1))), "date")
        except ValueError:
            raise DeadlineUnreadable(f"ngày «{m.group(0)}» không có thật") from None
    for m in _YEAR.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        add(m, dt.date(_year(m.group(1), year), 12, 31), "year")
    return found


def read_deadline(text: str | None, year: int) -> Deadline:
    """The deadline `text` means in a plan of `year`; DeadlineUnreadable when it is none of the known forms."""
    raw = " ".join(str(text or "").split())
    folded = re.sub(r"[,;]", " ", fold(raw)).strip()
    folded = " ".join(folded.split())
    if not folded:
        raise DeadlineUnreadable("chưa ghi thời hạn")
    if _RECURRING.match(folded):
        return Deadline(raw, None, "recurring")
    found = _found(folded, year)
    if not found:
        raise DeadlineUnreadable(f"không hiểu thời hạn «{raw}»")
    _, due, form = max(found, key=lambda f: (f[0], f[1]))
    return Deadline(raw, due, form)
