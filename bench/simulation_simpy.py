"""The simulation's model written with SimPy, only to measure what SimPy would cost (bench/what_if_backtest.py).

Same arrivals, branch choices, durations and role capacities as simulation.model (its helpers are
reused); each dossier is a SimPy process, each role a simpy.Resource. No pauses, pacing or absences:
the comparison is of the event machinery, and this version does less work than ours.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import simpy

from simulation.axis import TimeAxis
from simulation.fit import PAUSES, Roster, pool_of
from simulation.model import Scenario, _arrivals, _choose, _duration


def run(scenarios: Sequence[Scenario], roster: Roster, axis: TimeAxis, first_day: int, last_day: int,
        seed: int = 1) -> int:
    """Simulate the period; return the dossiers that finished."""
    rng = random.Random(seed)
    env = simpy.Environment()
    pools = {pool_of(n.roles) for s in scenarios for n in s.graph.steps.values() if n.sla not in PAUSES}
    resources = {p: simpy.Resource(env, capacity=max(1, roster.capacity(p))) for p in pools}
    done = [0]

    def dossier(scenario: Scenario):
        graph = scenario.graph
        node = graph.starts[0]
        for _ in range(60):
            n = graph.nodes[node]
            if n.kind == "end":
                break
            if n.kind == "step":
                minutes = _duration(scenario, node, rng)
                if n.sla in PAUSES:
                    yield env.timeout(minutes)
                else:
                    with resources[pool_of(n.roles)].request() as request:
                        yield request
                        yield env.timeout(minutes)
            outs = graph.out.get(node, [])
            if not outs:
                break
            node = outs[0] if len(outs) == 1 else _choose(scenario.fit, node, outs, rng)
        done[0] += 1

    def source():
        for i in range(first_day, last_day + 1):
            for scenario in scenarios:
                for position in _arrivals(scenario, axis, i, rng):
                    if position > env.now:
                        yield env.timeout(position - env.now)
                    env.process(dossier(scenario))

    env.process(source())
    env.run()
    return done[0]
