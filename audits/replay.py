"""Token-based replay with pm4py's conventions, so that fitness figures are comparable with it.

Each event fires the visible transition with its label. When that transition is not enabled, the
replayer first tries silent transitions: it follows the shortest chains of silent transitions from
the marked places to the places that lack tokens (Rozinat & van der Aalst's replay as refined by
Berti & van der Aalst, "Reviving token-based replay", 2019). Whatever is still lacking is counted
as missing and created. After the last event, silent chains towards the final marking are tried.

Per trace: p (produced, including the initial marking), c (consumed, including the final marking),
m (missing), r (remaining); fitness = ½(1 − m/c) + ½(1 − r/p). A trace fits when m = r = 0
(m counted before the final-marking check, as pm4py does). Log fitness applies the same formula
to the sums of m, c, r, p over all traces. Events whose activity is not in the model are skipped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .petrinet import Marking, PetriNet

# pm4py's limits: depth of the search for silent paths, of the recursion that enables a transition
# through silent ones, and the rounds spent walking towards the final marking.
MAX_SILENT_PATH = 50
MAX_ENABLING_DEPTH = 2
FINAL_ROUNDS = 5


@dataclass(frozen=True)
class TraceReplay:
    """The outcome of replaying one trace."""

    activities: tuple[str, ...]
    fit: bool
    fitness: float
    missing: int
    consumed: int
    remaining: int
    produced: int
    fired: tuple[str, ...]
    problems: tuple[str, ...]  # visible transitions that had to be given missing tokens
    unknown: tuple[str, ...]  # activities with no transition in the model
    reached: tuple[tuple[str, int], ...]  # marking at the end, before comparing with the final one


@dataclass(frozen=True)
class LogReplay:
    """Token-based replay of a whole log, with pm4py's three summary figures."""

    traces: list[TraceReplay]

    @property
    def perc_fit_traces(self) -> float:
        """Percentage (0–100) of traces that fit: no missing and no remaining token."""
        return 100.0 * sum(t.fit for t in self.traces) / len(self.traces) if self.traces else 0.0

    @property
    def average_trace_fitness(self) -> float:
        """Mean of the per-trace fitness values."""
        return sum(t.fitness for t in self.traces) / len(self.traces) if self.traces else 0.0

    @property
    def log_fitness(self) -> float:
        """The fitness formula applied to the token counts summed over the log."""
        m = sum(t.missing for t in self.traces)
        c = sum(t.consumed for t in self.traces)
        r = sum(t.remaining for t in self.traces)
        p = sum(t.produced for t in self.traces)
        return 0.5 * (1 - m / c) + 0.5 * (1 - r / p) if self.traces and c and p else 0.0

    def summary(self) -> dict[str, float]:
        """The figures under pm4py's names."""
        return {"perc_fit_traces": self.perc_fit_traces, "average_trace_fitness": self.average_trace_fitness,
                "log_fitness": self.log_fitness}


