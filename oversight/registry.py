"""The district's view of its agencies' quality systems (issue 17 item 1): who is behind, and how much of each
agency's declared list of internal procedures runs in quytrinh ("100 % điện tử hóa" as a measured figure).

An agency is **behind** when, on the day asked about, it has (each reason listed):
* no internal audit of it or of a unit in it in the last 12 months (an audit counts once it has started:
  status in_progress or done, its planned end within the window);
* no management review in the last 12 months (the date it declared with `quytrinh cchc review`);
* a nonconformity whose corrective-action case has a step past its time limit.

Digitisation rate = declared procedures matched to a procedure in force for the agency (same code, or the same
name folded as plan names are) / declared procedures; None when it declared none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from processes.cchc_plan import fold_name
from processes.db import Database
from processes.keys import VN
from processes.quality_registry import AgencyFacts, Declared, agency_facts

WINDOW = dt.timedelta(days=365)
STARTED = ("in_progress", "done")


@dataclass(frozen=True)
class AgencyStatus:
    """One agency's line in the registry."""

    code: str
    name: str
    scope: str
    decision_no: str
    decision_date: dt.date | None
    in_force: int
    last_audit: dt.date | None
    last_review: dt.date | None
    open_nonconformities: int
    overdue_nonconformities: int
    declared: int
    digitised: list[str]
    not_digitised: list[str]
    rate: float | None
    behind: list[str]


def _digitised(declared: list[Declared], in_force: dict[str, str]) -> tuple[list[str], list[str]]:
    codes = {c.lower() for c in in_force}
    names = {fold_name(n) for n in in_force.values()}
    done: list[str] = []
    missing: list[str] = []
    for d in declared:
        label = f"{d.code} {d.name}".strip()
        (done if d.code.lower() in codes or fold_name(d.name) in names else missing).append(label)
    return done, missing


def status_of(facts: AgencyFacts, today: dt.date) -> AgencyStatus:
    """Judge one agency on `today`."""
    audits = [a.planned_to for a in facts.audits if a.status in STARTED and a.planned_to <= today]
    last_audit = max(audits, default=None)
    behind = []
    if last_audit is None or today - last_audit > WINDOW:
        behind.append("chưa đánh giá nội bộ trong 12 tháng")
    if facts.last_review_on is None or today - facts.last_review_on > WINDOW:
        behind.append("chưa xem xét của lãnh đạo trong 12 tháng")
    overdue = sum(1 for n in facts.open_nonconformities if n.overdue)
    if overdue:
        behind.append(f"{overdue} sự không phù hợp khắc phục quá hạn")
    done, missing = _digitised(facts.declared, facts.in_force)
    rate = len(done) / len(facts.declared) if facts.declared else None
    return AgencyStatus(facts.code, facts.name, facts.scope, facts.decision_no, facts.decision_date,
                        len(facts.in_force), last_audit, facts.last_review_on, len(facts.open_nonconformities),
                        overdue, len(facts.declared), done, missing, rate, behind)


def registry(db: Database, today: dt.date) -> list[AgencyStatus]:
    """Every agency's line on `today` (a step is overdue when due before the end of that day in Hà Nội)."""
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), VN)
    return [status_of(f, today) for f in agency_facts(db, end)]


def behind(db: Database, today: dt.date) -> list[AgencyStatus]:
    """The agencies that are behind on `today`."""
    return [s for s in registry(db, today) if s.behind]
