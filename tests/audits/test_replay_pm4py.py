"""Our fitness figures against pm4py's published ones (shared/external/eventlogs/README.md).

Every log/model pair with a published figure is checked to 3 decimals: token-based replay
(% fitting traces, average trace fitness, log fitness) and, where published, alignment-based
fitness. The broken running example is also checked case by case.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from audits.alignments import Aligner
from audits.bpmn_to_petri import translate
from audits.eventlogs import read_log
from audits.petrinet import PetriNet, read_pnml
from audits.replay import TokenReplayer

DERIVED = "derived/running_example_inductive_pm4py-2.7.23.11.pnml"
NOTEBOOK = "running-example/notebook_running_example.csv"
BROKEN = "running-example/notebook_running_example_broken.csv"

# (log, model, TBR (% fit, average, log fitness), alignments (% fit, average, log fitness) or None)
# From the README: section A (pm4py's notebook 4) and "Baselines we computed" (pm4py 2.7.23.11).
PUBLISHED = [
    (NOTEBOOK, DERIVED, (100.0, 1.0, 1.0), None),
    (BROKEN, DERIVED, (16.666666666666668, 0.8077731092436974, 0.8156108597285068),
     (16.666666666666668, 0.8446623093681916, 0.843731055042718)),
    ("running-example/running-example.xes", "running-example/running-example.pnml", (100, 1.0, 1.0),
     (100, 1.0, 0.999979167)),
    ("running-example/running-example.xes", "running-example/running-example.bpmn", (100, 1.0, 1.0),
     (100, 1.0, 0.999970834)),
    ("roadtraffic/roadtraffic100traces.xes", "roadtraffic/roadtraffic.pnml", (100, 1.0, 1.0),
     (100, 1.0, 0.999806751)),
    ("receipt/receipt.csv", "receipt/receipt.bpmn", (100, 1.0, 1.0), (100, 1.0, 0.999472121)),
    ("receipt/receipt.csv", "receipt/receipt_one_variant.pnml", (53.208, 0.88583, 0.90362), None),
    ("synthetic-a12/a12f0n00.xes.gz", "synthetic-a12/a12.pnml", (100, 1.0, 1.0), (100, 1.0, 0.999991686)),
    ("synthetic-a12/a12f0n05.xes.gz", "synthetic-a12/a12.pnml", (96.6, 0.99351, 0.99478), (96.6, 0.99367, 0.99416)),
    ("synthetic-a12/a12f0n10.xes.gz", "synthetic-a12/a12.pnml", (91.0, 0.98021, 0.98571), (91.0, 0.97915, 0.98208)),
    ("synthetic-a12/a12f0n20.xes.gz", "synthetic-a12/a12.pnml", (79.3, 0.95765, 0.96735), (79.3, 0.95670, 0.96173)),
    ("synthetic-a12/a12f0n50.xes.gz", "synthetic-a12/a12.pnml", (50.0, 0.89405, 0.91254), (50.0, 0.88958, 0.89912)),
]
IDS = [f"{Path(log).name}~{Path(model).name}" for log, model, _, _ in PUBLISHED]


@cache
def _log(root: Path, name: str) -> tuple[tuple[str, ...], ...]:
    return tuple(t.activities for t in read_log(root / name))


@cache
def _net(root: Path, name: str) -> PetriNet:
    path = root / name
    return translate(path.read_bytes()).net if name.endswith(".bpmn") else read_pnml(path)


def _same(ours: tuple[float, float, float], published: tuple[float, float, float]) -> None:
    assert [round(x, 3) for x in ours] == [round(x, 3) for x in published]


@pytest.mark.parametrize("log, model, tbr, _", PUBLISHED, ids=IDS)
def test_token_based_replay_matches_pm4py(eventlogs, log, model, tbr, _):
    result = TokenReplayer(_net(eventlogs, model)).replay_log(_log(eventlogs, log))
    _same((result.perc_fit_traces, result.average_trace_fitness, result.log_fitness), tbr)


@pytest.mark.parametrize("log, model, _, aligned", [p for p in PUBLISHED if p[3]],
                         ids=[i for i, p in zip(IDS, PUBLISHED, strict=True) if p[3]])
def test_alignment_fitness_matches_pm4py(eventlogs, log, model, _, aligned):
    result = Aligner(_net(eventlogs, model)).align_log(_log(eventlogs, log))
    assert all(a is not None for a in result.alignments)
    _same((result.perc_fit_traces, result.average_trace_fitness, result.log_fitness), aligned)


def test_broken_log_token_counts_case_by_case(eventlogs):
    # README: missing / consumed / remaining / produced per case 1…6 (pm4py 2.7.23.11).
    expected = {"1": (2, 7, 1, 6), "2": (1, 6, 2, 7), "3": (2, 8, 2, 8), "4": (0, 9, 0, 9),
                "5": (4, 17, 2, 15), "6": (1, 5, 2, 6)}
    replayer = TokenReplayer(_net(eventlogs, DERIVED))
    for trace in read_log(eventlogs / BROKEN):
        r = replayer.replay(trace.activities)
        assert (r.missing, r.consumed, r.remaining, r.produced) == expected[trace.case_id], trace.case_id
        assert r.fit == (trace.case_id == "4")
    assert "decide something" in replayer.replay(_by_case(eventlogs)["6"]).unknown


def test_broken_log_alignments_case_by_case(eventlogs):
    # README: fitness / cost / bwc of pm4py.conformance_diagnostics_alignments, cases 1…6.
    expected = {"1": (0.8889, 10002, 90002), "2": (0.8889, 10002, 90002), "3": (0.8, 20002, 100002),
                "4": (1.0, 2, 100002), "5": (0.8235294117647058, 30004, 170002),
                "6": (0.6666666666666667, 30002, 90002)}
    aligner = Aligner(_net(eventlogs, DERIVED))
    for case, activities in _by_case(eventlogs).items():
        a = aligner.align(activities)
        fitness, cost, bwc = expected[case]
        assert (round(a.fitness, 4), a.cost, a.bwc) == (round(fitness, 4), cost, bwc), case


def _by_case(root: Path) -> dict[str, tuple[str, ...]]:
    return {t.case_id: t.activities for t in read_log(root / BROKEN)}
