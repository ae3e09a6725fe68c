"""How far the year's CCHC plan is on a day (issue 17 item 2): each item done on time, done late, overdue or
open, and the counts per section and per lead unit with the budget planned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from processes.cchc_plan import StoredItem, plan_items
from processes.db import Database
from processes.keys import VN

STATES = ("done_on_time", "done_late", "overdue", "open")
STATE_NAMES = {"done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành trễ hạn",
               "overdue": "Chưa hoàn thành, quá hạn", "open": "Đang thực hiện"}


def state_of(item: StoredItem, day: dt.date) -> str:
    """The item's state at the end of `day`: accepted by then (on time or late against its due date), or not."""
    finished = item.finished_at.astimezone(VN).date() if item.finished_at else None
    if finished is not None and finished <= day:
        return "done_on_time" if item.due is None or finished <= item.due else "done_late"
    return "overdue" if item.due is not None and item.due < day else "open"


@dataclass
class Tally:
    """Items by state, with the budget planned for them (million VND)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    budget: Decimal = Decimal(0)

    def add(self, state: str, item: StoredItem) -> None:
        self.counts[state] += 1
        self.budget += item.budget or 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts["done_on_time"] + self.counts["done_late"]


@dataclass
class Progress:
    """The plan of a year on a day: every item with its state, tallies per section and per lead unit."""

    year: int
    day: dt.date
    items: list[tuple[StoredItem, str]]
    overall: Tally
    by_section: dict[str, Tally]
    section_titles: dict[str, str]
    by_unit: dict[str, Tally]


def progress(db: Database, year: int, day: dt.date) -> Progress:
    """The plan of `year` as it stands at the end of `day` (a fanned-out item counts for each of its leads)."""
    found = [(item, state_of(item, day)) for item in plan_items(db, year)]
    overall = Tally()
    sections: dict[str, Tally] = {}
    titles: dict[str, str] = {}
    units: dict[str, Tally] = {}
    for item, state in found:
        overall.add(state, item)
        sections.setdefault(item.section_no, Tally()).add(state, item)
        titles[item.section_no] = item.section_title
        for unit in item.leads:
            units.setdefault(unit, Tally()).add(state, item)
    return Progress(year, day, found, overall, sections, titles, dict(sorted(units.items())))
