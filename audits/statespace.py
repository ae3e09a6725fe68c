"""The reachability graph of a Petri net, explored up to a budget, with what alignments need of it."""

from __future__ import annotations

from collections import deque

from .petrinet import Marking, PetriNet, marking_key

Edge = tuple[str, str | None, int]  # transition name, its label, target node


class StateSpace:
    """Markings numbered as they are found; successors computed once per marking.

    When the whole graph fits in `max_markings`, it also knows for each marking the fewest visible
    transitions to the final marking (`distance`, None if unreachable) and the labels that occur
    on some path there (`available`, a bit mask), which make the alignment heuristic informative.
    """

    def __init__(self, net: PetriNet, max_markings: int = 100_000) -> None:
        self.net = net
        self._ids: dict[tuple[tuple[str, int], ...], int] = {}
        self.markings: list[Marking] = []
        self._succ: list[list[Edge] | None] = []
        self.initial = self.intern(net.initial)
        self.final = self.intern(net.final)
        labels = sorted(net.labels())
        self.label_bits = {label: 1 << i for i, label in enumerate(labels)}
        self.all_labels = (1 << len(labels)) - 1
        self.complete = self._explore(max_markings)
        self.distance: list[int | None] = []
        self.available: list[int] = []
        self._reachable: list[int] | None = None
        if self.complete:
            self.distance = self._distances()
            self.available = self._labels_on_paths(to_final=True)

    def intern(self, marking: Marking) -> int:
        """The node number of a marking, adding it when new."""
        key = marking_key(marking)
        node = self._ids.get(key)
        if node is None:
            node = self._ids[key] = len(self.markings)
            self.markings.append(dict(key))
            self._succ.append(None)
        return node

    def successors(self, node: int) -> list[Edge]:
        """Transitions enabled in a marking with the marking each one leads to."""
        edges = self._succ[node]
        if edges is None:
            marking = self.markings[node]
            edges = []
            for t in self.net.enabled(marking):
                edges.append((t, self.net.transitions[t].label, self.intern(self.net.fire(t, marking))))
            self._succ[node] = edges
        return edges

    def reachable_labels(self, node: int) -> int:
        """Bit mask of the labels that can still occur from a marking (complete graphs only)."""
        if self._reachable is None:
            self._reachable = self._labels_on_paths(to_final=False)
        return self._reachable[node]

    def _explore(self, budget: int) -> bool:
        queue = deque([self.initial])
        seen = {self.initial}
        while queue:
            node = queue.popleft()
            for _, _, target in self.successors(node):
                if target not in seen:
                    if len(seen) >= budget:
                        return False
                    seen.add(target)
                    queue.append(target)
        return True

    def _predecessors(self) -> list[list[tuple[int, str | None]]]:
        preds: list[list[tuple[int, str | None]]] = [[] for _ in self.markings]
        for node in range(len(self.markings)):
            for _, label, target in self.successors(node):
                preds[target].append((node, label))
        return preds

    def _distances(self) -> list[int | None]:
        # 0-1 breadth-first search backwards from the final marking: visible steps cost 1.
        dist: list[int | None] = [None] * len(self.markings)
        dist[self.final] = 0
        preds = self._predecessors()
        queue = deque([self.final])
        while queue:
            node = queue.popleft()
            node_dist = dist[node]
            assert node_dist is not None  # only markings with a distance are queued
            for source, label in preds[node]:
                d = node_dist + (label is not None)
                best = dist[source]
                if best is None or d < best:
                    dist[source] = d
                    if label is None:
                        queue.appendleft(source)
                    else:
                        queue.append(source)
        return dist

    def _labels_on_paths(self, to_final: bool) -> list[int]:
        # Fixpoint over the graph: the labels of a marking are those of its useful edges and of
        # the markings they lead to.
        masks = [0] * len(self.markings)
        preds = self._predecessors()
        work = deque(range(len(self.markings)))
        queued = set(work)
        while work:
            node = work.popleft()
            queued.discard(node)
            mask = 0
            for _, label, target in self.successors(node):
                if to_final and self.distance[target] is None:
                    continue
                mask |= masks[target] | (self.label_bits[label] if label is not None else 0)
            if mask != masks[node]:
                masks[node] = mask
                for source, _ in preds[node]:
                    if source not in queued:
                        queued.add(source)
                        work.append(source)
        return masks
