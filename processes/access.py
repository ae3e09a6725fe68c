"""Who may see what, as Python checks and as SQL conditions (the same rules as processes/assignment.py).

* A step is open to a user when it is assigned to them, or unassigned and one of their roles grants it
  (``role`` in the case's agency, ``role@UNIT`` in that unit or below); a substitute gets the same for the
  users they stand in for today.
* A case is visible to the people who may work one of its open steps, who acted on it, the one-stop
  officers of its agency, and the agency's leaders, quality managers, auditors and administrators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from . import organisation, substitutes
from .assignment import may_work
from .errors import NotFound, PermissionDenied
from .inbox_index import open_pairs
from .organisation import Membership
from .projection import OPEN
from .schema import events, human_tasks, instances, units

OVERSIGHT_KINDS = ("leader", "admin", "quality", "auditor")
COUNTER_ROLES = ("mot_cua",)


@dataclass
class Viewer:
    """A user as the queries need them: memberships, the users they stand in for, the agencies they oversee."""

    username: str
    memberships: list[Membership]
    standing_in: dict[str, list[Membership]] = field(default_factory=dict)
    agency_ids: dict[str, int] = field(default_factory=dict)  # agency path -> unit id
    granted: list[tuple[str, int]] | None = None  # (roles, unit id) of queued steps open to them

    @property
    def oversees(self) -> set[str]:
        """Agency paths where the user sees every dossier (leaders, quality, counter officers)."""
        return {m.agency_path for m in self.memberships
                if m.role_kind in OVERSIGHT_KINDS or m.role in COUNTER_ROLES}

    @property
    def leads(self) -> set[str]:
        """Agency paths where the user holds a leader or administrator role."""
        return {m.agency_path for m in self.memberships if m.role_kind in ("leader", "admin")}

    def is_kind(self, *kinds: str) -> bool:
        """True when one of the user's roles is of these kinds."""
        return any(m.role_kind in kinds for m in self.memberships)


def viewer(conn: Connection, username: str, now: dt.datetime) -> Viewer:
    """Load a user's memberships and today's delegations."""
    member = organisation.memberships_of(conn, username)
    standing = {u: organisation.memberships_of(conn, u)
                for u in substitutes.delegators(conn, username, now.astimezone(substitutes.VN).date())}
    paths = {m.agency_path for ms in [member, *standing.values()] for m in ms}
    ids = {r.path: r.id for r in conn.execute(select(units.c.id, units.c.path).where(units.c.path.in_(paths)))}
    found = Viewer(username, member, standing, ids)
    found.granted = _granted_pairs(conn, found)
    return found


def _granted_pairs(conn: Connection, v: Viewer) -> list[tuple[str, int]]:
    """The (roles, unit) combinations of unassigned open steps the user (or whom they stand in for) may work.

    Decided by assignment.may_work itself over the few distinct combinations the open steps carry, so the
    SQL inbox and the completion check can never disagree.
    """
    # (a loose index scan: one seek per distinct pair, whatever the number of open steps)
    combos = open_pairs(conn)
    paths = dict(conn.execute(select(units.c.id, units.c.path).where(
        units.c.id.in_(sorted({unit_id for _, unit_id in combos})))).all())
    people = {v.username: v.memberships, **v.standing_in}
    found = []
    for roles, unit_id in combos:
        scoped = organisation.unit_paths(conn, roles) if "@" in roles else {}
        if unit_id in paths and any(may_work(u, ms, roles, None, paths[unit_id], scoped) for u, ms in people.items()):
            found.append((roles, unit_id))
    return found


def task_condition(v: Viewer, mine_only: bool = False, queue_only: bool = False) -> ColumnElement:
    """SQL over human_tasks: open steps in the user's inbox (assigned to them, or in their roles' queues)."""
    assigned = human_tasks.c.assignee.in_(sorted({v.username, *v.standing_in}))
    pairs = v.granted or []
    queued = and_(human_tasks.c.assignee.is_(None),
                  or_(*[and_(human_tasks.c.roles == roles, human_tasks.c.unit_id == unit) for roles, unit in pairs])
                  if pairs else false())
    who = assigned if mine_only else queued if queue_only else or_(assigned, queued)
    return and_(human_tasks.c.state.in_(OPEN), who)


