"""Who may write on a case — comment, attach, ask for an apology, hand a step over (issue 12 defect 5).

Reading is wide on purpose: quality managers, auditors and administrators oversee every dossier of their
agency. Writing is narrower: it needs the right to read *and* a place in the case's chain —
* a leader or administrator of the case's agency (or of a unit above it),
* the head of the department one of the case's steps belongs to,
* the one-stop officers of its agency, who receive and complete dossiers,
* someone who works or worked one of its steps, started it, or stands in today for such a person.
A leader above an agency whose dossiers they cannot read (the district's vice-chair on a commune dossier) may
not write either: acting used to grant the visibility they lacked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, select

from . import organisation
from .access import COUNTER_ROLES, check_may_see, viewer
from .assignment import may_work, parse_roles
from .errors import NotFound, PermissionDenied
from .organisation import Membership
from .projection import OPEN
from .schema import events, human_tasks, instances, memberships, units

LEAD_KINDS = ("leader", "admin")


def leads_case(member: Iterable[Membership], case_path: str) -> bool:
    """True for a leader or administrator of the case's agency or of a unit above it."""
    return any(m.role_kind in LEAD_KINDS and case_path.startswith(m.unit_path) for m in member)


def heads_step(conn: Connection, member: Iterable[Membership], roles: str, case_path: str) -> bool:
    """True for the head of the department a step with these roles belongs to: the unit a `role@UNIT` names,
    or a unit of the case's agency where the step's role is held. The head of another department is not."""
    heads = [m.unit_path for m in member
             if m.role_kind in LEAD_KINDS and m.agency_path == case_path and m.unit_path != case_path]
    if not heads:
        return False
    refs = parse_roles(roles)
    scoped = organisation.unit_paths(conn, roles)
    places = {scoped[r.unit] for r in refs if r.unit and r.unit in scoped}
    plain = sorted({r.role for r in refs if not r.unit})
    if plain:
        places |= set(conn.execute(select(units.c.path).join(memberships, memberships.c.unit_id == units.c.id)
                                   .where(memberships.c.role_code.in_(plain),
                                          units.c.path.startswith(case_path))).scalars())
    return any(place.startswith(head) for place in places for head in heads)


def check_may_write(conn: Connection, actor: str, instance_id: int, now: dt.datetime) -> None:
    """Raise PermissionDenied unless the actor may read the case and has a place in its chain."""
    check_may_see(conn, actor, instance_id, now)
    case = conn.execute(select(instances.c.business_key, instances.c.started_by, units.c.path)
                        .join(units, units.c.id == instances.c.unit_id).where(instances.c.id == instance_id)).first()
    if case is None:
        raise NotFound.of("case_not_found", case=instance_id)
    v = viewer(conn, actor, now)
    people = {actor: v.memberships, **v.standing_in}
    if leads_case(v.memberships, case.path) or case.started_by in people or any(
            m.role in COUNTER_ROLES and m.agency_path == case.path for m in v.memberships):
        return
    names = list(people)
    if conn.execute(select(human_tasks.c.id).where(
            human_tasks.c.instance_id == instance_id,
            human_tasks.c.assignee.in_(names) | human_tasks.c.completed_by.in_(names)).limit(1)).first():
        return
    steps = list(conn.execute(select(human_tasks.c.roles, human_tasks.c.assignee, human_tasks.c.state)
                              .where(human_tasks.c.instance_id == instance_id)))
    for step in steps:
        paths = organisation.unit_paths(conn, step.roles) if "@" in step.roles else {}
        if step.state in OPEN and any(may_work(u, ms, step.roles, step.assignee, case.path, paths)
                                      for u, ms in people.items()):
            return
    if any(heads_step(conn, v.memberships, roles, case.path) for roles in {s.roles for s in steps}):
        return
    if conn.execute(select(events.c.id).where(events.c.case_id == instance_id, events.c.actor.in_(list(people)),
                                              events.c.lifecycle.in_(("complete", "claim")))).first():
        return  # worked a step that has since been removed from the projection (a migrated case)
    raise PermissionDenied.of("may_not_write_case", actor=actor, case=case.business_key or instance_id)
