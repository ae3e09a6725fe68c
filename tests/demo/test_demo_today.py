"""The demo looks like a district on the day it starts (issue 13 item 12): on the demo's "today" dossiers
are open, some overdue, some not yet due; late dossiers with and without an apology; no step is done the
instant it arrives."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from demo import generate_year
from processes import queries
from processes.clock import FixedClock
from processes.dossier_rules import DossierStatus
from processes.keys import VN
from processes.schema import apologies, dossiers, events
from tests.demo.demo_data import demo_copy, demo_year, prepared

CITIZENS = ("QT-CT-01", "QT-HT-01", "QT-KD-01", "QT-XD-01")


def _as_of(db, today: dt.datetime):
    """(open, overdue, not yet due, late) citizen dossiers as of `today`, and the ids with an apology."""
    with db.read() as conn:
        rows = list(conn.execute(select(dossiers.c.id, dossiers.c.status_code, dossiers.c.appointment_at,
                                        dossiers.c.done_at, dossiers.c.result)
                                 .where(dossiers.c.procedure.in_(CITIZENS))))
        apologised = {r.dossier_id for r in conn.execute(select(apologies.c.dossier_id))}
    running = {DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS, DossierStatus.SUPPLEMENT}
    open_ = [r for r in rows if r.done_at is None and r.status_code in running]
    overdue = [r for r in open_ if r.appointment_at is not None and r.appointment_at < today]
    not_due = [r for r in open_ if r.appointment_at is None or r.appointment_at >= today]
    return open_, overdue, not_due, [r for r in rows if r.result == "late"] + overdue, apologised


def test_the_demo_year_ends_on_a_morning_with_dossiers_open_and_overdue(tmp_path):
    _, summary, _ = demo_year()
    today = summary.ends_at
    assert today is not None and today.astimezone(VN) == dt.datetime(2025, 12, 31, 10, tzinfo=VN)
    open_, overdue, _, _, _ = _as_of(demo_copy(tmp_path), today)
    assert summary.running >= len(open_) and overdue


def test_on_the_demo_s_today_dossiers_are_open_overdue_not_yet_due_late_with_and_without_apology(tmp_path):
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    today = dt.datetime(2025, 3, 14, 10, tzinfo=VN)  # a Friday morning
    summary = generate_year(db, 2025, 1.0, 13, tmp_path / "files", today)
    open_, overdue, not_due, late, apologised = _as_of(db, today)
    assert summary.ends_at == today.astimezone(dt.UTC) and len(overdue) >= 3 and not_due, (len(open_), len(overdue))
    assert any(r.id in apologised for r in late) and any(r.id not in apologised for r in late)


def test_no_step_is_done_the_instant_it_arrives(tmp_path):
    # Seed and period where the generator used to squeeze a step into no time at all (7 March 2025).
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    generate_year(db, 2025, 1.0, 2025, tmp_path / "files", dt.datetime(2025, 3, 10, 17, tzinfo=VN))
    with db.read() as conn:
        log = list(conn.execute(select(events.c.case_id, events.c.lifecycle, events.c.actor, events.c.at,
                                       events.c.payload).order_by(events.c.id)))
    first: dict[int, dt.datetime] = {}
    arrived: dict[str, dt.datetime] = {}
    done: dict[tuple[int, dt.datetime], str] = {}
    steps = 0
    for e in log:
        first.setdefault(e.case_id, e.at)
        task = json.loads(e.payload or "{}").get("task")
        if e.lifecycle == "schedule" and task:
            arrived[task] = e.at
        elif e.lifecycle == "complete" and task and e.actor and e.at > first[e.case_id]:  # not at the counter
            steps += 1
            assert e.at - arrived[task] >= dt.timedelta(seconds=59), (e.case_id, task, e.at)
            assert done.setdefault((e.case_id, e.at), e.actor) == e.actor, "two people, one instant"
    assert steps > 200


# The officers the README names for a first try (processes/data/demo_org.json).
README_OFFICERS = ("motcua", "cv.ktht", "tp.ktht", "pct", "vanthu", "xa.motcua", "xa.tphc", "xa.ct")


def test_on_the_demo_s_today_each_officer_the_readme_names_has_a_step_waiting(tmp_path):
    _, summary, _ = demo_year()
    db = demo_copy(tmp_path)
    now = FixedClock(summary.ends_at)
    empty = [user for user in README_OFFICERS if queries.open_count(db, user, now) == 0]
    assert not empty, f"nothing waits for {empty} on the demo's today"
    # and on an ordinary Monday of another year and seed, scale 1
    other = prepared(f"sqlite:///{tmp_path / 'monday.sqlite'}")
    monday = dt.datetime(2026, 6, 8, 14, tzinfo=VN)
    generate_year(other, 2026, 1.0, 2025, tmp_path / "files", monday)
    empty = [user for user in README_OFFICERS if queries.open_count(other, user, FixedClock(monday)) == 0]
    assert not empty, f"nothing waits for {empty} on {monday:%d/%m/%Y}"
