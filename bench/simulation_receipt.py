"""The receipt log (../shared/external/eventlogs/receipt/, read only) as traces on a Dutch working-time axis.

Used by bench/what_if_backtest.py (the backtest) and runnable on its own for what the log says about its
drift and its censoring:

    python bench/simulation_receipt.py

The receipt phase of a Dutch municipality's environmental permit applications (1,434 cases, 4TU / CoSeLoG):
08:00-17:00 Monday to Friday, `holidays` NL. Each activity queues on the org:group that most often did it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if str(_HERE.parent) not in sys.path:
    sys.path.insert(0, str(_HERE.parent))

from simulation.axis import TimeAxis, weekday_sessions  # noqa: E402
from simulation.backtest import actual  # noqa: E402
from simulation.fit import Event, Roster, Trace, fit_roster, fit_traces, pool_of  # noqa: E402
from simulation.graph import FlowGraph, read_graph  # noqa: E402
from simulation.results import quantile  # noqa: E402

RECEIPT = _HERE.parent.parent / "shared" / "external" / "eventlogs" / "receipt"
TZ = ZoneInfo("Europe/Amsterdam")


@dataclass
class ReceiptLog:
    """The log as traces, split in two thirds (fit) and one third (test) by the start of the case."""

    graph: FlowGraph
    axis: TimeAxis
    traces: list[Trace]
    train: list[Trace]
    test: list[Trace]
    roster: Roster
    begin: float
    split: float
    end: float  # the log's last event
    office_share: float  # events on Dutch working days 08:00-17:00
    open_cases: set[str]  # cases with no case:enddate (the permit case, not only its receipt, still open)


def load() -> ReceiptLog:
    """Read the CSV and BPMN; roles from org:group; the roster from the training period only."""
    rows = list(csv.DictReader((RECEIPT / "receipt.csv").open(encoding="utf-8")))
    graph = read_graph((RECEIPT / "receipt.bpmn").read_bytes())
    by_name = {n.name: k for k, n in graph.nodes.items() if n.kind == "step"}
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["org:group"] != "EMPTY":
            groups[r["concept:name"]][r["org:group"]] += 1
    role = {name: groups[name].most_common(1)[0][0] if groups[name] else "" for name in by_name}
    graph.nodes.update({k: dataclasses.replace(n, roles=(role[n.name],) if role.get(n.name) else ())
                        for k, n in graph.nodes.items() if n.kind == "step"})
    stamps = [dt.datetime.fromisoformat(r["time:timestamp"]) for r in rows]
    first, last = min(stamps).astimezone(TZ).date(), max(stamps).astimezone(TZ).date()
    nl = holidays.country_holidays("NL", years=range(first.year, last.year + 2))
    axis = TimeAxis(first, last + dt.timedelta(days=400), weekday_sessions([(8 * 60, 17 * 60)], lambda d: d in nl), TZ)
    local = [at.astimezone(TZ) for at in stamps]
    office = sum(1 for t in local if t.weekday() < 5 and t.date() not in nl and 8 <= t.hour < 17) / len(local)
    cases: dict[str, list[tuple[dt.datetime, dict]]] = defaultdict(list)
    for r, at in zip(rows, stamps, strict=True):
        cases[r["case:concept:name"]].append((at, r))
    traces, still_open = [], set()
    for case, events in cases.items():
        events.sort(key=lambda e: e[0])
        if not events[0][1]["case:enddate"]:
            still_open.add(case)
        evs = tuple(Event(by_name[r["concept:name"]], axis.at(at), None, r["org:resource"]) for at, r in events
                    if r["concept:name"] in by_name)
        if evs:
            traces.append(Trace(case, evs[0].completed, evs, None, evs[-1].completed))
    begin, end = min(t.received for t in traces), max(t.events[-1].completed for t in traces)
    split = begin + (end - begin) * 2 / 3
    train = [t for t in traces if t.received < split]
    test = [t for t in traces if t.received >= split]
    return ReceiptLog(graph, axis, traces, train, test, _roster(graph, train), begin, split, end, office, still_open)


def _roster(graph: FlowGraph, train: list[Trace]) -> Roster:
    """Holders of a group: the resources seen working for it while fitting."""
    holders: dict[str, set[str]] = defaultdict(set)
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for t in train:
        previous = t.received
        for e in t.events:
            node = graph.nodes[e.step]
            if node.roles and e.resource:
                holders[node.roles[0]].add(e.resource)
            spans[pool_of(node.roles)].append((previous, e.completed))
            previous = e.completed
    return fit_roster({pool_of(n.roles) for n in graph.steps.values()}, holders, spans)


def drift_report(log: ReceiptLog) -> None:
    """Per quarter of start: cases, arrivals per working day, resources at work, throughput, censoring, and how
    much a case's step durations go together (rho, simulation.dependence)."""
    axis = log.axis
    print(f"\nReceipt log by quarter of start (throughput in working days; end of log {axis.date_at(log.end)})")
    print("  quarter   cases /day res. median   p90    >5d   open* follow-up(days)  rho  (* no case:enddate; rho: "
          "a case's step durations, normal scores)")
    quarters: dict[str, list[Trace]] = defaultdict(list)
    for t in log.traces:
        d = axis.date_at(t.received)
        quarters[f"{d.year}Q{(d.month - 1) // 3 + 1}"].append(t)
    for q, ts in sorted(quarters.items()):
        times = [axis.working_days(t.events[-1].completed - t.received) for t in ts]
        days = axis.day_index(max(t.received for t in ts)) - axis.day_index(min(t.received for t in ts)) + 1
        people = {e.resource for t in ts for e in t.events if e.resource}
        follow = axis.working_days(log.end - max(t.received for t in ts))
        print(f"  {q}  {len(ts):6d} {len(ts) / days:4.1f} {len(people):4d} {quantile(times, 0.5):7.3f} "
              f"{quantile(times, 0.9):6.2f} {sum(x > 5 for x in times) / len(ts):6.1%} "
              f"{sum(t.case in log.open_cases for t in ts) / len(ts):6.1%} {follow:8.0f} "
              f"{fit_traces(log.graph.code, log.graph, ts, axis).rho:9.3f}")


def censoring_report(log: ReceiptLog, limit_days: float) -> None:
    """The test period's actual figures measured only on cases with at least N working days of follow-up."""
    axis = log.axis
    print("\nTest period, actual figures on cases received at least N working days before the log's end")
    for n in (0, 10, 20, 40, 60):
        cut = log.end - n * axis.day_minutes
        kept = [t for t in log.test if t.received < cut]
        f = actual(log.graph, kept, axis, limit_days, log.end)
        print(f"  N={n:3d}: {f.dossiers:4d} cases, median {f.median_days:.4f}, p90 {f.p90_days:.3f}, "
              f"within {limit_days:g} days {f.within:.1%}")


if __name__ == "__main__":
    found = load()
    drift_report(found)
    censoring_report(found, 5.0)
