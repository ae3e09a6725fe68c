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
    # share of the finished dossiers by whole working days taken ("0": within the first day; the last bin: more)
    spread: dict[str, float] = field(default_factory=dict)

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
        {p: n for p, n in run.unstaffed.items() if p in pools}, spread(times))


SPREAD_DAYS = 30  # processing times of this many working days or more share the last bin


def spread(times: list[float]) -> dict[str, float]:
    """Share of the times falling in each whole working day, 0 to SPREAD_DAYS (the last bin: that or more)."""
    counts: dict[int, int] = defaultdict(int)
    for t in times:
        counts[min(SPREAD_DAYS, int(t))] += 1
    return {str(d): round(counts[d] / len(times), 4) for d in sorted(counts)} if times else {}


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


def merge(found: list[Summary]) -> Summary:
    """The expected figures over several runs of the same year (seeds): means of rates, times and counts,
    the highest queue seen, the bottleneck of the pooled step loads. One run of a procedure with a few dozen
    dossiers a year swings by several points; the mean is what a year should bring."""
    if len(found) == 1:
        return found[0]
    first, n = found[0], len(found)

    def mean(values: list[float | None], digits: int) -> float | None:
        kept = [v for v in values if v is not None]
        return round(sum(kept) / len(kept), digits) if kept else None

    loads: dict[str, list[StepLoad]] = defaultdict(list)
    for s in found:
        for load in s.steps:
            loads[load.step].append(load)
    steps = [StepLoad(k, ls[0].name, ls[0].roles, round(sum(x.visits for x in ls) / n),
                      round(sum(x.wait_days * x.visits for x in ls) / max(1, sum(x.visits for x in ls)), 3),
                      round(sum(x.work_days * x.visits for x in ls) / max(1, sum(x.visits for x in ls)), 3),
                      round(sum(x.stuck for x in ls) / n)) for k, ls in loads.items()]
    steps.sort(key=lambda s: (-s.stuck, -(s.wait_days + s.work_days) * s.visits))
    queues = {}
    for pool, q in first.queues.items():
        seen = [s.queues[pool] for s in found if pool in s.queues]
        months = {m for x in seen for m in x["by_month"]}
        queues[pool] = {"mean": round(sum(x["mean"] for x in seen) / len(seen), 2),
                        "max": max(x["max"] for x in seen), "capacity": q["capacity"],
                        "by_month": {m: round(sum(x["by_month"].get(m, 0.0) for x in seen) / len(seen), 2)
                                     for m in sorted(months)}}
    unstaffed = {p: round(sum(s.unstaffed.get(p, 0) for s in found) / n) for p in first.unstaffed}
    days = sorted({d for s in found for d in s.spread}, key=int)
    shares = {d: round(sum(s.spread.get(d, 0.0) for s in found) / n, 4) for d in days}
    return Summary(first.code, first.name, first.deadline, round(sum(s.dossiers for s in found) / n),
                   round(sum(s.finished for s in found) / n), mean([s.on_time_rate for s in found], 4),
                   round(sum(s.late for s in found) / n), mean([s.median_days for s in found], 2),
                   mean([s.p90_days for s in found], 2), steps[0] if steps else None, steps, queues, unstaffed,
                   shares)
