"""SLA conformance and the QĐ 766 index: figures equal independent SQL counts; scoring rules and versions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import and_, func, select

from audits import index766
from audits.indicators import limit_hours, percentile, sla_report
from audits.periods import parse_period
from processes.clock import FixedClock
from processes.errors import InvalidInput
from processes.records import DossierFact
from processes.schema import apologies, dossiers, human_tasks
from tests.demo.demo_data import YEAR, demo_copy

RULES = index766.rules_for(dt.date(2025, 1, 1))


def _in(column, period):
    return and_(column >= period.first_instant, column < period.end_instant)


def test_sla_figures_equal_sql_counts(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(f"{YEAR}-Q3")
    report = sla_report(db, period)
    with db.read() as conn:
        rows = conn.execute(select(dossiers.c.procedure, dossiers.c.result, func.count())
                            .where(_in(dossiers.c.done_at, period), dossiers.c.result.is_not(None))
                            .group_by(dossiers.c.procedure, dossiers.c.result)).all()
        received = conn.execute(select(func.count()).where(_in(dossiers.c.received_at, period))).scalar()
        signed = select(apologies.c.id).where(apologies.c.dossier_id == dossiers.c.id, apologies.c.state == "signed")
        unapologised = {r.code for r in conn.execute(select(dossiers.c.code).where(
            _in(dossiers.c.done_at, period), dossiers.c.result == "late", ~signed.exists(),
            dossiers.c.procedure.not_in(("QT-VB-01", "QT-TDKT-01", "QT-CAPA-01"))))}
        late_steps = dict(conn.execute(select(human_tasks.c.element_id, func.count()).where(
            _in(human_tasks.c.completed_at, period), human_tasks.c.result == "late",
            human_tasks.c.instance_id.in_(select(dossiers.c.instance_id).where(
                _in(dossiers.c.done_at, period) | _in(dossiers.c.received_at, period))))
            .group_by(human_tasks.c.element_id)).all())
    expected = {}
    for procedure, result, count in rows:
        expected.setdefault(procedure, {})[result] = count
    assert report.received == received
    assert {k: {r: getattr(c, r) for r in ("early", "on_time", "late") if getattr(c, r)}
            for k, c in report.by_procedure.items()} == expected
    assert report.overall.resolved == sum(c for _, _, c in rows)
    assert sum(c.resolved for c in report.by_month.values()) == report.overall.resolved
    assert sum(c.resolved for c in report.by_unit.values()) == report.overall.resolved
    assert set(report.late_without_apology) == unapologised
    got = {}
    for s in report.steps:
        got[s.element_id] = got.get(s.element_id, 0) + s.counts.late
    assert {k: v for k, v in got.items() if v} == late_steps


def test_step_times_are_working_hours_within_sense(tmp_path):
    report = sla_report(demo_copy(tmp_path), parse_period(str(YEAR)))
    ct = {s.element_id: s for s in report.steps if s.procedure == "QT-CT-01"}
    assert ct["Task_KiemTraDoiChieu"].limit_hours == 4.0
    assert 0 < ct["Task_KiemTraDoiChieu"].median_hours <= ct["Task_KiemTraDoiChieu"].p90_hours
    for s in report.steps:
        if s.counts.late == 0 and s.limit_hours:
            assert s.p90_hours <= s.limit_hours + 1e-6, s
    for cause in report.causes:
        assert cause.late_in_late_dossiers > 0 and cause.overrun_hours > 0


def test_percentile_and_limits():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 11)), 0.5) == 5
    assert limit_hours("P1.5D") == 12.0 and limit_hours("PT30M") == 0.5 and limit_hours(None) is None


def _fact(n, **kw):
    base = dict(instance_id=n, code=f"H01-{n}", procedure="QT-KD-01", procedure_name="", public=True, unit="H01",
                unit_name="", unit_id=1, channel="truc_tiep", status_code=10,
                received_at=dt.datetime(2025, 10, 6, 2, tzinfo=dt.UTC),
                done_at=dt.datetime(2025, 10, 8, 2, tzinfo=dt.UTC),
                due_at=None, result="on_time", supplement_count=0, late_marked=False, apology_signed=False,
                digitised=False, e_result=False, rating=None)
    return DossierFact(**{**base, **kw})


def test_a_second_supplement_counts_late_and_measures_follow_the_rules():
    period = parse_period("2025-Q4")
    facts = [_fact(1), _fact(2, supplement_count=2), _fact(3, result="late", apology_signed=True),
             _fact(4, channel="truc_tuyen", digitised=True, e_result=True, rating=5), _fact(5, rating=2),
             _fact(6, received_at=dt.datetime(2025, 9, 1, 2, tzinfo=dt.UTC), result="early")]
    values, counts = index766.measures(facts, period, RULES)
    assert counts["received"] == 5 and counts["resolved"] == 6 and counts["late"] == 2
    assert values["in_time_rate"] == pytest.approx(4 / 6)
    assert values["apology_share"] == 0.5 and values["satisfied_share"] == 0.5
    assert values["online_share"] == 0.2 and values["digitised_share"] == 0.2 and values["e_result_share"] == 1 / 6
    unit = index766.build_index(facts, period, RULES, "H01", "", {"1": (18.0, ""), "4": (10.0, ""), "6.3": (6.0, "")})
    assert unit.groups["2"] == pytest.approx(20 * 4 / 6, abs=0.01)
    assert unit.total == pytest.approx(sum(unit.groups.values()), abs=0.01) and unit.grade


@pytest.mark.parametrize(("total", "grade"), [(100, "Xuất sắc"), (90, "Xuất sắc"), (89.99, "Tốt"), (80, "Tốt"),
                                              (79.9, "Khá"), (70, "Khá"), (69.99, "Trung bình"), (50, "Trung bình"),
                                              (49.99, "Yếu"), (0, "Yếu")])
def test_classes(total, grade):
    assert index766.grade(total, RULES) == grade


def test_scoring_curves():
    linear = {"code": "x", "max": 6, "scoring": {"kind": "linear", "zero_at": 0.0, "full_at": 0.5}}
    assert index766.score(0.25, linear) == 3.0 and index766.score(0.9, linear) == 6.0
    assert index766.score(None, linear) == 0.0 and index766.score(None, {**linear, "no_data": "full"}) == 6
    steps = {"code": "y", "max": 3, "scoring": {"kind": "steps", "at_most": [[0.0, 3], [0.01, 2.5], [0.05, 1]]}}
    assert [index766.score(v, steps) for v in (0.0, 0.005, 0.03, 0.2)] == [3.0, 2.5, 1.0, 0.0]
    assert sum(g["max"] for g in RULES["groups"]) == 100


def test_rules_are_chosen_by_effective_date(tmp_path):
    base = json.loads((index766.RULES_DIR / "2022-06-23.json").read_text(encoding="utf-8"))
    (tmp_path / "2022-06-23.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "2026-01-01.json").write_text(json.dumps({**base, "name": "newer"}), encoding="utf-8")
    assert index766.rules_for(dt.date(2025, 12, 31), tmp_path)["file"] == "2022-06-23.json"
    assert index766.rules_for(dt.date(2026, 1, 1), tmp_path)["name"] == "newer"
    with pytest.raises(Exception, match="no QĐ 766 rules"):
        index766.rules_for(dt.date(2020, 1, 1), tmp_path)


def test_manual_scores_are_checked_and_counted(tmp_path):
    db = demo_copy(tmp_path)
    clock, period = FixedClock(dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC)), parse_period(f"{YEAR}-Q4")
    with pytest.raises(InvalidInput, match="computed"):
        index766.set_manual_score(db, "H01", period, "2.1", 10, "iso", clock)
    with pytest.raises(InvalidInput, match="scores 0 to"):
        index766.set_manual_score(db, "H01", period, "4", 11, "iso", clock)
    before = {u.unit: u for u in index766.index766(db, period)}["H01"]
    index766.set_manual_score(db, "H01", period, "4", 2.0, "iso", clock, "sửa lại")
    after = {u.unit: u for u in index766.index766(db, period)}["H01"]
    assert after.groups["4"] == 2.0 and after.total == pytest.approx(before.total - before.groups["4"] + 2.0)
    assert not any(c.missing for c in after.criteria)
