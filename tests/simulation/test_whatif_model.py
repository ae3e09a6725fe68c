"""The simulation model on an in-memory procedure: a draft's limits, the roster, the year's figures."""

from __future__ import annotations

import datetime as dt

from simulation.fit import Absence, Event, Roster, Trace, fit_traces
from simulation.graph import read_graph
from simulation.model import Scenario, simulate
from simulation.results import summarise

from .flows import PARALLEL, axis, bpmn, roster, traces


def _year(graph, fit, staff, ax):
    first, last = ax.index_of_date(dt.date(2026, 1, 1)), ax.index_of_date(dt.date(2026, 7, 1)) - 1
    return summarise(simulate([Scenario(fit, graph)], staff, ax, first, last, seed=5), graph)


def test_halving_the_bottleneck_steps_limit_raises_the_predicted_on_time_rate():
    ax = axis()
    current = read_graph(bpmn("P2D"))
    fit = fit_traces("QT-T-01", current, traces(ax), ax)
    before = _year(current, fit, roster(), ax)
    assert before.bottleneck is not None and before.bottleneck.step == "Task_XemXet"
    after = _year(read_graph(bpmn("P1D")), fit, roster(), ax)
    assert before.on_time_rate is not None and after.on_time_rate is not None
    assert before.on_time_rate < 0.85  # about a third of the reviews overrun the 3-day deadline
    assert after.on_time_rate > before.on_time_rate + 0.1
    assert after.median_days is not None and before.median_days is not None
    assert after.median_days < before.median_days


def test_removing_the_only_holder_of_a_role_reports_it_unstaffed_instead_of_hanging():
    ax = axis()
    graph = read_graph(bpmn())
    fit = fit_traces("QT-T-01", graph, traces(ax), ax)
    staff = roster().edited({"lanh_dao_phong_tp": -1})
    assert staff.capacity("lanh_dao_phong_tp") == 0
    result = _year(graph, fit, staff, ax)
    assert set(result.unstaffed) == {"lanh_dao_phong_tp"}
    assert result.unstaffed["lanh_dao_phong_tp"] == result.dossiers > 0
    assert result.finished == 0 and result.late == result.dossiers
    assert result.bottleneck is not None and result.bottleneck.step == "Task_Ky"


def test_fit_reads_durations_in_office_minutes_and_arrivals_per_working_day():
    ax = axis()
    fit = fit_traces("QT-T-01", read_graph(bpmn()), traces(ax, count=250), ax)
    assert fit.replayed == fit.cases == 250
    assert sorted({round(m) for m in fit.durations["Task_XemXet"]}) == [480, 1680]
    assert abs(sum(fit.month_rates.values()) / 12 - 1.0) < 0.15  # 250 dossiers over about 250 working days


def test_an_absence_without_a_stand_in_holds_the_work_back_for_those_days():
    ax = axis()
    graph = read_graph(bpmn())
    fit = fit_traces("QT-T-01", graph, traces(ax, overrun=0.0), ax)
    staff = roster()
    staff.holders["lanh_dao_phong_tp"], staff.per_holder["lanh_dao_phong_tp"] = 1, 1.0
    first = ax.index_of_date(dt.date(2026, 1, 1))
    away = roster()
    away.holders, away.per_holder = dict(staff.holders), dict(staff.per_holder)
    away.absences = [Absence("lanh_dao_phong_tp", first, first + 19)]  # the only leader away four weeks
    present, absent = _year(graph, fit, staff, ax), _year(graph, fit, away, ax)
    assert absent.unstaffed == {} and absent.finished == absent.dossiers  # they come back: nothing stuck
    assert absent.queues["lanh_dao_phong_tp"]["max"] > present.queues["lanh_dao_phong_tp"]["max"]
    assert absent.on_time_rate is not None and present.on_time_rate is not None
    assert absent.on_time_rate < present.on_time_rate


