"""The simulation: dossiers arrive in working time, walk the flow, wait in role queues, finish or not.

Our own event loop on a heap, not SimPy (docs/simulation.md has the measurement): the model is one
kind of process (a dossier's token) and one kind of resource (a role's work-in-progress limit), so
SimPy's generators and resource requests added only overhead, and the district year must take
seconds. Time is office minutes on the axis (simulation.axis), so the loop never asks a calendar.

A role nobody holds is a queue with no capacity: dossiers reaching it wait there, the heap empties
and the loop ends. The result names the role as unstaffed; nothing waits for a server that never comes.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .axis import TimeAxis
from .dependence import pace, quantile_of
from .fit import PAUSES, Fit, Roster, due_of, pool_of
from .graph import FlowGraph

MAX_STEPS = 60  # a dossier looping longer than this stops (a loop whose way out was never seen in the log)
_ARRIVE, _DONE, _RESUME, _DAY = 0, 1, 2, 3


@dataclass
class Scenario:
    """One procedure in a simulation: the flow it runs (in force or a draft) and what was fitted for it."""

    fit: Fit
    graph: FlowGraph  # the flow simulated: fit.graph for the version in force, or a draft's
    arrivals_factor: float = 1.0


@dataclass
class Outcome:
    """One simulated dossier."""

    code: str
    arrived: float
    counted: float
    due: float | None
    finished: float | None = None
    paused: float = 0.0
    steps: int = 0

    def processing(self) -> float | None:
        """Office minutes from the start of the count to the answer, pauses excluded."""
        return None if self.finished is None else max(0.0, self.finished - self.counted - self.paused)

    def late(self, horizon: float) -> bool:
        """Answered after its due instant, or still open past it when the simulation ends."""
        if self.due is None:
            return False
        end = self.finished if self.finished is not None else horizon
        return end > self.due + self.paused


@dataclass
class Run:
    """Everything a simulation produced, for simulation.results to summarise."""

    axis: TimeAxis
    first_day: int
    last_day: int  # arrivals on working days first_day..last_day (the simulated period)
    horizon: float
    dossiers: list[Outcome] = field(default_factory=list)
    step_time: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (code, step) → [wait, work, visits]
    queue_days: dict[str, list[int]] = field(default_factory=dict)  # pool → queue length at each day's opening
    unstaffed: dict[str, int] = field(default_factory=dict)  # pool with no holder → dossiers stuck in it
    stuck: dict[tuple[str, str], int] = field(default_factory=dict)  # (code, step) → dossiers left waiting there
    capacity: dict[str, int] = field(default_factory=dict)
    queue_first: int = 0  # the working day queue_days starts on


class _Dossier:
    __slots__ = ("out", "scenario", "tokens", "joins", "received", "pace", "done")

    def __init__(self, out: Outcome, scenario: Scenario, dossier_pace: float | None = None) -> None:
        self.out, self.scenario, self.tokens, self.pace = out, scenario, 0, dossier_pace
        self.done: set[str] = set()  # steps already worked (a second visit draws from the log's second visits)
        self.joins: dict[str, int] = {}
        self.received = False  # the count starts when the first step (reception) is completed


def simulate(scenarios: Sequence[Scenario], roster: Roster, axis: TimeAxis, first_day: int, last_day: int,
             seed: int = 1, warmup_days: int = 0, progress: Callable[[int, int], None] | None = None) -> Run:
    """Simulate arrivals on working days first_day..last_day (after `warmup_days` of unreported ones).

    `progress(done, total)` hears of each simulated working day (a job's progress page).
    """
    rng = random.Random(seed)
    run = Run(axis, first_day, last_day, axis.end)
    heap: list[tuple[float, int, int, Any]] = []  # (when, order, kind, what)
    seq = 0
    pools = sorted({pool_of(n.roles) for s in scenarios for n in s.graph.steps.values() if n.sla not in PAUSES})
    caps = {p: roster.capacity(p) for p in pools}
    run.capacity = dict(caps)
    busy = dict.fromkeys(pools, 0)
    queues: dict[str, deque] = {p: deque() for p in pools}
    absent = _absence_table(roster, pools)
    unreceived: dict[int, _Dossier] = {}  # reported dossiers whose reception step is not done yet
    start_day = max(0, first_day - warmup_days)
    run.queue_first = start_day
    for i in range(start_day, min(last_day, len(axis.days) - 1) + 1):
        heapq.heappush(heap, (axis.days[i].offset, seq, _DAY, i))
        seq += 1
        for scenario in scenarios:
            for position in _arrivals(scenario, axis, i, rng):
                heapq.heappush(heap, (position, seq, _ARRIVE, (scenario, i >= first_day)))
                seq += 1

    def push(at: float, kind: int, payload: Any) -> None:
        nonlocal seq
        heapq.heappush(heap, (at, seq, kind, payload))
        seq += 1

    def start_work(pool: str, now: float) -> None:
        while queues[pool] and busy[pool] < caps[pool]:
            dossier, node, since = queues[pool].popleft()
            busy[pool] += 1
            out = dossier.out
            left = None if not dossier.received or out.due is None else out.due + out.paused - now
            again = node in dossier.done
            dossier.done.add(node)
            minutes = _duration(dossier.scenario, node, rng, left, dossier.pace, again)
            _account(run, dossier, node, now - since, minutes)
            push(now + minutes, _DONE, (dossier, node, pool))

    def enter(dossier: _Dossier, node_id: str, now: float) -> None:
        graph = dossier.scenario.graph
        stack = [node_id]
        while stack:
            nid = stack.pop()
            node = graph.nodes[nid]
            if node.kind == "step":
                dossier.out.steps += 1
                if dossier.out.steps > MAX_STEPS:
                    continue
                if node.sla in PAUSES:  # the applicant's turn: the clock stops, nobody's queue
                    minutes = _duration(dossier.scenario, nid, rng)
                    dossier.out.paused += minutes
                    dossier.tokens += 1
                    push(now + minutes, _RESUME, (dossier, nid))
                    continue
                pool = pool_of(node.roles)
                dossier.tokens += 1
                queues[pool].append((dossier, nid, now))
                start_work(pool, now)
                continue
            if node.kind == "end":
                continue
            if node.kind == "and" and nid in graph.joins:
                waited = dossier.joins.get(nid, 0) + 1
                if waited < graph.joins[nid]:
                    dossier.joins[nid] = waited
                    continue
                dossier.joins[nid] = 0
            outs = graph.out.get(nid, [])
            if node.kind == "and":
                stack.extend(outs)
            elif outs:
                stack.append(_choose(dossier.scenario.fit, nid, outs, rng))

    last = 0.0
    while heap:
        now, _, kind, payload = heapq.heappop(heap)
        last = now
        if kind == _DAY:
            day = payload
            if progress is not None:
                progress(day - start_day + 1, last_day - start_day + 1)
            for pool in pools:
                run.queue_days.setdefault(pool, []).append(len(queues[pool]))
                if absent:
                    caps[pool] = max(0, roster.capacity(pool) - absent.get((pool, day), 0))
                    start_work(pool, now)
            continue
        if kind == _ARRIVE:
            scenario, reported = payload
            # counted and due are known when the reception step is done (below); one never done: at the end
            out = Outcome(scenario.fit.code, now, now, None)
            dossier = _Dossier(out, scenario, pace(rng, scenario.fit.rho))
            if reported:
                run.dossiers.append(out)
                unreceived[id(dossier)] = dossier
            enter(dossier, scenario.graph.starts[0], now)
        else:
            if kind == _DONE:
                dossier, nid, pool = payload
                busy[pool] -= 1
                start_work(pool, now)
                if not dossier.received:  # received = the reception step done, as processes.reception counts
                    dossier.received = True
                    unreceived.pop(id(dossier), None)
                    out = dossier.out
                    out.counted = axis.start_of_count(now)
                    out.due = due_of(dossier.scenario.graph, axis, out.counted)
            else:
                dossier, nid = payload
            dossier.tokens -= 1
            if dossier.scenario.graph.out.get(nid):
                enter(dossier, _next_of(dossier, nid, rng), now)
        if dossier.tokens == 0 and dossier.out.finished is None:
            dossier.out.finished = now
    run.horizon = max(last, axis.end)
    for dossier in unreceived.values():  # never received: counted from its arrival
        out = dossier.out
        out.counted = axis.start_of_count(out.arrived)
        out.due = due_of(dossier.scenario.graph, axis, out.counted)
    for pool, waiting in queues.items():
        if waiting and caps.get(pool, 0) == 0:
            run.unstaffed[pool] = len(waiting)
        for dossier, nid, _since in waiting:
            key = (dossier.out.code, nid)
            run.stuck[key] = run.stuck.get(key, 0) + 1
    for pool in pools:
        if roster.capacity(pool) == 0:
            run.unstaffed.setdefault(pool, 0)
    return run


def _next_of(dossier: _Dossier, nid: str, rng: random.Random) -> str:
    """Where a token goes after a step: its one outgoing flow (several: chosen like a gateway)."""
    outs = dossier.scenario.graph.out[nid]
    return outs[0] if len(outs) == 1 else _choose(dossier.scenario.fit, nid, outs, rng)


def _choose(fit: Fit, gateway: str, outs: list[str], rng: random.Random) -> str:
    """A branch drawn with the probabilities seen in the log; a gateway the log never saw takes its default."""
    probs = fit.branches.get(gateway)
    if probs:
        known = [(o, probs[o]) for o in outs if o in probs]
        if known:
            x = rng.random() * sum(p for _, p in known)
            for target, p in known:
                x -= p
                if x <= 0:
                    return target
            return known[-1][0]
    return outs[0]


def _duration(scenario: Scenario, step: str, rng: random.Random, left: float | None = None,
              dossier_pace: float | None = None, again: bool = False) -> float:
    """A duration drawn from the log; a draft's changed limit scales it, a new step uses its limit.

    `left`: office minutes before the dossier is due. An officer who kept to the schedule in the drawn
    record keeps to it here too (at most the step's usual share of the time left); one who overran the
    dossier's due overruns it here too, by as many office minutes past it as in the record (Fit.overrun).
    `dossier_pace`: the dossier's pace (simulation.dependence; None: this step drawn on its own).
    `again`: the dossier has done this step before (drawn from the step's second visits when the log has them).
    """
    fit, node = scenario.fit, scenario.graph.nodes[step]
    repeated = fit.repeats.get(step) if again else None
    seen = repeated or fit.durations.get(step)
    old = fit.graph.nodes.get(step)
    if seen:
        k = int((rng.random() if dossier_pace is None else quantile_of(rng, fit.rho, dossier_pace)) * len(seen))
        minutes = seen[k]
        # Officers work to the time allowed: a limit halved in the draft halves the time they take.
        if old is not None and old.limit_minutes and node.limit_minutes and old.limit_minutes != node.limit_minutes:
            minutes *= node.limit_minutes / old.limit_minutes
        shares = fit.repeat_shares.get(step) if repeated else fit.shares.get(step)
        if left is not None and left > 0 and shares:
            if shares[k] <= 1:
                minutes = min(minutes, fit.caps.get(step, 1.0) * left)
            elif fit.overrun and shares[k] < math.inf:
                # past the dossier's due by so much in the log (a changed limit scales the minutes first; an
                # overrun that the new limit brings back within the time the record had is no overrun)
                past = minutes - seen[k] / shares[k]
                if past > 0:
                    minutes = max(minutes, left + past)
        return minutes
    ratios = _limit_use(fit)
    if node.limit_minutes and ratios:
        return node.limit_minutes * ratios[int(rng.random() * len(ratios))]
    return node.limit_minutes * 0.5


def _limit_use(fit: Fit) -> list[float]:
    """How much of their limit steps took in the log (for a step the log never saw)."""
    cached = getattr(fit, "_limit_use", None)
    if cached is None:
        cached = [m / n.limit_minutes for s, n in fit.graph.steps.items() if n.limit_minutes and n.sla not in PAUSES
                  for m in (*fit.durations.get(s, ()), *fit.repeats.get(s, ()))]
        fit._limit_use = cached  # type: ignore[attr-defined]
    return cached


def _account(run: Run, dossier: _Dossier, step: str, wait: float, work: float) -> None:
    key = (dossier.out.code, step)
    entry = run.step_time.get(key)
    if entry is None:
        run.step_time[key] = entry = [0.0, 0.0, 0.0]
    entry[0] += wait
    entry[1] += work
    entry[2] += 1


def _arrivals(scenario: Scenario, axis: TimeAxis, day: int, rng: random.Random) -> list[float]:
    wd = axis.days[day]
    fit = scenario.fit
    rate = fit.month_rates.get(wd.day.month, 0.0) * fit.weekday.get(wd.day.weekday(), 0.0) * scenario.arrivals_factor
    n = _poisson(rate, rng)
    fractions = fit.day_fractions
    return sorted(wd.offset + fractions[int(rng.random() * len(fractions))] * wd.minutes for _ in range(n))


def _poisson(rate: float, rng: random.Random) -> int:
    if rate <= 0:
        return 0
    if rate > 30:  # normal approximation: Knuth's product would underflow and crawl
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, k, p = math.exp(-rate), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _absence_table(roster: Roster, pools: Sequence[str]) -> Mapping[tuple[str, int], int]:
    table: dict[tuple[str, int], int] = {}
    for a in roster.absences:
        if a.pool in pools:
            for day in range(a.first, a.last + 1):
                lost = max(1, round(a.holders * roster.per_holder.get(a.pool, 1.0)))
                table[(a.pool, day)] = table.get((a.pool, day), 0) + lost
    return table
