"""Fit an agency's procedures from quytrinh's own records: completed steps, dossiers, roster, substitutes.

Everything is read through processes' query modules (records, catalog, organisation, substitutes),
never from the tables directly, like audits do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from processes import organisation, substitutes
from processes.calendar_store import calendar_of
from processes.catalog import active_bpmn, deployed_versions
from processes.db import Database
from processes.errors import InvalidInput
from processes.records import StepFact, case_attributes, load_steps

from .axis import TimeAxis
from .fit import Absence, Event, Fit, Roster, Trace, covered, fit_roster, fit_traces, pool_of
from .graph import FlowGraph, read_graph

# Dossier status code → how the case ended (docs/sla.md): 3 refused, 7 withdrawn and 8 stopped, 9/10 done.
_OUTCOMES = {3: "refused", 7: "stopped", 8: "stopped", 9: "done", 10: "done"}


@dataclass
class AgencyLog:
    """What an agency's log holds for the simulation: its calendar axis, traces by procedure, holders."""

    agency: str  # the agency's unit code
    agency_path: str
    axis: TimeAxis
    graphs: dict[str, FlowGraph]  # procedure → flow of its version in force
    traces: dict[str, list[Trace]] = field(default_factory=dict)
    spans: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # pool → (opened, completed)
    holders: dict[str, set[str]] = field(default_factory=dict)  # role → usernames in the agency


def agency_of(db: Database, code: str, agency: str | None) -> tuple[str, str]:
    """(unit code, path) of the agency: the one named, else the one with most cases of the procedure."""
    with db.read() as conn:
        tree = organisation.unit_tree(conn)
        by_code = {u.code: u for u in tree}
        if agency is not None:
            if agency not in by_code:
                raise InvalidInput(f"không có đơn vị {agency}")
            path = by_code[agency].agency_path
        else:
            counts: dict[str, int] = defaultdict(int)
            for case in case_attributes(conn, code):
                if case["unit"] in by_code:
                    counts[by_code[case["unit"]].agency_path] += 1
            path = max(counts, key=lambda p: counts[p]) if counts else (tree[0].agency_path if tree else "/")
    unit = next((u.code for u in tree if u.path == path), agency or "")
    return unit, path


def read_log(db: Database, agency: str, agency_path: str, first: dt.date, last: dt.date,
             axis_last: dt.date | None = None) -> AgencyLog:
    """The agency's cases opened from `first` to `last` (every procedure), as traces on its calendar."""
    calendar = calendar_of(db, agency)
    axis = TimeAxis.of_calendar(calendar, first - dt.timedelta(days=7), axis_last or last + dt.timedelta(days=120))
    with db.read() as conn:
        units = {u.code: u for u in organisation.unit_tree(conn)}
        cases = [c for c in case_attributes(conn) if c["unit"] in units
                 and units[c["unit"]].agency_path == agency_path]
        bpmn = active_bpmn(conn)
        steps = load_steps(conn, [c["id"] for c in cases])
        holders: dict[str, set[str]] = defaultdict(set)
        for h in organisation.role_holders(conn):
            if h.agency_path == agency_path:
                holders[h.role_code].add(h.username)
    graphs = {code: read_graph(xml) for code, xml in bpmn.items()}
    log = AgencyLog(agency, agency_path, axis, graphs, holders=dict(holders))
    by_case: dict[int, list[StepFact]] = defaultdict(list)
    for s in steps:
        by_case[s.instance_id].append(s)
    start, end = _instant(first, axis), _instant(last + dt.timedelta(days=1), axis)
    for case in cases:
        facts = sorted(by_case.get(case["id"], []), key=lambda s: (s.completed_at, s.created_at))
        if not facts or case["code"] not in graphs:
            continue
        opened = min(s.created_at for s in facts)
        if not start <= opened < end:
            continue
        events = tuple(Event(s.element_id, axis.at(s.completed_at), axis.at(s.created_at), s.completed_by)
                       for s in facts)
        finished = axis.at(facts[-1].completed_at) if case["status"] == "completed" else None
        log.traces.setdefault(case["code"], []).append(Trace(
            str(case["id"]), axis.at(opened), events, _OUTCOMES.get(case["status_code"] or 0), finished))
        for s, e in zip(facts, events, strict=True):
            node = graphs[case["code"]].nodes.get(s.element_id)
            if node is not None and node.kind == "step":
                log.spans.setdefault(pool_of(node.roles), []).append((e.opened or e.completed, e.completed))
    return log


def _instant(day: dt.date, axis: TimeAxis) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), axis.tz)


def fit_log(log: AgencyLog, until: float | None = None) -> tuple[dict[str, Fit], Roster]:
    """A fit per procedure with cases in the log, and the agency's roster (shared by all its procedures).

    The log covers the working days from the agency's first dossier to `until` (default: its last one).
    """
    period = covered(log.traces.values(), log.axis, until)
    fits = {code: fit_traces(code, log.graphs[code], traces, log.axis, period)
            for code, traces in log.traces.items()}
    pools = {pool_of(n.roles) for g in log.graphs.values() for n in g.steps.values()}
    return fits, fit_roster(pools, log.holders, log.spans)


def absences(db: Database, log: AgencyLog, roster: Roster, axis: TimeAxis) -> list[Absence]:
    """Planned absences in the simulated period whose substitute already holds the role (their work doubles up).

    A substitute who does not hold the role brings their own time: capacity unchanged.
    """
    found: list[Absence] = []
    seen: set[int] = set()
    people = {u for us in log.holders.values() for u in us}
    for username in sorted(people):
        for sub in substitutes.of_user(db, username):
            if sub.id in seen or sub.revoked or sub.username != username:
                continue
            seen.add(sub.id)
            first, last = axis.index_of_date(sub.starts_on), axis.index_of_date(sub.ends_on + dt.timedelta(days=1)) - 1
            if last < first:
                continue
            for pool in roster.holders:
                roles = pool.split(",")
                if any(username in log.holders.get(r, ()) for r in roles) and any(
                        sub.substitute in log.holders.get(r, ()) for r in roles):
                    found.append(Absence(pool, first, last))
    return found


def version_graph(db: Database, code: str, number: int) -> tuple[FlowGraph, str]:
    """The flow of version `number` of a procedure (deployed, or a draft of the catalogue) and its BPMN text."""
    with db.read() as conn:
        for v in deployed_versions(conn):
            if v.code == code and v.version == number:
                return read_graph(v.bpmn_xml), v.bpmn_xml
    from processes.versions import version_xml

    xml = version_xml(db, code, number)
    return read_graph(xml), xml
