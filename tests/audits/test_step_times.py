"""Step office times kept at completion and aggregated in SQL give the figures the calendar gives step by step."""

from __future__ import annotations

import statistics
from collections import defaultdict

from sqlalchemy import select, update

from audits.indicators import limit_hours, percentile, sla_report
from audits.periods import parse_period
from processes.calendar_store import calendar_for
from processes.organisation import department_of
from processes.records import load_dossiers, load_steps
from processes.schema import human_tasks
from tests.demo.demo_data import YEAR, demo_copy


def _recomputed(db, period):
    """Each step figure the way reports computed it before the times were kept: the calendar run per step."""
    with db.read() as conn:
        facts = load_dossiers(conn, period, "either")
        steps = load_steps(conn, period=period, of_dossiers_in=period)
        departments = department_of(conn)
        calendars = {f.unit_id: calendar_for(conn, f.unit_id) for f in facts}
    late_cases = {f.instance_id for f in facts if f.result == "late" and f.done_at and period.contains(f.done_at)}
    hours, figures, culprits, by_dept = defaultdict(list), {}, defaultdict(set), defaultdict(int)
    for s in steps:
        if not period.contains(s.completed_at):
            continue
        key = (s.procedure, s.element_id)
        figure = figures.setdefault(key, {"name": s.name, "limit": limit_hours(s.due), "results": defaultdict(int),
                                          "overrun": 0.0})
        figure["results"][s.result] += 1
        role = s.roles.split(",")[0].partition("@")[0] if s.roles else ""
        who = s.completed_by or ""
        by_dept[departments.get((who, role)) or departments.get((who, ""), "?")] += 1
        taken = calendars[s.unit_id].elapsed(s.created_at, s.completed_at).total_seconds() / 3600
        hours[key].append(taken)
        if s.result == "late" and figure["limit"] is not None:
            figure["overrun"] += max(0.0, taken - figure["limit"])
            if s.instance_id in late_cases:
                culprits[key].add(s.instance_id)
    out = {key: (f["name"], f["limit"], {r: n for r, n in f["results"].items()},
                 round(statistics.median(hours[key]), 2), round(percentile(hours[key], 0.9), 2),
                 len(culprits[key]), round(f["overrun"], 6)) for key, f in figures.items()}
    return out, dict(by_dept)


def _aggregated(report):
    steps = {(s.procedure, s.element_id): (
        s.name, s.limit_hours, {r: n for r, n in (("early", s.counts.early), ("on_time", s.counts.on_time),
                                                   ("late", s.counts.late)) if n}
        | ({None: s.counts.resolved - s.counts.early - s.counts.on_time - s.counts.late}
           if s.counts.resolved - s.counts.early - s.counts.on_time - s.counts.late else {}),
        s.median_hours, s.p90_hours, s.late_in_late_dossiers, round(s.overrun_hours, 6)) for s in report.steps}
    return steps, {d: c.resolved for d, c in report.by_department.items()}


def test_kept_times_give_the_figures_of_the_calendar_run_per_step(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(str(YEAR))
    with db.read() as conn:
        kept = list(conn.execute(select(human_tasks.c.worked_seconds).where(human_tasks.c.state == "completed"))
                    .scalars())
    # Steps completed by their performer kept their time then; the few a leader moved past (step_override)
    # get it from the report like those of an upgraded database.
    assert kept.count(None) < len(kept) / 50
    expected = _recomputed(db, period)
    assert len(expected[0]) > 20 and sum(f[5] for f in expected[0].values()) > 0  # late causes are in the year
    assert _aggregated(sla_report(db, period)) == expected


def test_steps_done_before_the_upgrade_get_their_time_once_with_the_same_figures(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(str(YEAR))
    with db.read() as conn:
        at_completion = dict(conn.execute(select(human_tasks.c.id, human_tasks.c.worked_seconds)
                                          .where(human_tasks.c.state == "completed")).all())
    with db.write() as conn:  # as after `quytrinh db upgrade` of a database of the previous release
        conn.execute(update(human_tasks).values(worked_seconds=None))
    assert _aggregated(sla_report(db, period)) == _recomputed(db, period)
    with db.read() as conn:
        filled = dict(conn.execute(select(human_tasks.c.id, human_tasks.c.worked_seconds)
                                   .where(human_tasks.c.worked_seconds.is_not(None))).all())
    assert len(filled) == len(at_completion)
    assert all(filled[i] == at_completion[i] for i in filled if at_completion[i] is not None)