def test_parallel_branches_are_replayed_and_a_dossier_waits_for_both():
    ax = axis()
    graph = read_graph(PARALLEL)
    log = []
    for k in range(200):
        t = ax.days[k].offset + 60
        done = {"Task_Nhan": t + 30, "Task_A": t + 30 + 480, "Task_B": t + 30 + 960}
        order = ("Task_A", "Task_B") if k % 2 else ("Task_B", "Task_A")
        events = [Event("Task_Nhan", done["Task_Nhan"], t)] + [Event(s, done[s], done["Task_Nhan"]) for s in order]
        events.append(Event("Task_Ky", done["Task_B"] + 60, done["Task_B"]))
        log.append(Trace(str(k), t, tuple(sorted(events, key=lambda e: e.completed)), "done", done["Task_B"] + 60))
    fit = fit_traces("QT-P-01", graph, log, ax)
    assert fit.replayed == 200
    staff = Roster({p: 1 for p in ("mot_cua", "chuyen_vien_tp", "chuyen_vien_ktht", "lanh_dao_phong_tp")},
                   {p: 10.0 for p in ("mot_cua", "chuyen_vien_tp", "chuyen_vien_ktht", "lanh_dao_phong_tp")})
    result = _year(graph, fit, staff, ax)
    assert result.finished == result.dossiers > 0
    assert result.median_days is not None and 2.0 <= result.median_days <= 2.3  # the two-day branch, then 1 hour
    assert {s.step: s.visits for s in result.steps}["Task_Ky"] == result.dossiers  # signed once, after both


def test_recent_cases_weigh_more_when_the_log_drifts():
    from simulation.fit import recency_copies

    ax = axis()
    now = ax.at(dt.datetime(2025, 6, 2, 9, tzinfo=ax.tz))
    received = [now - 20 * ax.day_minutes, now - 10 * ax.day_minutes, now]
    assert recency_copies(received, now, 10, ax) == [4, 8, 16]  # half as much per half-life
    assert recency_copies(received, now, None, ax) == [1, 1, 1]
    ts = traces(ax, 50)
    fit = fit_traces("QT-T-01", read_graph(bpmn()), ts, ax, copies=[2] * 25 + [0] * 25)
    once = fit_traces("QT-T-01", read_graph(bpmn()), ts[:25], ax)
    assert {k: sorted(v) for k, v in fit.durations.items()} == {k: sorted(v * 2) for k, v in once.durations.items()}
    assert fit.cases == 50  # arrivals still count every dossier once


def test_a_rare_procedure_is_averaged_over_several_years_a_busy_agency_is_not():
    from simulation.whatif import replications

    assert replications(31, 650) == 10  # one year of 31 dossiers swung the on-time rate by 20 points
    assert replications(300, 650) == 2
    assert replications(5000, 50_000) == 1 and replications(31, 50_000) == 2  # the work budget


def test_a_backtest_can_leave_out_the_dossiers_still_in_flight_when_the_log_was_read():
    from simulation.backtest import predict

    ax = axis()
    graph = read_graph(bpmn())
    train = {"QT-T-01": traces(ax, 200, overrun=0.0)}
    split, end = ax.at(dt.datetime(2026, 1, 1, tzinfo=ax.tz)), ax.at(dt.datetime(2026, 7, 1, tzinfo=ax.tz))
    cut = ax.at(dt.datetime(2026, 6, 1, tzinfo=ax.tz))
    whole = predict({"QT-T-01": graph}, train, roster(), ax, split, end, 5.0, seeds=(1,))["QT-T-01"]
    cohort = predict({"QT-T-01": graph}, train, roster(), ax, split, end, 5.0, seeds=(1,),
                     received_until=cut)["QT-T-01"]
    # Only January to May is measured (about five of the six months' dossiers), followed to the end of June.
    assert 0.7 * whole.dossiers < cohort.dossiers < whole.dossiers
    assert cohort.within == 1.0
