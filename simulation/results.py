"""What a simulation run means for one procedure: on-time rate, processing time, late dossiers, queues."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from .graph import FlowGraph
from .model import Run


@dataclass
class StepLoad:
    """Where dossiers spend their time at one step (per visit, in working days)."""

    step: str
    name: str
    roles: tuple[str, ...]
    visits: int
    wait_days: float
    work_days: float
    stuck: int = 0  # dossiers still waiting here when the run ended (nobody holds the role)


@dataclass
class Summary:
    """The predicted figures of one procedure over the simulated period."""

    code: str
    name: str
    deadline: str | None
    dossiers: int
    finished: int
    on_time_rate: float | None  # share of dossiers answered by their due instant (open past it: late)
    late: int
    median_days: float | None  # processing time in working days, pauses for the applicant excluded
    p90_days: float | None
    bottleneck: StepLoad | None
    steps: list[StepLoad] = field(default_factory=list)
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)  # pool → mean, max, by month
    unstaffed: dict[str, int] = field(default_factory=dict)  # role nobody holds → dossiers stuck there

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json and the web page."""
        return asdict(self)


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile (nearest rank) of values, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def summarise(run: Run, graph: FlowGraph) -> Summary:
    """The figures of one procedure (graph: the flow simulated for it) from a run."""
    axis = run.axis
    mine = [d for d in run.dossiers if d.code == graph.code]
    times = [axis.working_days(p) for d in mine if (p := d.processing()) is not None]
    late = sum(1 for d in mine if d.late(run.horizon))
    judged = [d for d in mine if d.due is not None]
    steps = []
    for (code, step), (wait, work, visits) in run.step_time.items():
        node = graph.nodes.get(step)
        if code != graph.code or node is None or not visits:
            continue
        steps.append(StepLoad(step, node.name, node.roles, int(visits), round(axis.working_days(wait / visits), 3),
                              round(axis.working_days(work / visits), 3)))
    steps.sort(key=lambda s: -(s.wait_days + s.work_days) * s.visits)
    # A step where dossiers are still waiting when the run ends (nobody holds its role) is the bottleneck.
    for (code, step), count in sorted(run.stuck.items(), key=lambda kv: kv[1]):
        node = graph.nodes.get(step)
        if code == graph.code and node is not None:
            steps.insert(0, StepLoad(step, node.name, node.roles, 0, 0.0, 0.0, count))
    pools = {",".join(n.roles) for n in graph.steps.values()}
    return Summary(
        graph.code, graph.name, graph.deadline, len(mine), len(times),
        None if not judged else round(1 - sum(1 for d in judged if d.late(run.horizon)) / len(judged), 4),
        late, _round(quantile(times, 0.5)), _round(quantile(times, 0.9)), steps[0] if steps else None, steps,
        {p: _queue(run, p) for p in sorted(pools) if p in run.queue_days},
        {p: n for p, n in run.unstaffed.items() if p in pools})


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _queue(run: Run, pool: str) -> dict[str, Any]:
    """Dossiers waiting for a role at the opening of each working day of the period: mean, max, by month."""
    lengths = run.queue_days[pool]
    by_month: dict[str, list[int]] = defaultdict(list)
    for k, length in enumerate(lengths):
        i = run.queue_first + k
        if run.first_day <= i <= run.last_day:
            by_month[run.axis.days[i].day.strftime("%Y-%m")].append(length)
    values = [v for vs in by_month.values() for v in vs] or [0]
    return {"mean": round(sum(values) / len(values), 2), "max": max(values), "capacity": run.capacity.get(pool, 0),
            "by_month": {m: round(sum(v) / len(v), 2) for m, v in sorted(by_month.items())}}
