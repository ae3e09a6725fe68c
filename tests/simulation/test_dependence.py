"""A dossier's step durations are correlated as in the log, and every step keeps its own distribution."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics

from simulation.backtest import actual, predict
from simulation.dependence import normal_scores, pace
from simulation.fit import Event, Roster, Trace, fit_traces
from simulation.graph import read_graph
from simulation.model import Scenario, _duration

from .flows import RETURNED, axis, bpmn, walked

STEPS = {"Task_Nhan": 240.0, "Task_XemXet": 480.0, "Task_Ky": 240.0}  # typical office minutes of each step
LOADING = 0.8  # log-durations: 0.8 × the dossier's own pace + 0.6 × the step's own noise → ρ = 0.64


def _no_deadline() -> str:
    return bpmn().replace('<camunda:property name="deadline" value="P3D" />', "")


def _log(ax, count: int = 600, loading: float = LOADING, seed: int = 11) -> list[Trace]:
    """Dossiers of 2025 whose steps are all slow or all quick together (a per-dossier factor)."""
    rng = random.Random(seed)
    days = ax.index_of_date(dt.date(2026, 1, 1))
    out = []
    for k in range(count):
        wd = ax.days[rng.randrange(days - 40)]
        t = wd.offset + rng.random() * wd.minutes * 0.3
        factor, events = rng.gauss(0, 1), []
        for step, typical in STEPS.items():
            minutes = typical * math.exp(loading * factor + math.sqrt(1 - loading ** 2) * rng.gauss(0, 1))
            events.append(Event(step, t + minutes, t, "u"))
            t += minutes
        out.append(Trace(str(k), events[0].opened or 0.0, tuple(events), "done", t))
    return out


def _spearman(a: list[float], b: list[float]) -> float:
    return statistics.correlation(normal_scores(a), normal_scores(b))


def test_the_fit_finds_how_strongly_a_dossiers_steps_go_together():
    ax = axis()
    graph = read_graph(_no_deadline())
    assert abs(fit_traces("QT-T-01", graph, _log(ax), ax).rho - LOADING ** 2) < 0.08
    assert fit_traces("QT-T-01", graph, _log(ax, loading=0.0), ax).rho < 0.08  # independent steps: about none
    assert fit_traces("QT-T-01", graph, _log(ax), ax, dependence=False).rho == 0.0


def test_correlated_draws_keep_each_steps_durations_and_the_dossiers_correlation():
    ax = axis()
    graph = read_graph(_no_deadline())
    log = _log(ax)
    fit = fit_traces("QT-T-01", graph, log, ax)
    scenario, rng = Scenario(fit, graph), random.Random(5)
    drawn: dict[str, list[float]] = {s: [] for s in STEPS}
    for _ in range(4000):
        p = pace(rng, fit.rho)
        for step in STEPS:
            drawn[step].append(_duration(scenario, step, rng, None, p))
    seen = {s: [e.completed - (e.opened or 0.0) for t in log for e in t.events if e.step == s] for s in STEPS}
    for step in STEPS:  # the same distribution as the log's, quartile by quartile
        for q in (0.25, 0.5, 0.75, 0.9):
            ours, theirs = statistics.quantiles(drawn[step], n=20), statistics.quantiles(seen[step], n=20)
            k = int(q * 20) - 1
            assert abs(ours[k] - theirs[k]) <= 0.12 * theirs[k], (step, q)
    # steps of one dossier go together as much as in the log (rank correlation, 0.64 by construction)
    for a, b in (("Task_Nhan", "Task_XemXet"), ("Task_XemXet", "Task_Ky")):
        assert abs(_spearman(drawn[a], drawn[b]) - _spearman(seen[a], seen[b])) < 0.08


def test_a_simulated_year_has_the_logs_spread_of_whole_dossier_times():
    ax = axis()
    graph = read_graph(_no_deadline())
    log = _log(ax)
    staff = Roster(dict.fromkeys(("mot_cua", "chuyen_vien_tp", "lanh_dao_phong_tp"), 1),
                   dict.fromkeys(("mot_cua", "chuyen_vien_tp", "lanh_dao_phong_tp"), 1000.0))  # nobody queues
    split, end = ax.at(dt.datetime(2026, 1, 1, tzinfo=ax.tz)), ax.at(dt.datetime(2026, 10, 1, tzinfo=ax.tz))
    cut = ax.at(dt.datetime(2026, 7, 1, tzinfo=ax.tz))
    real = actual(graph, log, ax, 5.0, ax.at(dt.datetime(2026, 1, 1, tzinfo=ax.tz)))
    both = {dep: predict({"QT-T-01": graph}, {"QT-T-01": log}, staff, ax, split, end, 5.0, seeds=(1, 2),
                         received_until=cut, dependence=dep)["QT-T-01"] for dep in (True, False)}
    assert real.p90_days is not None and both[True].p90_days is not None and both[False].p90_days is not None
    dep, alone = both[True], both[False]
    assert dep.p90_days is not None and alone.p90_days is not None
    assert dep.median_days is not None and alone.median_days is not None and real.median_days is not None
    assert abs(dep.median_days - real.median_days) <= 0.1 * real.median_days
    assert abs(dep.p90_days - real.p90_days) <= 0.1 * real.p90_days
    assert dep.within is not None and real.within is not None and abs(dep.within - real.within) <= 0.02
    # drawn on their own, a dossier's steps average out: the median too long, the long dossiers too rare
    assert alone.p90_days < 0.9 * real.p90_days and alone.within is not None and alone.within > real.within + 0.03


def test_a_step_done_again_in_the_same_dossier_takes_the_time_second_visits_took():
    ax = axis()
    graph = read_graph(bpmn())
    log = walked(ax, RETURNED)  # review 2 days, returned by the leader, reviewed again in an hour, signed
    fit = fit_traces("QT-T-01", graph, log, ax)
    assert fit.durations["Task_XemXet"] == [960.0] * 40 and fit.repeats["Task_XemXet"] == [60.0] * 40
    scenario, rng = Scenario(fit, graph), random.Random(1)
    assert {_duration(scenario, "Task_XemXet", rng, None, None, again) for again in (False, True)} == {960.0, 60.0}
    few = fit_traces("QT-T-01", graph, log[:3] + _log(ax, 50), ax)  # three second visits: drawn with the first
    assert "Task_XemXet" not in few.repeats and len(few.durations["Task_XemXet"]) == 56


def test_a_drawn_record_that_overran_the_dossiers_due_overruns_it_again():
    ax = axis()
    graph = read_graph(bpmn())  # deadline 3 working days (1,440 office minutes) from reception
    # the review took 4 working days: past the dossier's due by about a day
    log = walked(ax, (("Task_Nhan", 30.0), ("Task_XemXet", 1920.0), ("Task_Ky", 60.0)), every=3)
    late = fit_traces("QT-T-01", graph, log, ax)
    assert late.overrun and all(1 < s < math.inf for s in late.shares["Task_XemXet"])
    rng = random.Random(1)
    # with more time left than the record had (2,000 minutes), the officer still overruns the due
    assert _duration(Scenario(late, graph), "Task_XemXet", rng, 2000.0) > 2000.0 + 300.0
    kept = fit_traces("QT-T-01", graph, log, ax, overrun=False)
    assert _duration(Scenario(kept, graph), "Task_XemXet", rng, 2000.0) == 1920.0  # as before: on time here