def silent_paths(net: PetriNet, max_length: int = MAX_SILENT_PATH) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each place, the shortest chain of silent transitions leading to each other place.

    A chain goes place → silent transition → one of its output places → … (breadth first, so ties
    go to the net's transition order). A place may reach itself through a silent cycle.
    """
    silent_out: dict[str, list[str]] = {p: [] for p in net.places}
    for name, transition in net.transitions.items():
        if transition.silent:
            for p in net.pre[name]:
                silent_out[p].append(name)
    paths: dict[str, dict[str, tuple[str, ...]]] = {}
    for start in net.places:
        found: dict[str, tuple[str, ...]] = {}
        queue: deque[tuple[str, tuple[str, ...]]] = deque([(start, ())])
        while queue:
            place, chain = queue.popleft()
            if len(chain) >= max_length:
                continue
            for t in silent_out[place]:
                for nxt in net.post[t]:
                    if nxt not in found:
                        found[nxt] = chain + (t,)
                        queue.append((nxt, found[nxt]))
        paths[start] = found
    return paths


class TokenReplayer:
    """Replays traces on one net; silent paths are computed once and variants replayed once."""

    def __init__(self, net: PetriNet) -> None:
        self.net = net
        self.paths = silent_paths(net)
        self._by_label: dict[str, list[str]] = {}
        for name, t in net.transitions.items():
            if t.label is not None:
                self._by_label.setdefault(t.label, []).append(name)
        self._cache: dict[tuple[str, ...], TraceReplay] = {}

    def replay_log(self, traces: Iterable[Sequence[str]]) -> LogReplay:
        """Replay every trace (a sequence of activity names)."""
        return LogReplay([self.replay(trace) for trace in traces])

    def replay(self, trace: Sequence[str]) -> TraceReplay:
        """Replay one trace, reusing the result of an identical variant."""
        key = tuple(trace)
        if key not in self._cache:
            self._cache[key] = _Run(self, key).result()
        return self._cache[key]

    def chains(self, marking: Marking, targets: Iterable[str]) -> list[tuple[str, ...]]:
        """Silent chains from each marked place to each target place, shortest first.

        Places are visited in name order (pm4py's order), so equal lengths keep that order.
        """
        found = []
        for p1 in sorted(marking):
            reach = self.paths.get(p1, {})
            for p2 in sorted(targets):
                if p2 in reach:
                    found.append(reach[p2])
        found.sort(key=len)
        return found


class _Run:
    """The state of one trace's replay: marking, fired transitions and token counts."""

    def __init__(self, replayer: TokenReplayer, trace: tuple[str, ...]) -> None:
        self.r = replayer
        self.net = replayer.net
        self.trace = trace
        self.marking: Marking = dict(self.net.initial)
        self.fired: list[str] = []
        self.problems: list[str] = []
        self.unknown: list[str] = []
        self.missing = self.consumed = 0
        self.produced = sum(self.net.initial.values())

    def fire(self, t: str) -> None:
        """Fire an enabled transition and count its tokens."""
        self.marking = self.net.fire(t, self.marking)
        self.fired.append(t)
        self.consumed += sum(self.net.pre[t].values())
        self.produced += sum(self.net.post[t].values())

    def enabled(self, t: str) -> bool:
        """True when t is enabled in the current marking."""
        return self.net.is_enabled(t, self.marking)

    def result(self) -> TraceReplay:
        """Replay the whole trace and compute its figures."""
        for activity in self.trace:
            self.step(activity)
        self.towards_final()
        final = self.net.final
        reached = dict(self.marking)
        remaining = sum(max(0, n - final.get(p, 0)) for p, n in reached.items())
        fit = self.missing == 0 and remaining == 0
        missing = self.missing + sum(max(0, n - reached.get(p, 0)) for p, n in final.items())
        consumed = self.consumed + sum(final.values())
        produced = self.produced
        fitness = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced) if consumed and produced else 1.0
        return TraceReplay(self.trace, fit, fitness, missing, consumed, remaining, produced, tuple(self.fired),
                           tuple(self.problems), tuple(self.unknown), tuple(sorted(reached.items())))

    def step(self, activity: str) -> None:
        """Replay one event: fire its transition, through silent ones or with missing tokens."""
        candidates = self.r._by_label.get(activity)
        if not candidates:
            self.unknown.append(activity)
            return
        t = next((c for c in candidates if self.enabled(c)), None)
        if t is None:
            t = self.choose_by_silent(candidates)
        if not self.enabled(t):
            self.problems.append(t)
            for p, w in self.net.pre[t].items():
                lack = w - self.marking.get(p, 0)
                if lack > 0:
                    self.missing += lack
                    self.marking[p] = w
        self.fire(t)

    def choose_by_silent(self, candidates: list[str]) -> str:
        """Try silent transitions to enable a candidate; keep the first that gets enabled."""
        start = (self.marking, len(self.fired), self.consumed, self.produced)
        for t in candidates:
            self.enable_through_silent(t, set(), 0)
            if self.enabled(t) or len(candidates) == 1:
                return t
            # A duplicate label: undo and try the next transition carrying it.
            self.marking, n, self.consumed, self.produced = start
            del self.fired[n:]
        return candidates[0]

    def enable_through_silent(self, target: str, visited: set[str], depth: int) -> None:
        """Fire silent transitions on the chains towards the places `target` lacks tokens in."""
        if depth >= MAX_ENABLING_DEPTH or target in visited:
            return
        visited.add(target)
        lacking = [p for p, w in self.net.pre[target].items() if self.marking.get(p, 0) < w]
        chains = self.r.chains(self.marking, lacking)
        if not chains:
            return
        # First pass: walk the chains in order, firing what is enabled; a chain that fires
        # nothing ends the pass (pm4py's round-robin over the chains amounts to this).
        for chain in chains:
            changed = False
            for t in chain:
                if t != target and t not in visited and self.enabled(t):
                    self.fire(t)
                    visited.add(t)
                    changed = True
                if self.enabled(target):
                    break
            if self.enabled(target) or not changed:
                break
        if self.enabled(target):
            return
        # Second pass: from the new marking, enable each chain's transitions recursively.
        for chain in self.r.chains(self.marking, lacking):
            for t in chain:
                if t == target or t in visited:
                    continue
                if not self.enabled(t):
                    self.enable_through_silent(t, visited, depth + 1)
                if self.enabled(t):
                    self.fire(t)
                    visited.add(t)

    def towards_final(self) -> None:
        """After the last event, fire silent chains that lead to the final marking's places."""
        final = self.net.final

        def reached() -> bool:
            # pm4py stops as soon as every final place holds some token.
            return all(self.marking.get(p, 0) > 0 for p in final)

        for _ in range(FINAL_ROUNDS):
            if reached():
                break
            for chain in self.r.chains(self.marking, final):
                for t in chain:
                    if self.enabled(t):
                        self.fire(t)
                if reached():
                    break
        if reached() or len(final) != 1:
            return
        sink = next(iter(final))
        routes = [self.r.paths[p][sink] for p in self.marking if sink in self.r.paths.get(p, {})]
        routes.sort(key=len)
        for _ in range(FINAL_ROUNDS):
            for route in routes:
                for t in route:
                    if not self.enabled(t):
                        break
                    self.fire(t)

