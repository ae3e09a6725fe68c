"""Optimal alignments of traces to a Petri net: A* on the synchronous product, pm4py's costs.

A move is synchronous (the event and a transition with its label, cost 0), on the log only (an
event the model cannot do there), on the model only (a visible transition the log lacks) or
silent (a tau transition). Deviations cost 1 each in the standard cost function; pm4py scales them
to 10,000 and charges 1 per silent move so that, among alignments with the fewest deviations, the
one with the fewest silent moves wins. We use the same integers, so costs and log fitness agree.

Fitness of a trace = 1 − deviations / (len(trace) + cheapest model run), as pm4py; log fitness =
1 − Σ cost / Σ (len(trace)·10,000 + cost of the cheapest model run), silent moves included
(pm4py's definition, so a fitting log may score a hair under 1).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .petrinet import PetriNet
from .statespace import StateSpace

DEVIATION = 10_000
SILENT = 1
# In a prefix (a running case) an unexpected event can always be dropped as a log move at the
# same cost as supposing a skipped step; the surcharge prefers the skip, which explains more events.
PREFIX_LOG_SURCHARGE = 100
MAX_STATES = 250_000


@dataclass(frozen=True)
class Move:
    """One step of an alignment: the event's activity and/or the model's transition."""

    activity: str | None  # None: a model-only or silent move
    transition: str | None  # None: a log-only move
    label: str | None = None  # the transition's label (None for silent ones)

    @property
    def kind(self) -> str:
        """'sync', 'log', 'model' or 'silent'."""
        if self.transition is None:
            return "log"
        if self.activity is not None:
            return "sync"
        return "model" if self.label is not None else "silent"


@dataclass(frozen=True)
class Alignment:
    """An optimal alignment of one trace and its pm4py-style figures."""

    activities: tuple[str, ...]
    moves: tuple[Move, ...]
    cost: int  # pm4py units: 10,000 per deviation + 1 per silent move (+ surcharges in a prefix)
    bwc: int  # cost of the worst sensible alignment: all events on the log + cheapest model run
    visited: int

    @property
    def deviations(self) -> int:
        """Number of log-only and model-only moves (the standard cost)."""
        return sum(m.kind in ("log", "model") for m in self.moves)

    @property
    def fitness(self) -> float:
        """1 − deviations / (events + visible transitions of the cheapest model run)."""
        worst = self.bwc // DEVIATION
        return 1 - self.deviations / worst if worst > 0 else 0.0

    @property
    def fits(self) -> bool:
        """True when the trace is a run of the model."""
        return self.deviations == 0


@dataclass(frozen=True)
class LogAlignment:
    """Alignments of a whole log; None where the state budget ran out."""

    alignments: list[Alignment | None]

    @property
    def aligned(self) -> list[Alignment]:
        """The traces that could be aligned within the budget."""
        return [a for a in self.alignments if a is not None]

    @property
    def perc_fit_traces(self) -> float:
        """Percentage (0–100) of aligned traces with fitness 1."""
        done = self.aligned
        return 100.0 * sum(a.fitness == 1.0 for a in done) / len(done) if done else 0.0

    @property
    def average_trace_fitness(self) -> float:
        """Mean trace fitness."""
        done = self.aligned
        return sum(a.fitness for a in done) / len(done) if done else 0.0

    @property
    def log_fitness(self) -> float:
        """1 − Σ cost / Σ bwc (pm4py's alignment-based log fitness)."""
        done = self.aligned
        bwc = sum(a.bwc for a in done)
        return 1.0 - sum(a.cost for a in done) / bwc if bwc else 0.0

    def summary(self) -> dict[str, float]:
        """The figures under pm4py's names."""
        return {"percFitTraces": self.perc_fit_traces, "average_trace_fitness": self.average_trace_fitness,
                "log_fitness": self.log_fitness}


class Aligner:
    """Aligns traces to one net; the state space and each variant's result are kept."""

    def __init__(self, net: PetriNet, max_states: int = MAX_STATES, max_markings: int = 100_000,
                 heuristic: bool = True) -> None:
        self.net = net
        self.space = StateSpace(net, max_markings)
        self.max_states = max_states
        self.heuristic = heuristic  # False: plain Dijkstra (slower; the same optimal costs)
        self._cache: dict[tuple[tuple[str, ...], bool], Alignment | None] = {}
        self._bwc: int | None = None

    def best_worst_cost(self) -> int:
        """Cost of the cheapest complete run of the model (the empty trace's alignment)."""
        if self._bwc is None:
            # The empty trace explores at most the state space: no budget when that is known to be finite.
            empty = self._search((), prefix=False, budget=None if self.space.complete else self.max_states)
            if empty is None:
                raise ValueError("the final marking cannot be reached within the state budget")
            self._bwc = empty[1]
        return self._bwc

    def align_log(self, traces: Iterable[Sequence[str]]) -> LogAlignment:
        """Align each trace (a sequence of activity names)."""
        return LogAlignment([self.align(t) for t in traces])

    def align(self, trace: Sequence[str], prefix: bool = False) -> Alignment | None:
        """An optimal alignment, or None when the state budget runs out.

        With `prefix`, the trace is a running case: the model need not reach its final marking.
        """
        key = (tuple(trace), prefix)
        if key not in self._cache:
            bwc = len(key[0]) * DEVIATION + self.best_worst_cost()
            found = self._search(key[0], prefix, self.max_states)
            self._cache[key] = None if found is None else Alignment(key[0], found[0], found[1], bwc, found[2])
        return self._cache[key]

    def _search(self, trace: tuple[str, ...], prefix: bool,
                budget: int | None) -> tuple[tuple[Move, ...], int, int] | None:
        space = self.space
        n = len(trace)
        lower = _Heuristic(space, trace, prefix, self.heuristic).estimate
        # Costs are searched scaled by `scale`, a log move adding 1: among alignments of the same cost
        # the one with the fewest log moves wins, so a step is said to be skipped rather than another
        # to be unexpected, as a person would name it, whatever order the search meets them in.
        # At most n log moves < scale: the scaled optimum is an optimum of the unscaled costs.
        scale = n + 1

        def estimate(node: int, i: int) -> int | None:
            h = lower(node, i)
            return None if h is None else h * scale
        log_cost = (DEVIATION + (PREFIX_LOG_SURCHARGE if prefix else 0)) * scale + 1
        # States are (marking node, events consumed); a move is kept as (transition, event) and
        # turned into a Move only on the winning path.
        start = (space.initial, 0)
        best: dict[tuple[int, int], int] = {start: 0}
        parent: dict[tuple[int, int], tuple[tuple[int, int], str | None, str | None]] = {}
        # Ties on f go to the state further along the trace: it is closer to a goal.
        heap = [(estimate(space.initial, 0), 0, 0, 0, start)]
        closed: set[tuple[int, int]] = set()
        counter = 0
        while heap:
            _, _, g, _, state = heapq.heappop(heap)
            if state in closed:
                continue
            closed.add(state)
            node, i = state
            if i == n and (prefix or node == space.final):
                return self._moves_of(parent, state), g // scale, len(closed)
            if budget is not None and len(closed) > budget:
                return None
            event = trace[i] if i < n else None
            steps: list[tuple[tuple[int, int], int, str | None, str | None]] = []
            for t, label, target in space.successors(node):
                if label is None:
                    steps.append(((target, i), g + SILENT * scale, t, None))
                    continue
                if label == event:
                    steps.append(((target, i + 1), g, t, event))
                if not prefix or i < n:
                    # In a prefix, model moves only matter before the last event.
                    steps.append(((target, i), g + DEVIATION * scale, t, None))
            if event is not None:
                steps.append(((node, i + 1), g + log_cost, None, event))
            for reached, g2, via, activity in steps:
                if g2 < best.get(reached, g2 + 1):
                    h = estimate(*reached)
                    if h is None:
                        continue
                    best[reached] = g2
                    parent[reached] = (state, via, activity)
                    counter += 1
                    heapq.heappush(heap, (g2 + h, -reached[1], g2, counter, reached))
        return None

    def _moves_of(self, parent: dict, state: tuple[int, int]) -> tuple[Move, ...]:
        moves = []
        while state in parent:
            state, t, activity = parent[state]
            moves.append(Move(activity, t, None if t is None else self.net.transitions[t].label))
        return tuple(reversed(moves))


class _Heuristic:
    """A lower bound on the remaining cost of a product state (consistent, so A* stays exact).

    Events whose activity no transition can do on any path from the marking to the final one must
    be log moves; and the model still needs its minimum number of visible transitions, of which
    at most the remaining events can be synchronous.
    """

    def __init__(self, space: StateSpace, trace: tuple[str, ...], prefix: bool, enabled: bool = True) -> None:
        self.space = space
        self.prefix = prefix
        self.enabled = enabled
        self.bits = [space.label_bits.get(a, 0) for a in trace]
        self.n = len(trace)
        self._memo: dict[tuple[int, int], int] = {}

    def estimate(self, node: int, i: int) -> int | None:
        """Lower bound in cost units, or None when the final marking is unreachable from here."""
        space = self.space
        if not self.enabled:
            return 0
        if not space.complete:
            return DEVIATION * self._lacking(i, space.all_labels)
        if self.prefix:
            return DEVIATION * self._lacking(i, space.reachable_labels(node))
        distance = space.distance[node]
        if distance is None:
            return None
        k = self._lacking(i, space.available[node])
        return DEVIATION * (k + max(0, distance - (self.n - i - k)))

    def _lacking(self, i: int, mask: int) -> int:
        key = (i, mask)
        if key not in self._memo:
            self._memo[key] = sum(1 for b in self.bits[i:] if not b & mask)
        return self._memo[key]
