"""Optimal alignments: moves and costs on small nets, optimality against plain Dijkstra, budgets."""

from __future__ import annotations

import random

import pytest

from audits.alignments import DEVIATION, SILENT, Aligner
from audits.bpmn_to_petri import translate
from audits.petrinet import PetriNet


def sequence_net(*labels: str, optional: str | None = None) -> PetriNet:
    """source → labels[0] → … → sink; `optional` can be skipped by a silent transition."""
    net = PetriNet("seq")
    places = [net.add_place(f"p{i}") for i in range(len(labels) + 1)]
    for i, label in enumerate(labels):
        net.add_transition(f"t{i}", label)
        net.add_arc(places[i], f"t{i}")
        net.add_arc(f"t{i}", places[i + 1])
        if label == optional:
            net.add_transition(f"skip{i}", None)
            net.add_arc(places[i], f"skip{i}")
            net.add_arc(f"skip{i}", places[i + 1])
    net.initial, net.final = {"p0": 1}, {places[-1]: 1}
    return net


def kinds(alignment) -> list[tuple[str, str | None]]:
    return [(m.kind, m.activity or m.label) for m in alignment.moves]


def test_a_fitting_trace_is_all_synchronous():
    a = Aligner(sequence_net("a", "b", "c")).align(["a", "b", "c"])
    assert kinds(a) == [("sync", "a"), ("sync", "b"), ("sync", "c")]
    assert (a.cost, a.deviations, a.fitness, a.fits) == (0, 0, 1.0, True)
    assert a.bwc == 3 * DEVIATION + 3 * DEVIATION


def test_missing_and_extra_events_are_model_and_log_moves():
    aligner = Aligner(sequence_net("a", "b", "c"))
    skipped = aligner.align(["a", "c"])
    assert kinds(skipped) == [("sync", "a"), ("model", "b"), ("sync", "c")]
    assert skipped.fitness == pytest.approx(1 - 1 / (2 + 3))
    extra = aligner.align(["a", "b", "x", "c"])
    assert kinds(extra) == [("sync", "a"), ("sync", "b"), ("log", "x"), ("sync", "c")]
    assert extra.cost == DEVIATION and extra.fitness == pytest.approx(1 - 1 / (4 + 3))


def test_silent_moves_cost_one_and_count_in_log_fitness_only():
    aligner = Aligner(sequence_net("a", "b", "c", optional="b"))
    a = aligner.align(["a", "c"])
    assert kinds(a) == [("sync", "a"), ("silent", None), ("sync", "c")]
    assert (a.cost, a.deviations, a.fitness) == (SILENT, 0, 1.0)
    assert aligner.best_worst_cost() == 2 * DEVIATION + SILENT
    log = aligner.align_log([["a", "c"], ["a", "b", "c"]])
    assert log.perc_fit_traces == 100.0 and log.average_trace_fitness == 1.0
    # Σ bwc = (2 + 3 events) × 10,000 + 2 × the cheapest model run (2 visible + 1 silent).
    assert log.log_fitness == pytest.approx(1 - SILENT / (5 * DEVIATION + 2 * (2 * DEVIATION + SILENT)), abs=1e-12)


def test_a_prefix_need_not_reach_the_end_and_prefers_a_skip_to_dropping_an_event():
    aligner = Aligner(sequence_net("a", "b", "c", "d"))
    assert aligner.align(["a", "b"], prefix=True).fits
    assert not aligner.align(["a", "b"]).fits
    assert kinds(aligner.align(["a", "c"], prefix=True)) == [("sync", "a"), ("model", "b"), ("sync", "c")]


