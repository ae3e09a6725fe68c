"""What an administrator reads about their units: the unit tree with roles and holders, the delegations.

Read-only companions of processes/admin.py, with the same scope: an agency's administrator sees the units at
or below the ones they administer, and the delegations (ủy quyền) of the people who hold a role there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .admin import Actor, administrator, unit_paths_by_user
from .db import Database
from .schema import memberships, roles, units, users
from .workspace_schema import substitutes


@dataclass(frozen=True)
class Holder:
    """Someone holding a role in a unit (an inactive account still holds it until revoked)."""

    username: str
    full_name: str
    role_code: str
    role_name: str
    active: bool


@dataclass(frozen=True)
class UnitEntry:
    """One unit of the tree: depth 0 is the top of what the administrator sees."""

    code: str
    name: str
    kind: str
    parent: str | None
    depth: int
    holders: tuple[Holder, ...]


def unit_tree(db: Database, actor: Actor) -> list[UnitEntry]:
    """The administrator's units, each parent followed by its children (by name), with every role's holders."""
    with db.read() as conn:
        admin = administrator(conn, actor)
        rows = [r for r in conn.execute(select(units.c.id, units.c.code, units.c.name, units.c.kind, units.c.path,
                                                units.c.parent_id)) if admin.covers(r.path)]
        held: dict[int, list[Holder]] = {}
        for r in conn.execute(select(memberships.c.unit_id, users.c.username, users.c.full_name, users.c.active,
                                     roles.c.code, roles.c.name)
                              .join(users, users.c.id == memberships.c.user_id)
                              .join(roles, roles.c.code == memberships.c.role_code)
                              .order_by(roles.c.name, users.c.full_name)):
            held.setdefault(r.unit_id, []).append(Holder(r.username, r.full_name, r.code, r.name, r.active))
    by_id = {r.id: r for r in rows}
    children: dict[int | None, list] = {}
    for r in rows:
        parent = r.parent_id if r.parent_id in by_id else None  # the top of the visible part
        children.setdefault(parent, []).append(r)
    found: list[UnitEntry] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda u: (u.name, u.code)):
            up = by_id.get(r.parent_id) if r.parent_id is not None else None
            found.append(UnitEntry(r.code, r.name, r.kind, up.code if up else None, depth,
                                   tuple(held.get(r.id, []))))
            walk(r.id, depth + 1)

    walk(None, 0)
    return found


@dataclass(frozen=True)
class Delegation:
    """A delegation as the overview lists it, with both people's full names and where it stands on `today`."""

    id: int
    username: str
    full_name: str
    substitute: str
    substitute_name: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    created_by: str
    state: str  # current, upcoming, ended, revoked


def _state(revoked: bool, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> str:
    if revoked:
        return "revoked"
    if ends_on < today:
        return "ended"
    return "upcoming" if starts_on > today else "current"


def delegations(db: Database, actor: Actor, today: dt.date, include_past: bool = False) -> list[Delegation]:
    """Delegations given by people of the administrator's units: in force and upcoming (all with include_past),
    by start date."""
    with db.read() as conn:
        admin = administrator(conn, actor)
        paths = unit_paths_by_user(conn)
        names = dict(conn.execute(select(users.c.username, users.c.full_name)).all())
        query = select(substitutes).order_by(substitutes.c.starts_on, substitutes.c.id)
        if not include_past:
            query = query.where(substitutes.c.ends_on >= today, substitutes.c.revoked.is_(False))
        found = []
        for r in conn.execute(query):
            held = paths.get(r.username, [])
            if admin.everywhere or (held and any(admin.covers(p) for p in held)):
                found.append(Delegation(r.id, r.username, names.get(r.username) or r.username, r.substitute,
                                        names.get(r.substitute) or r.substitute, r.starts_on, r.ends_on,
                                        r.reason or "", r.created_by or "",
                                        _state(r.revoked, r.starts_on, r.ends_on, today)))
    return found


@dataclass(frozen=True)
class Names:
    """What the administration pages print instead of codes: people's full names, role and unit names."""

    people: dict[str, str]
    roles: dict[str, str]
    units: dict[str, str]


def names(db: Database) -> Names:
    """Every username, role code and unit code with the name a person reads (a few hundred rows at most)."""
    with db.read() as conn:
        return Names({r.username: r.full_name for r in conn.execute(select(users.c.username, users.c.full_name))},
                     {r.code: r.name for r in conn.execute(select(roles.c.code, roles.c.name))},
                     {r.code: r.name for r in conn.execute(select(units.c.code, units.c.name))})