def case_condition(v: Viewer) -> ColumnElement:
    """SQL over instances: the cases a user may see (see the module docstring).

    The steps part is one EXISTS correlated to the case (a seek on ix_tasks_instance per case the query
    reaches), not "id IN (every case the user ever worked)": that list is read from every step of the
    province whatever the search, which made an ID number search a scan of human_tasks (issue 15 item 3).
    """
    overseen = sorted(v.agency_ids[p] for p in v.oversees if p in v.agency_ids)
    people = sorted({v.username, *v.standing_in})
    started = instances.c.started_by.in_(people)
    steps = select(human_tasks.c.id).where(
        human_tasks.c.instance_id == instances.c.id,
        or_(human_tasks.c.assignee.in_(people), human_tasks.c.completed_by.in_(people), task_condition(v)))
    return or_(instances.c.unit_id.in_(overseen), started, steps.exists())


def may_see_case(conn: Connection, username: str, instance_id: int, now: dt.datetime) -> bool:
    """True when the user may see this case (its data, timeline, attachments, comments)."""
    v = viewer(conn, username, now)
    row = conn.execute(select(instances.c.id, units.c.path).join(units, units.c.id == instances.c.unit_id)
                       .where(instances.c.id == instance_id)).first()
    if row is None:
        raise NotFound.of("case_not_found", case=instance_id)
    if row.path in v.oversees:
        return True
    people = [v.username, *v.standing_in]
    if conn.execute(select(events.c.id).where(events.c.case_id == instance_id, events.c.actor.in_(people))
                    .limit(1)).first():
        return True
    open_rows = conn.execute(select(human_tasks.c.roles, human_tasks.c.assignee).where(
        human_tasks.c.instance_id == instance_id, human_tasks.c.state.in_(OPEN)))
    for t in open_rows:
        paths = organisation.unit_paths(conn, t.roles) if "@" in t.roles else {}
        if any(may_work(u, ms, t.roles, t.assignee, row.path, paths)
               for u, ms in {v.username: v.memberships, **v.standing_in}.items()):
            return True
    return False


def check_may_see(conn: Connection, username: str, instance_id: int, now: dt.datetime) -> None:
    """Raise PermissionDenied unless the user may see the case."""
    if not may_see_case(conn, username, instance_id, now):
        # People know a dossier by its code (H01-…), never by the row id.
        code = conn.execute(select(instances.c.business_key).where(instances.c.id == instance_id)).scalar()
        raise PermissionDenied.of("may_not_see_case", actor=username, case=code or instance_id)


def may_act(conn: Connection, username: str, task_row: Any, scope_path: str, now: dt.datetime) -> bool:
    """True when the user may complete this open step (themselves, or standing in for its person)."""
    if task_row.state not in OPEN:
        return False
    paths = organisation.unit_paths(conn, task_row.roles) if "@" in task_row.roles else {}
    if may_work(username, organisation.memberships_of(conn, username), task_row.roles, task_row.assignee,
                scope_path, paths):
        return True
    return substitutes.stands_in(conn, username, task_row.roles, task_row.assignee, scope_path, paths, now) is not None


def audited_agencies(conn: Connection, username: str) -> set[str]:
    """Codes of the agencies whose audits the user reads: where they hold a leader, administrator, quality or
    auditor role. A commune chair reads the commune's, a district leader the district's (issue 12)."""
    paths = sorted({m.agency_path for m in organisation.memberships_of(conn, username)
                    if m.role_kind in OVERSIGHT_KINDS})
    return set(conn.execute(select(units.c.code).where(units.c.path.in_(paths))).scalars())


def overseen_agencies(conn: Connection, username: str) -> list[Any]:
    """(id, code, name) of the agencies whose every dossier the user sees (counter officers and overseers)."""
    paths = sorted({m.agency_path for m in organisation.memberships_of(conn, username)
                    if m.role_kind in OVERSIGHT_KINDS or m.role in COUNTER_ROLES})
    return list(conn.execute(select(units.c.id, units.c.code, units.c.name).where(units.c.path.in_(paths))
                             .order_by(units.c.path)))
