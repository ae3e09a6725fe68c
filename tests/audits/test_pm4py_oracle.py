"""Cross-check with pm4py itself on noisy random traces (runs only where pm4py is installed).

pm4py is AGPL-3.0: it is never a dependency of quytrinh, only an optional oracle for this test.
The published figures (test_replay_pm4py) are the primary reference; this test widens the net to
quytrinh's own procedures and to traces nobody published figures for.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from audits.alignments import Aligner
from audits.bpmn_to_petri import translate
from audits.petrinet import PetriNet, read_pnml
from audits.replay import TokenReplayer

pm4py = pytest.importorskip("pm4py")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _to_pm4py(net: PetriNet):
    from pm4py.objects.petri_net.obj import Marking
    from pm4py.objects.petri_net.obj import PetriNet as PmNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    pm = PmNet("oracle")
    places = {name: PmNet.Place(name) for name in net.places}
    trans = {name: PmNet.Transition(name, t.label) for name, t in net.transitions.items()}
    pm.places.update(places.values())
    pm.transitions.update(trans.values())
    for t, ins in net.pre.items():
        for p, w in ins.items():
            add_arc_from_to(places[p], trans[t], pm, weight=w)
    for t, outs in net.post.items():
        for p, w in outs.items():
            add_arc_from_to(trans[t], places[p], pm, weight=w)
    initial = Marking({places[p]: n for p, n in net.initial.items()})
    return pm, initial, Marking({places[p]: n for p, n in net.final.items()})


def _random_traces(net: PetriNet, count: int, seed: int) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    labels = sorted(net.labels())
    traces = []
    while len(traces) < count:
        marking, run = dict(net.initial), []
        for _ in range(60):
            enabled = net.enabled(marking)
            if not enabled:
                break
            t = rng.choice(enabled)
            marking = net.fire(t, marking)
            if net.transitions[t].label:
                run.append(net.transitions[t].label)
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            op = rng.choice("dis") if run else "i"
            k = rng.randrange(len(run) + (op == "i")) if run or op == "i" else 0
            if op == "d":
                del run[k]
            elif op == "i":
                run.insert(k, rng.choice(labels + ["not in model"]))
            elif k + 1 < len(run):
                run[k], run[k + 1] = run[k + 1], run[k]
        traces.append(tuple(run))
    return traces


def _nets() -> dict[str, PetriNet]:
    nets = {f.stem: translate(f.read_bytes(), label_by="id").net for f in sorted((ROOT / "bpmn").glob("*.bpmn"))}
    external = ROOT.parent / "shared" / "external" / "eventlogs"
    for name in ("synthetic-a12/a12.pnml", "roadtraffic/roadtraffic.pnml",
                 "derived/running_example_inductive_pm4py-2.7.23.11.pnml", "running-example/running-example.pnml"):
        if (external / name).is_file():
            nets[Path(name).stem] = read_pnml(external / name)
    if (external / "running-example/running-example.bpmn").is_file():
        nets["running-example.bpmn"] = translate((external / "running-example/running-example.bpmn").read_bytes()).net
    return nets


NETS = _nets()


@pytest.mark.parametrize("name", sorted(NETS))
def test_token_counts_equal_pm4py(name):
    from pm4py.algo.conformance.tokenreplay.variants import token_replay
    from pm4py.objects.log.obj import Event, EventLog, Trace

    net = NETS[name]
    traces = _random_traces(net, 150, seed=len(name))
    log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
    theirs = token_replay.apply(log, *_to_pm4py(net), parameters={"show_progress_bar": False})
    ours = TokenReplayer(net)
    differ = []
    for trace, res in zip(traces, theirs, strict=True):
        r = ours.replay(trace)
        mine = (r.missing, r.consumed, r.remaining, r.produced, r.fit)
        pm = (res["missing_tokens"], res["consumed_tokens"], res["remaining_tokens"], res["produced_tokens"],
              res["trace_is_fit"])
        if mine != pm:
            differ.append((trace, mine, pm))
    assert not differ, differ[:5]


@pytest.mark.parametrize("name", sorted(NETS))
def test_alignment_costs_equal_pm4py(name):
    from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
    from pm4py.objects.log.obj import Event, EventLog, Trace

    net = NETS[name]
    traces = _random_traces(net, 60, seed=len(name) + 1)
    log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
    theirs = alignments.apply(log, *_to_pm4py(net), parameters={"show_progress_bar": False})
    aligner = Aligner(net)
    for trace, res in zip(traces, theirs, strict=True):
        a = aligner.align(trace)
        assert (a.cost, a.bwc, a.fitness) == (res["cost"], res["bwc"], res["fitness"]), trace