def test_parallel_branches_accept_both_orders():
    net = translate(b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p">
<startEvent id="s"/><parallelGateway id="split"/><task id="a" name="A"/><task id="b" name="B"/>
<parallelGateway id="join"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="split"/><sequenceFlow id="f2" sourceRef="split" targetRef="a"/>
<sequenceFlow id="f3" sourceRef="split" targetRef="b"/><sequenceFlow id="f4" sourceRef="a" targetRef="join"/>
<sequenceFlow id="f5" sourceRef="b" targetRef="join"/><sequenceFlow id="f6" sourceRef="join" targetRef="e"/>
</process></definitions>""").net
    aligner = Aligner(net)
    assert aligner.align(["A", "B"]).fits and aligner.align(["B", "A"]).fits
    assert aligner.align(["A"]).deviations == 1 and aligner.align(["A", "A", "B"]).deviations == 1


def _noisy(labels: list[str], run: list[str], rng: random.Random) -> list[str]:
    run = list(run)
    for _ in range(rng.randrange(4)):
        k = rng.randrange(len(run) + 1)
        if rng.random() < 0.5 and run:
            del run[min(k, len(run) - 1)]
        else:
            run.insert(k, rng.choice(labels))
    return run


def test_a_star_costs_equal_plain_dijkstra_on_noisy_traces(xd01_xml):
    # The heuristic must never overestimate: A* and Dijkstra agree on every optimal cost.
    net = translate(xd01_xml, label_by="id").net
    labels = sorted(net.labels())
    rng = random.Random(11)
    fast, slow = Aligner(net), Aligner(net, heuristic=False)
    runs = [["Task_TiepNhan", "Task_ThamDinh", "Task_XemXet", "Task_KyGiayPhep", "Task_VaoSoDongDau",
             "Task_TraKetQua"], ["Task_TiepNhan", "Task_ThamDinh", "Task_TiepNhanBoSung", "Task_ThamDinh",
                                 "Task_XacNhanTuChoi", "Task_TraTuChoi"]]
    for _ in range(80):
        trace = _noisy(labels, rng.choice(runs), rng)
        for prefix in (False, True):
            a, b = fast.align(trace, prefix), slow.align(trace, prefix)
            assert a.cost == b.cost, (trace, prefix)
            assert a.visited <= b.visited


def test_the_state_budget_gives_up_cleanly():
    aligner = Aligner(sequence_net(*"abcdefgh"), max_states=3)
    assert aligner.align(list("hgfedcba")) is None
    log = aligner.align_log([list("hgfedcba")])
    assert log.alignments == [None] and log.aligned == [] and log.log_fitness == 0.0


def test_an_unbounded_net_is_aligned_without_a_complete_state_space():
    # b may fire again and again, each time leaving a token in `junk`: infinitely many markings,
    # and a run that does b can never end in exactly the final marking.
    net = PetriNet("unbounded")
    for p in ("p0", "p1", "p2", "junk"):
        net.add_place(p)
    for t, ins, outs in (("a", ["p0"], ["p1"]), ("b", ["p1"], ["p1", "junk"]), ("c", ["p1"], ["p2"])):
        net.add_transition(t, t)
        for p in ins:
            net.add_arc(p, t)
        for p in outs:
            net.add_arc(t, p)
    net.initial, net.final = {"p0": 1}, {"p2": 1}
    aligner = Aligner(net, max_markings=50)
    assert not aligner.space.complete
    assert kinds(aligner.align(["a", "b", "c"])) == [("sync", "a"), ("log", "b"), ("sync", "c")]


def choice_net() -> PetriNet:
    """Either a → b → c, or b alone: the trace b c is one deviation away from both."""
    net = PetriNet("choice")
    for p in ("p0", "p1", "p2", "p3"):
        net.add_place(p)
    for t, label, before, after in (("ta", "a", "p0", "p1"), ("tb", "b", "p1", "p2"), ("tc", "c", "p2", "p3"),
                                    ("tb2", "b", "p0", "p3")):
        net.add_transition(t, label)
        net.add_arc(before, t)
        net.add_arc(t, after)
    net.initial, net.final = {"p0": 1}, {"p3": 1}
    return net


@pytest.mark.parametrize("heuristic", [True, False])
def test_equal_costs_name_the_skipped_step_not_an_unexpected_one(heuristic):
    # 'a was skipped' and 'c was not called for' cost the same; a person names the skipped first step.
    from audits.deviations import SKIPPED, control_flow_deviations

    a = Aligner(choice_net(), heuristic=heuristic).align(["b", "c"])
    assert kinds(a) == [("model", "a"), ("sync", "b"), ("sync", "c")]
    assert a.cost == DEVIATION  # the tie-break does not change the cost (pm4py's figures stay)
    assert [(d.kind, d.activity) for d in control_flow_deviations(a, {"a", "b", "c"})] == [(SKIPPED, "a")]
