"""Backtest: fit on the cases that began before a split instant, simulate after it, compare with what happened.

The same figures are computed from the real traces and from the simulated dossiers, with the same
definitions (count from the first step's completion, pauses for the applicant excluded, working time
on the same axis), so a difference is the model's, not the bookkeeping's.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .axis import TimeAxis
from .fit import PAUSES, Fit, Roster, Trace, covered, due_of, fit_traces, recency_copies
from .graph import FlowGraph
from .model import Scenario, simulate
from .results import quantile


@dataclass
class Figures:
    """Throughput of the dossiers received in a period (working days) and how many were on time."""

    dossiers: int
    median_days: float | None
    p90_days: float | None
    within: float | None  # share answered within `limit_days`
    on_time_rate: float | None  # share answered by the procedure's own deadline (None without one)


def _figures(times: list[float], late: list[bool], limit_days: float) -> Figures:
    return Figures(len(times), quantile(times, 0.5), quantile(times, 0.9),
                   sum(1 for t in times if t <= limit_days) / len(times) if times else None,
                   1 - sum(late) / len(late) if late else None)


def actual(graph: FlowGraph, traces: Sequence[Trace], axis: TimeAxis, limit_days: float, end: float) -> Figures:
    """What happened to the traces: throughput from the first step's completion to the last, pauses excluded."""
    times, late = [], []
    for trace in traces:
        if not trace.events:
            continue
        counted = axis.start_of_count(trace.events[0].completed)
        previous, paused = trace.received, 0.0
        for e in trace.events:
            node = graph.nodes.get(e.step)
            if node is not None and node.sla in PAUSES:
                paused += e.completed - (e.opened if e.opened is not None else previous)
            previous = e.completed
        finished = min(trace.finished if trace.finished is not None else end, end)
        times.append(axis.working_days(max(0.0, finished - counted - paused)))
        due = due_of(graph, axis, counted)
        if due is not None:
            late.append(finished > due + paused)
    return _figures(times, late, limit_days)


def predict(graphs: Mapping[str, FlowGraph], train: Mapping[str, Sequence[Trace]], roster: Roster, axis: TimeAxis,
            split: float, end: float, limit_days: float, seeds: Sequence[int] = (1, 2, 3, 4, 5),
            warmup_days: int = 40, train_until: float | None = None,
            half_life_days: float | None = None, received_until: float | None = None,
            dependence: bool = True, repeats_apart: bool = True, overrun: bool = True) -> dict[str, Figures]:
    """Fit on `train` (received before `train_until`, default `split`), simulate the dossiers arriving in
    [split, end) and measure them like `actual` does. `half_life_days`: recent cases weigh more (fit.recency_copies).
    `received_until`: only the dossiers received before it are measured (still followed until `end`), for a
    log whose last weeks are still in flight when it was read. `dependence`, `repeats_apart`, `overrun`: the
    switches of fit_traces (a dossier's step durations correlated as in the log, second visits drawn from
    second visits, a drawn overrun overrunning the simulated dossier's due), to compare the model with and
    without each.

    The figures are the mean over several seeds (one run of a small procedure is noisy).
    """
    fits = fit_train(graphs, train, axis, split if train_until is None else train_until, half_life_days,
                     dependence=dependence, repeats_apart=repeats_apart, overrun=overrun)
    first_day, last_day = axis.day_index(split), axis.day_index(end - 1e-6)
    runs: dict[str, list[Figures]] = {c: [] for c in fits}
    cohort_end = end if received_until is None else min(end, received_until)
    for seed in seeds:
        run = simulate([Scenario(f, graphs[c]) for c, f in fits.items()], roster, axis, first_day, last_day, seed,
                       warmup_days)
        for code in fits:
            times, late = [], []
            for d in run.dossiers:
                if d.code != code or d.arrived >= cohort_end:
                    continue
                finished = min(d.finished if d.finished is not None else end, end)
                times.append(axis.working_days(max(0.0, finished - d.counted - d.paused)))
                if d.due is not None:
                    late.append(finished > d.due + d.paused)
            runs[code].append(_figures(times, late, limit_days))
    return {c: _mean(fs) for c, fs in runs.items()}


def fit_train(graphs: Mapping[str, FlowGraph], train: Mapping[str, Sequence[Trace]], axis: TimeAxis, until: float,
              half_life_days: float | None = None, dependence: bool = True, repeats_apart: bool = True,
              overrun: bool = True) -> dict[str, Fit]:
    """The fits `predict` simulates: each procedure of `train` (received before `until`), over the working days
    from the first dossier of any procedure to `until`; see predict for the switches."""
    period = covered(train.values(), axis, until)
    return {c: fit_traces(c, graphs[c], ts, axis, period,
                          recency_copies([t.received for t in ts], until, half_life_days, axis),
                          dependence=dependence, repeats_apart=repeats_apart, overrun=overrun)
            for c, ts in train.items() if ts}


def _mean(found: list[Figures]) -> Figures:
    def avg(values: list[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return statistics.fmean(kept) if kept else None

    return Figures(round(statistics.fmean(f.dossiers for f in found)), avg([f.median_days for f in found]),
                   avg([f.p90_days for f in found]), avg([f.within for f in found]),
                   avg([f.on_time_rate for f in found]))


@dataclass
class Check:
    """One compared figure and whether it is within its target."""

    label: str
    actual: float | None
    predicted: float | None
    target: str
    holds: bool | None


def compare(real: Figures, predicted: Figures, relative: float = 0.15, points: float = 0.03) -> list[Check]:
    """Median and p90 within ±15 %, shares within ±3 points (the targets of issue 18)."""
    def rel(label: str, a: float | None, p: float | None) -> Check:
        ok = None if a is None or p is None else (abs(p - a) <= relative * a if a else abs(p) < 1e-9)
        return Check(label, a, p, f"±{relative:.0%}", ok)

    def pts(label: str, a: float | None, p: float | None) -> Check:
        return Check(label, a, p, f"±{points * 100:.0f} điểm",
                     None if a is None or p is None else abs(p - a) <= points + 1e-9)

    return [rel("median", real.median_days, predicted.median_days), rel("p90", real.p90_days, predicted.p90_days),
            pts("within", real.within, predicted.within), pts("on_time", real.on_time_rate, predicted.on_time_rate)]


def loss(real: Figures, predicted: Figures, relative: float = 0.15, points: float = 0.03) -> float:
    """How far a prediction is from what happened, each figure in units of its target (≤ 1 each: within)."""
    parts = []
    for a, p in ((real.median_days, predicted.median_days), (real.p90_days, predicted.p90_days)):
        if a and p is not None:
            parts.append(abs(p - a) / (relative * a))
    if real.within is not None and predicted.within is not None:
        parts.append(abs(predicted.within - real.within) / points)
    return max(parts) if parts else float("inf")
