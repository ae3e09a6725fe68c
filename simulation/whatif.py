"""What-if: fit an agency's year from the log, simulate it as it is and as changed, side by side.

The whole agency is simulated, not one procedure: its officers work every procedure's dossiers from
the same queues, so a draft that loads the specialists more slows the other procedures too (and the
changed procedure waits behind them). The figures reported are the chosen procedure's.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from processes.db import Database
from processes.errors import InvalidInput
from processes.lint import LintFailed, has_errors, lint_xml
from processes.organisation import role_directory

from .axis import TimeAxis
from .fit import Fit, Roster
from .fit_db import absences, agency_of, fit_log, read_log, version_graph
from .graph import FlowGraph, read_graph
from .model import Scenario, simulate
from .results import Summary, merge, summarise


class Unfittable(InvalidInput):
    """The log has no case of the procedure to learn from."""


@dataclass
class WhatIf:
    """The version in force and the change, simulated on the same arrivals' year."""

    procedure: str
    name: str
    agency: str
    year: int
    fitted_cases: int
    replayed: int
    arrivals_per_year: float
    supplement_rate: float
    response_days: float | None
    current: Summary
    changed: Summary | None = None
    change: dict[str, Any] = field(default_factory=dict)  # what was changed: version, draft, roster
    role_names: dict[str, str] = field(default_factory=dict)  # role code → its name, for people
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json and the web page."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("current", "changed")}
        out["current"] = self.current.as_dict()
        out["changed"] = None if self.changed is None else self.changed.as_dict()
        return out


def check_draft(db: Database, xml: str | bytes, code: str) -> FlowGraph:
    """The flow of a draft, refused (LintFailed) on the errors that block sending it for approval."""
    with db.read() as conn:
        findings = lint_xml(conn, xml, code)
    if has_errors(findings):
        raise LintFailed(f"bản dự thảo của {code} còn lỗi, không mô phỏng được", findings)
    return read_graph(xml)


def what_if(db: Database, code: str, year: int, *, version: int | None = None, draft: str | bytes | None = None,
            roster_changes: Mapping[str, int] | None = None, agency: str | None = None, seed: int = 1,
            fit_years: int = 1, progress: Callable[[int, int], None] | None = None) -> WhatIf:
    """Simulate `year` of the agency on the version in force, and on the change when one is given.

    `progress(done, total)`: simulated working days so far, over both runs (a job's progress page).
    """
    began = time.perf_counter()
    changed_graph: FlowGraph | None = None
    change: dict[str, Any] = {}
    if draft is not None:
        changed_graph = check_draft(db, draft, code)
        change["draft"] = True
    elif version is not None:
        changed_graph, xml = version_graph(db, code, version)
        change["version"] = version
    if roster_changes:
        change["roster"] = dict(roster_changes)
    unit, path = agency_of(db, code, agency)
    first = dt.date(year - fit_years, 1, 1)
    log = read_log(db, unit, path, first, dt.date(year, 12, 31), dt.date(year + 1, 12, 31))
    if code not in log.traces:
        raise Unfittable(f"chưa có hồ sơ nào của {code} để học")
    start = log.axis.at(dt.datetime.combine(dt.date(year, 1, 1), dt.time(0), log.axis.tz))
    before = {c: kept for c, ts in log.traces.items() if (kept := [t for t in ts if t.received < start])}
    # Learn from the years before; a log that starts in the simulated year is learnt from itself (said so).
    change["fitted_on"] = "before" if code in before else "same_year"
    if code in before:
        log.traces = before
    fits, roster = fit_log(log, start if change["fitted_on"] == "before" else None)
    axis = log.axis
    first_day, last_day = axis.index_of_date(dt.date(year, 1, 1)), axis.index_of_date(dt.date(year + 1, 1, 1)) - 1
    roster.absences = absences(db, log, roster, axis)
    runs = 2 if changed_graph is not None or roster_changes else 1
    fit = fits[code]
    reps = replications(_per_year(fit), sum(_per_year(f) for f in fits.values()))
    change["runs"] = reps

    def told(run: int) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(run * total + done, runs * reps * total))

    current = merge([_run(fits, log.graphs, roster, axis, first_day, last_day, seed + k, code, None, told(k))
                     for k in range(reps)])
    changed = None
    if runs == 2:
        edited = roster.edited(roster_changes or {})
        changed = merge([_run(fits, log.graphs, edited, axis, first_day, last_day, seed + k, code, changed_graph,
                              told(reps + k)) for k in range(reps)])
    names = {r["code"]: r["name"] for r in role_directory(db)}
    return WhatIf(code, log.graphs[code].name, unit, year, fit.cases, fit.replayed,
                  round(_per_year(fit), 1), round(fit.supplement_rate(), 3), fit.response_days(axis), current,
                  changed, change, names, round(time.perf_counter() - began, 2))


ENOUGH_DOSSIERS = 600  # simulated dossiers of the procedure that make its on-time rate steady to about a point
MOST_RUNS, AGENCY_BUDGET = 10, 100_000  # runs at most, and dossiers of the whole agency simulated at most


def replications(per_year: float, agency_per_year: float) -> int:
    """How many years to simulate and average: enough for a rare procedure's figures to settle, within a budget
    of work for a busy agency (whose procedures have enough dossiers in one year anyway)."""
    wanted = math.ceil(ENOUGH_DOSSIERS / max(per_year, 1.0))
    affordable = max(1, int(AGENCY_BUDGET // max(agency_per_year, 1.0)))
    return max(1, min(MOST_RUNS, wanted, affordable))


def _per_year(fit: Fit) -> float:
    # about 250 working days a year, spread over the months as fitted
    return sum(fit.month_rates.get(m, 0.0) for m in range(1, 13)) / 12 * 250


def _run(fits: dict[str, Fit], graphs: dict[str, FlowGraph], roster: Roster, axis: TimeAxis, first_day: int,
         last_day: int, seed: int, code: str, graph: FlowGraph | None,
         progress: Callable[[int, int], None] | None = None) -> Summary:
    scenarios = [Scenario(fit, graph if (graph is not None and c == code) else graphs[c]) for c, fit in fits.items()]
    run = simulate(scenarios, roster, axis, first_day, last_day, seed, progress=progress)
    target = graph if graph is not None else graphs[code]
    return summarise(run, replace(target, code=code))
