"""Fit a simulation model from traces: arrivals, step durations, branch choices, pauses, capacity.

Pure: the traces come from quytrinh's database (simulation.fit_db) or from a log made elsewhere (the
Dutch municipal log of bench/what_if_backtest.py); every instant is already a position on the working-time
axis (simulation.axis), so every duration here is in office minutes on the agency's calendar.

Durations are *sojourn* times (opened → completed): an officer works many dossiers at once, and the
log cannot tell working from waiting inside a step. Queues therefore come from a limit on the work in
progress of a role — what its holders were seen carrying at a time (a high percentile of the open
steps per holder) — not from one dossier per person; see docs/simulation.md.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from engine.durations import parse_duration

from .axis import TimeAxis
from .dependence import fit_rho
from .graph import FlowGraph

PAUSES = ("supplement", "payment")  # steps that wait for the applicant (the dossier's clock stops)


@dataclass(frozen=True)
class Event:
    """One completed step of a case, as positions on the axis."""

    step: str
    completed: float
    opened: float | None = None  # None: when the case's previous step completed (logs without it)
    resource: str | None = None


@dataclass(frozen=True)
class Trace:
    """One case: when it was received, its completed steps in order, how it ended."""

    case: str
    received: float
    events: tuple[Event, ...]
    outcome: str | None = None
    finished: float | None = None  # when the dossier was answered (None: still open)


@dataclass(frozen=True)
class Absence:
    """Holders of a role away for some working days with nobody else to take their work."""

    pool: str
    first: int  # working-day index on the simulation axis
    last: int
    holders: int = 1


@dataclass
class Fit:
    """What a simulation needs to know about one procedure, fitted from its traces."""

    code: str
    graph: FlowGraph
    month_rates: dict[int, float]  # month → dossiers per working day
    weekday: dict[int, float]  # weekday → factor on the month's rate
    day_fractions: list[float]  # when in the office day dossiers arrive (0 opening, 1 closing)
    durations: dict[str, list[float]]  # step → office minutes from opened to completed
    branches: dict[str, dict[str, float]]  # gateway → next node → probability
    cases: int = 0
    replayed: int = 0  # traces the flow graph could follow to the end
    # step → for each duration, the share of the dossier's time left it took (nan: no deadline); same order
    shares: dict[str, list[float]] = field(default_factory=dict)
    caps: dict[str, float] = field(default_factory=dict)  # step → share of the time left on-schedule officers keep to
    rho: float = 0.0  # correlation of a dossier's step durations (normal scores; simulation.dependence), 0: independent
    repeats: dict[str, list[float]] = field(default_factory=dict)  # step → durations of its second and later visits
    repeat_shares: dict[str, list[float]] = field(default_factory=dict)
    overrun: bool = True  # a drawn record that overran the dossier's due overruns it here too (simulation.model)

    def supplement_rate(self) -> float:
        """Supplement (and payment) requests per dossier, from the fitted branch choices."""
        pauses = [s for s, n in self.graph.steps.items() if n.sla in PAUSES]
        visits = sum(len(self.durations.get(s, ())) for s in pauses)
        return visits / self.cases if self.cases else 0.0

    def response_days(self, axis: TimeAxis) -> float | None:
        """The median time applicants took to answer a supplement request, in working days."""
        found = [m for s, n in self.graph.steps.items() if n.sla in PAUSES for m in self.durations.get(s, ())]
        return axis.working_days(statistics.median(found)) if found else None


@dataclass
class Roster:
    """Who can do the work: holders per pool (a step's roles), work in progress each carries, absences."""

    holders: dict[str, int] = field(default_factory=dict)
    per_holder: dict[str, float] = field(default_factory=dict)
    absences: list[Absence] = field(default_factory=list)

    def edited(self, changes: Mapping[str, int]) -> Roster:
        """The roster with holders added (+1) or removed (-1) per role (never below zero)."""
        holders = dict(self.holders)
        for role, delta in changes.items():
            for pool in [p for p in holders if role in p.split(",")] or [role]:
                holders[pool] = max(0, holders.get(pool, 0) + delta)
        return Roster(holders, dict(self.per_holder), list(self.absences))

    def capacity(self, pool: str) -> int:
        """Dossiers a pool works at once (0: nobody holds the role)."""
        if not pool:
            return 1 << 30  # steps without a role are nobody's queue
        holders = self.holders.get(pool, 0)
        return 0 if holders <= 0 else max(1, round(holders * self.per_holder.get(pool, 1.0)))


def pool_of(roles: Sequence[str]) -> str:
    """The queue a step waits in: its roles (anyone holding one of them may take it)."""
    return ",".join(roles)


def fit_traces(code: str, graph: FlowGraph, traces: Sequence[Trace], axis: TimeAxis,
               period: tuple[int, int] | None = None, copies: Sequence[int] | None = None,
               dependence: bool = True, repeats_apart: bool = True, overrun: bool = True) -> Fit:
    """Fit arrivals, durations and branch choices of one procedure from its traces.

    `period`: the working days (first, last index on the axis) the log covers; a procedure with no
    dossier in some of them arrives less often (default: its own first to last arrival).
    `copies`: how many times each trace counts for durations and branch choices (recent cases weigh more
    when the way of working drifts, see recency_copies); arrivals always count each dossier once.
    `dependence`: fit the correlation of a dossier's step durations (False: each step drawn on its own).
    `repeats_apart`: a step's second visits in a case drawn from the log's second visits (False: with its first).
    `overrun`: see Fit.overrun (False: a drawn overrun keeps its minutes, whatever the time left, as before).
    Each step's durations are kept sorted (shares in the same order), so a quantile is an index.
    """
    durations: dict[str, list[float]] = defaultdict(list)
    shares: dict[str, list[float]] = defaultdict(list)
    repeats: dict[str, list[float]] = defaultdict(list)  # a step done again in the same case (after a return)
    repeat_shares: dict[str, list[float]] = defaultdict(list)
    choices: dict[str, Counter[str]] = defaultdict(Counter)
    replayed = 0
    visits: list[list[tuple[str, bool, int]]] = []  # per case, its office steps: (step, again, index)
    weights: list[int] = []
    for k, trace in enumerate(traces):
        times = 1 if copies is None else copies[k]
        if times <= 0:
            continue
        visited: list[tuple[str, bool, int]] = []
        visits.append(visited)
        weights.append(times)
        previous, paused = trace.received, 0.0
        due: float | None = None
        for event in trace.events:
            opened = event.opened if event.opened is not None else previous
            node = graph.nodes.get(event.step)
            if node is not None:
                minutes = max(0.0, event.completed - opened)
                office = node.sla not in PAUSES
                again = office and any(v[0] == event.step for v in visited)
                into, into_shares = (repeats, repeat_shares) if again else (durations, shares)
                if office:
                    visited.append((event.step, again, len(into[event.step])))
                into[event.step].extend([minutes] * times)
                left = None if due is None else due + paused - opened
                into_shares[event.step].extend(
                    [math.nan if left is None else (minutes / left if left > 0 else math.inf)] * times)
                if not office:
                    paused += minutes
            if due is None:  # the count starts when the first step (reception) is done
                due = due_of(graph, axis, axis.start_of_count(event.completed))
            previous = event.completed
        found = replay(graph, [e.step for e in trace.events], trace.outcome)
        if found is not None:
            replayed += 1
            for gateway, target in found:
                choices[gateway][target] += times
    branches = {g: {t: c / sum(counts.values()) for t, c in counts.items()} for g, counts in choices.items()}
    months, weekday, fractions = _arrivals([t.received for t in traces], axis, period)
    caps = {}
    for step, values in shares.items():
        kept = sorted(v for v in [*values, *repeat_shares.get(step, ())] if v <= 1)
        caps[step] = kept[int(0.95 * (len(kept) - 1))] if len(kept) >= 5 else 1.0
    keyed = _keep_repeats(durations, shares, repeats, repeat_shares, visits, repeats_apart)
    rho = fit_rho(keyed, {(s, False): v for s, v in durations.items()} | {(s, True): v for s, v in repeats.items()},
                  weights) if dependence else 0.0
    for lists, alongside in ((durations, shares), (repeats, repeat_shares)):
        for step, ordered in lists.items():  # sorted, shares alongside: a drawn quantile is an index
            order = sorted(range(len(ordered)), key=ordered.__getitem__)
            lists[step] = [ordered[i] for i in order]
            alongside[step] = [alongside[step][i] for i in order]
    return Fit(code, graph, months, weekday, fractions, dict(durations), branches, len(traces), replayed,
               dict(shares), caps, rho, dict(repeats), dict(repeat_shares), overrun)


MIN_REPEATS = 5  # cases that did a step again: fewer, and its second visits are drawn with its first


def _keep_repeats(durations: dict[str, list[float]], shares: dict[str, list[float]], repeats: dict[str, list[float]],
                  repeat_shares: dict[str, list[float]], visits: list[list[tuple[str, bool, int]]],
                  apart: bool) -> list[list[tuple[tuple[str, bool], int]]]:
    """Keep a step's second visits apart (a file examined again after a supplement or a return is quicker, or
    slower, than the first time) when enough cases show them; else, and for every step when not `apart`, fold
    them into its first visits. Returns each case's visits keyed ((step, again), index) into the kept lists."""
    cases = Counter(step for case in visits for step in {s for s, again, _ in case if again})
    folded = {s: len(durations[s]) for s in repeats if not apart or cases[s] < MIN_REPEATS}
    for step in folded:
        durations[step].extend(repeats.pop(step))
        shares[step].extend(repeat_shares.pop(step))
    return [[((s, False), folded[s] + i) if again and s in folded else ((s, again), i) for s, again, i in case]
            for case in visits]


def recency_copies(received: Sequence[float], now: float, half_life_days: float | None, axis: TimeAxis,
                   most: int = 16) -> list[int]:
    """How many times each case counts when a case `half_life_days` working days older than another counts half
    as much (None: every case once). The newest count `most` times; a case worth less than half a copy is left out."""
    if half_life_days is None:
        return [1] * len(received)
    return [round(most * 0.5 ** (axis.working_days(max(0.0, now - r)) / half_life_days)) for r in received]


def covered(traces: Iterable[Sequence[Trace]], axis: TimeAxis, until: float | None = None) -> tuple[int, int] | None:
    """The working days a log covers: from its first dossier to `until` (exclusive) or its last dossier."""
    received = [t.received for ts in traces for t in ts]
    if not received:
        return None
    end = axis.day_index(until - 1e-6) if until is not None else axis.day_index(max(received))
    return axis.day_index(min(received)), end


def due_of(graph: FlowGraph, axis: TimeAxis, counted: float) -> float | None:
    """The statutory due position of a dossier counted from `counted` (None without a deadline)."""
    found = _deadline((graph.deadline or "").strip(), graph.properties.get("deadline_kind") == "calendar")
    if found is None:
        return None
    if found[0] < 0:
        return axis.end_of_day(counted)
    return axis.add_days(counted, *found)


@lru_cache(maxsize=256)
def _deadline(text: str, calendar_days: bool) -> tuple[float, float] | None:
    """(working days, office minutes) of a deadline; days -1 for same_day; None without one."""
    if not text:
        return None
    if text == "same_day":
        return (-1.0, 0.0)
    try:
        d = parse_duration(text)
    except ValueError:
        return None
    # calendar days: about five working days a week
    return float(d.days) * (5 / 7 if calendar_days else 1.0), float(d.minutes)


def _arrivals(received: Iterable[float], axis: TimeAxis,
              period: tuple[int, int] | None) -> tuple[dict[int, float], dict[int, float], list[float]]:
    per_day: Counter[int] = Counter()
    fractions: list[float] = []
    for position in received:
        i = axis.day_index(position)
        per_day[i] += 1
        wd = axis.days[i]
        fractions.append(min(1.0, max(0.0, (position - wd.offset) / wd.minutes)))
    if not per_day:
        return {}, {}, [0.5]
    # Only the days the log covers: a log starting mid-year says nothing about the months before.
    first, last = period if period is not None else (min(per_day), max(per_day))
    span = range(first, last + 1)
    by_month: dict[int, list[int]] = defaultdict(list)
    by_weekday: dict[int, list[int]] = defaultdict(list)
    for i in span:
        by_month[axis.days[i].day.month].append(per_day[i])
        by_weekday[axis.days[i].day.weekday()].append(per_day[i])
    overall = sum(per_day.values()) / len(span)
    months = {m: sum(v) / len(v) for m, v in by_month.items()}
    for m in range(1, 13):  # months the log does not cover arrive at the average rate
        months.setdefault(m, overall)
    weekday = {d: (sum(v) / len(v)) / overall if overall else 1.0 for d, v in by_weekday.items()}
    return months, weekday, fractions


def replay(graph: FlowGraph, steps: Sequence[str], outcome: str | None = None) -> list[tuple[str, str]] | None:
    """The gateway choices that make the flow produce these steps in order (None when it cannot)."""
    # A token is (node, leaving): leaving a step it has done, or entering a node a parallel split reached.
    tokens: list[tuple[str, bool]] = [(s, True) for s in graph.starts]
    chosen: list[tuple[str, str]] = []
    for step in steps:
        for k, (token, leaving) in enumerate(tokens):
            route = _route(graph, token, step, set(), leaving)
            if route is not None:
                path, spawned = route
                chosen.extend(path)
                tokens[k:k + 1] = [(step, True), *((s, False) for s in spawned)]
                break
        else:
            return None
    for token, leaving in tokens:  # every remaining token must reach an end without another step
        route = _route(graph, token, "", set(), leaving, outcome)
        if route is None:
            route = _route(graph, token, "", set(), leaving)
        if route is not None:
            chosen.extend(route[0])
    return chosen


def _route(graph: FlowGraph, node: str, target: str, seen: set[str], leaving: bool,
           outcome: str | None = None) -> tuple[list[tuple[str, str]], list[str]] | None:
    """A path from `node` to the step `target` (or to an end for ''), passing no other step."""
    n = graph.nodes[node]
    if not leaving:
        if n.kind == "step":
            return ([], []) if node == target else None
        if n.kind == "end":
            return ([], []) if target == "" and (outcome is None or n.outcome in (None, outcome)) else None
        if node in seen:
            return None
        seen.add(node)
    outs = graph.out.get(node, [])
    if n.kind == "and" and len(outs) > 1:  # a split: one branch carries on, the others become tokens
        for nxt in outs:
            found = _route(graph, nxt, target, seen, False, outcome)
            if found is not None:
                return found[0], found[1] + [o for o in outs if o != nxt]
        return None
    for nxt in outs:
        found = _route(graph, nxt, target, seen, False, outcome)
        if found is not None:
            path = [(node, nxt)] if n.kind == "xor" and len(outs) > 1 else []
            return path + found[0], found[1]
    return None


def fit_roster(pools: Iterable[str], holders: Mapping[str, set[str]],
               opened: Mapping[str, Sequence[tuple[float, float]]], quantile: float = 0.98) -> Roster:
    """Holders per pool, and the work in progress each holder carries (a high percentile of what the log shows).

    `holders`: role → usernames; `opened`: pool → (opened, completed) of its steps in the log.
    """
    roster = Roster()
    for pool in set(pools):
        if not pool:
            continue
        people: set[str] = set()
        for role in pool.split(","):
            people |= holders.get(role, set())
        roster.holders[pool] = len(people)
        spans = opened.get(pool, ())
        peak = _open_quantile(spans, quantile) if spans else 1.0
        roster.per_holder[pool] = max(1.0, peak) / max(1, len(people))
    return roster


def _open_quantile(spans: Sequence[tuple[float, float]], quantile: float) -> float:
    """The `quantile` of how many steps were open when a new one opened."""
    moves = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans], key=lambda m: (m[0], m[1]))
    level, seen = 0, []
    for _, delta in moves:
        level += delta
        if delta > 0:
            seen.append(level)
    seen.sort()
    return float(seen[min(len(seen) - 1, int(quantile * len(seen)))]) if seen else 1.0
