"""The leader dashboard's figures, all SQL aggregates over dossiers and steps (no workflow is loaded)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, select, union

from . import ratings
from .access import viewer
from .citizen_scope import citizens_only
from .clock import Clock
from .db import Database
from .dossier_rules import OPEN, RESOLVED, RUNNING
from .keys import VN
from .projection import OPEN as OPEN_TASKS
from .schema import definitions, dossiers, human_tasks, instances, memberships, units, users

DASHBOARD_KINDS = ("leader", "admin", "quality", "auditor")


@dataclass
class Counts:
    """Received / open / done figures with the done ones split early, on time, late."""

    key: str = ""
    label: str = ""
    received: int = 0
    open: int = 0
    done: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    def rate(self, result: str) -> float:
        """Share of the classified results that are `result` (0 when none)."""
        classified = self.early + self.on_time + self.late
        return getattr(self, result) / classified if classified else 0.0

    @property
    def early_rate(self) -> float:
        """Share of the classified results that are early."""
        return self.rate("early")

    @property
    def on_time_rate(self) -> float:
        """Share of the classified results that are on time."""
        return self.rate("on_time")

    @property
    def late_rate(self) -> float:
        """Share of the classified results that are late."""
        return self.rate("late")


@dataclass
class Dashboard:
    """Everything the leader dashboard shows for a period."""

    since: dt.date
    until: dt.date
    agencies: list[str]
    total: Counts
    by_procedure: list[Counts] = field(default_factory=list)
    by_agency: list[Counts] = field(default_factory=list)
    steps_by_unit: list[Counts] = field(default_factory=list)
    overdue_dossiers: list[dict[str, Any]] = field(default_factory=list)
    overdue_steps: list[dict[str, Any]] = field(default_factory=list)
    ratings: dict[int, int] = field(default_factory=dict)


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VN).astimezone(dt.UTC)


def may_see_dashboard(db: Database, username: str, clock: Clock) -> bool:
    """True for leaders, quality managers, auditors and administrators."""
    with db.read() as conn:
        return viewer(conn, username, clock.now()).is_kind(*DASHBOARD_KINDS)


def _sum(cond) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


_FIGURES = ("received", "open", "done", "early", "on_time", "late", "overdue")


def _dossier_counts(conn: Connection, agency_ids: list[int], since: dt.datetime, until: dt.datetime,
                    now: dt.datetime) -> list[tuple[int, str, Counts]]:
    """(agency id, procedure, counts) for every pair that has dossiers: one grouped pass over the table."""
    in_period = and_(dossiers.c.done_at >= since, dossiers.c.done_at < until,
                     dossiers.c.status_code.in_([int(s) for s in RESOLVED]))
    # Only the rows that can count (received or done in the period, or still open), each found by an index.
    relevant = union(select(dossiers.c.id).where(dossiers.c.received_at >= since, dossiers.c.received_at < until),
                     select(dossiers.c.id).where(dossiers.c.done_at >= since, dossiers.c.done_at < until),
                     select(dossiers.c.id).where(dossiers.c.status_code.in_([int(s) for s in OPEN])))
    query = (select(dossiers.c.unit_id, dossiers.c.procedure,
                    _sum(and_(dossiers.c.received_at >= since, dossiers.c.received_at < until)).label("received"),
                    _sum(dossiers.c.status_code.in_([int(s) for s in OPEN])).label("open"),
                    _sum(in_period).label("done"),
                    _sum(and_(in_period, dossiers.c.result == "early")).label("early"),
                    _sum(and_(in_period, dossiers.c.result == "on_time")).label("on_time"),
                    _sum(and_(in_period, dossiers.c.result == "late")).label("late"),
                    _sum(and_(dossiers.c.status_code.in_([int(s) for s in RUNNING]),
                              dossiers.c.appointment_at < now)).label("overdue"))
             .where(dossiers.c.unit_id.in_(agency_ids), dossiers.c.id.in_(relevant),
                    citizens_only(conn, dossiers.c.procedure))  # internal cases are no citizen's figures
             .group_by(dossiers.c.unit_id, dossiers.c.procedure))
    return [(r.unit_id, r.procedure, Counts("", "", *(int(x) for x in r[2:]))) for r in conn.execute(query)]


def _rollup(pairs: list[tuple[str, str, Counts]]) -> list[Counts]:
    """Counts added up per key, sorted by key."""
    found: dict[str, Counts] = {}
    for key, label, counts in pairs:
        into = found.setdefault(key, Counts(key, label))
        for name in _FIGURES:
            setattr(into, name, getattr(into, name) + getattr(counts, name))
    return [found[k] for k in sorted(found)]


def _procedure_names(conn: Connection) -> dict[str, str]:
    rows = conn.execute(select(definitions.c.code, definitions.c.name).order_by(definitions.c.version))
    return {r.code: r.name for r in rows}


def _steps_by_unit(conn: Connection, agency_ids: list[int], since: dt.datetime, until: dt.datetime,
                   now: dt.datetime) -> list[Counts]:
    """Step results by the unit of the officer who did them (through the membership their role came from)."""
    done = and_(human_tasks.c.state == "completed", human_tasks.c.completed_at >= since,
                human_tasks.c.completed_at < until)
    role_match = (literal(",") + human_tasks.c.roles).like(literal("%,") + memberships.c.role_code + literal("%"))
    query = (select(units.c.code, units.c.name, _sum(done).label("done"),
                    _sum(and_(done, human_tasks.c.result == "early")).label("early"),
                    _sum(and_(done, human_tasks.c.result == "on_time")).label("on_time"),
                    _sum(and_(done, human_tasks.c.result == "late")).label("late"))
             .select_from(human_tasks.join(users, users.c.username == human_tasks.c.completed_by)
                          .join(memberships, memberships.c.user_id == users.c.id)
                          .join(units, units.c.id == memberships.c.unit_id))
             .where(human_tasks.c.unit_id.in_(agency_ids), done, role_match)
             .group_by(units.c.code, units.c.name).order_by(units.c.code))
    found = [Counts(r.code, r.name, 0, 0, int(r.done), int(r.early), int(r.on_time), int(r.late))
             for r in conn.execute(query)]
    overdue: dict[str, int] = dict(conn.execute(
        select(units.c.code, func.count()).select_from(
            human_tasks.join(users, users.c.username == human_tasks.c.assignee)
            .join(memberships, memberships.c.user_id == users.c.id).join(units, units.c.id == memberships.c.unit_id))
        .where(human_tasks.c.unit_id.in_(agency_ids), human_tasks.c.state.in_(OPEN_TASKS),
               human_tasks.c.due_at < now, role_match).group_by(units.c.code)).all())
    for c in found:
        c.overdue = int(overdue.get(c.key, 0))
    return found


def _overdue(conn: Connection, agency_ids: list[int], now: dt.datetime, limit: int) -> tuple[list, list]:
    dossier_rows = conn.execute(
        select(dossiers.c.code, dossiers.c.procedure, dossiers.c.applicant_name, dossiers.c.appointment_at,
               dossiers.c.status_code)
        .where(dossiers.c.unit_id.in_(agency_ids), dossiers.c.status_code.in_([int(s) for s in RUNNING]),
               dossiers.c.appointment_at < now, citizens_only(conn, dossiers.c.procedure))
        .order_by(dossiers.c.appointment_at).limit(limit))
    step_rows = conn.execute(
        select(instances.c.business_key.label("code"), human_tasks.c.task_uuid, human_tasks.c.name,
               human_tasks.c.assignee, func.nullif(users.c.full_name, "").label("assignee_name"),
               human_tasks.c.roles, human_tasks.c.due_at)
        .join(instances, instances.c.id == human_tasks.c.instance_id)
        .outerjoin(users, users.c.username == human_tasks.c.assignee)  # people read full names (issue 13)
        .where(human_tasks.c.unit_id.in_(agency_ids), human_tasks.c.state.in_(OPEN_TASKS),
               human_tasks.c.due_at < now)
        .order_by(human_tasks.c.due_at).limit(limit))
    return [r._asdict() for r in dossier_rows], [r._asdict() for r in step_rows]


def dashboard(db: Database, username: str, clock: Clock, since: dt.date, until: dt.date,
              overdue_limit: int = 50) -> Dashboard:
    """The figures for the agencies the user leads or oversees, dossiers received/done from `since` to `until`."""
    now = clock.now()
    start, end = _utc(since), _utc(until + dt.timedelta(days=1))
    with db.read() as conn:
        v = viewer(conn, username, now)
        paths = sorted({m.agency_path for m in v.memberships if m.role_kind in DASHBOARD_KINDS})
        agency_ids = [v.agency_ids[p] for p in paths if p in v.agency_ids]
        names = _procedure_names(conn)
        agencies = dict(conn.execute(select(units.c.id, units.c.code)).all()) if agency_ids else {}
        agency_names = dict(conn.execute(select(units.c.code, units.c.name)).all()) if agency_ids else {}
        pairs = _dossier_counts(conn, agency_ids, start, end, now) if agency_ids else []
        steps = _steps_by_unit(conn, agency_ids, start, end, now) if agency_ids else []
        overdue_dossiers, overdue_steps = _overdue(conn, agency_ids, now, overdue_limit)
    by_procedure = _rollup([(p, names.get(p, p), c) for _, p, c in pairs])
    by_agency = _rollup([(agencies[u], agency_names[agencies[u]], c) for u, _, c in pairs])
    total = _rollup([("", "", c) for _, _, c in pairs])[0] if pairs else Counts()
    names_of_agencies = [agency_names[agencies[i]] for i in agency_ids]
    return Dashboard(since, until, names_of_agencies, total, by_procedure, by_agency, steps, overdue_dossiers,
                     overdue_steps, ratings.summary(db, agency_ids, start, end) if agency_ids else {})


@dataclass(frozen=True)
class Month:
    """One month of the trend: dossiers received, and those done split early / on time / late."""

    month: dt.date  # its first day
    received: int
    done: int
    early: int
    on_time: int
    late: int


TREND_MONTHS = 24  # the trend shows at most the last two years of the period


def _months(since: dt.date, until: dt.date) -> list[dt.date]:
    first, last = since.replace(day=1), until.replace(day=1)
    found = []
    while first <= last:
        found.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return found[-TREND_MONTHS:]


def monthly(db: Database, username: str, clock: Clock, since: dt.date, until: dt.date) -> list[Month]:
    """The period's months (the last 24 at most), counted in one grouped pass like the dashboard.

    A month's columns are sums of conditions on the indexed received_at / done_at ranges rather than a
    GROUP BY on a date function, which SQLite and PostgreSQL spell differently.
    """
    now = clock.now()
    months = _months(since, until)
    if not months:
        return []
    bounds = [(_utc(m), _utc((m + dt.timedelta(days=32)).replace(day=1))) for m in months]
    start, end = bounds[0][0], bounds[-1][1]
    with db.read() as conn:
        v = viewer(conn, username, now)
        paths = sorted({m.agency_path for m in v.memberships if m.role_kind in DASHBOARD_KINDS})
        agency_ids = [v.agency_ids[p] for p in paths if p in v.agency_ids]
        if not agency_ids:
            return [Month(m, 0, 0, 0, 0, 0) for m in months]
        resolved = dossiers.c.status_code.in_([int(s) for s in RESOLVED])
        columns = []
        for a, b in bounds:
            got = and_(dossiers.c.received_at >= a, dossiers.c.received_at < b)
            done = and_(resolved, dossiers.c.done_at >= a, dossiers.c.done_at < b)
            columns += [_sum(got), _sum(done)] + [_sum(and_(done, dossiers.c.result == r))
                                                  for r in ("early", "on_time", "late")]
        relevant = union(select(dossiers.c.id).where(dossiers.c.received_at >= start, dossiers.c.received_at < end),
                         select(dossiers.c.id).where(dossiers.c.done_at >= start, dossiers.c.done_at < end))
        row = conn.execute(select(*columns).where(dossiers.c.unit_id.in_(agency_ids), dossiers.c.id.in_(relevant),
                                                  citizens_only(conn, dossiers.c.procedure))).one()
    values = [int(x) for x in row]
    return [Month(m, *values[i * 5:i * 5 + 5]) for i, m in enumerate(months)]
