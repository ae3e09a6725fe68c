"""Second visits of a step and overruns of the dossier's due, through the fit, a draw and a simulated half-year."""

from __future__ import annotations

import datetime as dt
import random

from simulation.fit import Roster, fit_traces
from simulation.graph import read_graph
from simulation.model import Scenario, _duration, simulate

from .flows import RETURNED, axis, bpmn, returnable, walked


def test_a_file_sent_back_is_reviewed_again_in_the_time_second_reviews_took():
    ax = axis()
    graph = read_graph(returnable())
    fit = fit_traces("QT-T-01", graph, walked(ax, RETURNED), ax)
    assert fit.repeats["Task_XemXet"] == [60.0] * 40 and fit.branches["Gateway_Ky"] == {"End": 0.5,
                                                                                       "Task_XemXet": 0.5}
    pools = ("mot_cua", "chuyen_vien_tp", "lanh_dao_phong_tp")
    staff = Roster(dict.fromkeys(pools, 1), dict.fromkeys(pools, 1000.0))  # nobody queues
    first, last = ax.index_of_date(dt.date(2026, 1, 1)), ax.index_of_date(dt.date(2026, 7, 1)) - 1
    run = simulate([Scenario(fit, graph)], staff, ax, first, last, seed=3)
    wait, work, visits = run.step_time[("QT-T-01", "Task_XemXet")]
    dossiers = len(run.dossiers)
    assert dossiers > 80 and all(d.finished is not None for d in run.dossiers) and wait == 0.0
    # sent back one time in two (the log's branch choices): two reviews a dossier on average, the first one
    # 960 minutes, any later one 60, so about 1,020 minutes of review a dossier (1,920 if every review drew 960)
    assert 1.6 < visits / dossiers < 2.4
    assert 960 + 60 * 0.5 < work / dossiers < 960 + 60 * 1.5


def test_a_second_review_that_overran_the_dossiers_due_overruns_it_again():
    ax = axis()
    graph = read_graph(returnable())  # due 3 working days (1,440 office minutes) after reception
    late_again = tuple((s, 600.0) if k == 3 else (s, m) for k, (s, m) in enumerate(RETURNED))
    fit = fit_traces("QT-T-01", graph, walked(ax, late_again, every=3), ax)
    # the first review kept to the schedule (960 of the 1,440 minutes left), the second overran the due by 180
    assert set(fit.shares["Task_XemXet"]) == {960 / 1440} and set(fit.repeat_shares["Task_XemXet"]) == {600 / 420}
    scenario, rng = Scenario(fit, graph), random.Random(1)
    assert _duration(scenario, "Task_XemXet", rng, 420.0, None, again=True) == 600.0
    assert _duration(scenario, "Task_XemXet", rng, 1000.0, None, again=True) == 1180.0  # 180 minutes past the due
    assert _duration(scenario, "Task_XemXet", rng, 1440.0, None, again=False) == 960.0


def test_second_visits_folded_into_the_first_are_scored_as_themselves():
    ax = axis()
    graph = read_graph(bpmn())
    rng = random.Random(4)
    log = []
    for k in range(300):  # every visit of every step drawn on its own: no dependence within a dossier
        log += walked(ax, tuple((s, rng.expovariate(1 / typical)) for s, typical in RETURNED), count=1, first=k % 200)
    folded = fit_traces("QT-T-01", graph, log, ax, repeats_apart=False)
    assert not folded.repeats and len(folded.durations["Task_XemXet"]) == 600
    assert folded.rho == 0.0  # a second visit scored as the case's first visit would look perfectly correlated


def test_a_draft_limit_that_brings_an_overrun_back_within_the_records_time_is_no_overrun():
    ax = axis()
    log = walked(ax, (("Task_Nhan", 30.0), ("Task_XemXet", 1920.0), ("Task_Ky", 60.0)), every=3)
    fit = fit_traces("QT-T-01", read_graph(bpmn()), log, ax)  # the review overran its 1,440 minutes by 480
    assert set(fit.shares["Task_XemXet"]) == {1920 / 1440}
    rng = random.Random(1)
    assert _duration(Scenario(fit, fit.graph), "Task_XemXet", rng, 2000.0) == 2000.0 + 480.0
    # the draft halves the review's limit (2 days → 1): 960 minutes, within the 1,440 the record had
    assert _duration(Scenario(fit, read_graph(bpmn("P1D"))), "Task_XemXet", rng, 2000.0) == 960.0
    # given 3 days, the officer takes 2,880 minutes: past the record's time by 1,440, so past the due by as much
    assert _duration(Scenario(fit, read_graph(bpmn("P3D"))), "Task_XemXet", rng, 2000.0) == 2000.0 + 1440.0
