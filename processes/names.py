"""What people read instead of codes: role names, unit names, and the roles a user holds, in words.

Read-only lookups for pages and documents (a role code "mot_cua" reads "Bộ phận một cửa", a unit code
"H01.MC" reads its name, followed by its agency's when they differ).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .db import Database
from .schema import memberships, roles, units, users


@dataclass(frozen=True)
class Held:
    """A role a user holds, by name: "Bộ phận một cửa" in "Bộ phận một cửa" of "UBND huyện An Phú"."""

    role: str
    role_name: str
    unit: str
    unit_name: str
    agency_name: str  # the agency the unit belongs to; equal to unit_name for an agency itself


def role_names(db: Database) -> dict[str, str]:
    """Role code → role name, for every role."""
    with db.read() as conn:
        return {r.code: r.name for r in conn.execute(select(roles.c.code, roles.c.name))}


def held_by(db: Database, username: str) -> list[Held]:
    """The roles `username` holds, with the names of the role, the unit and its agency."""
    with db.read() as conn:
        by_path = {r.path: r.name for r in conn.execute(select(units.c.path, units.c.name))}
        rows = conn.execute(select(memberships.c.role_code, roles.c.name.label("role_name"), units.c.code,
                                   units.c.name, units.c.agency_path)
                            .join(users, users.c.id == memberships.c.user_id)
                            .join(roles, roles.c.code == memberships.c.role_code)
                            .join(units, units.c.id == memberships.c.unit_id)
                            .where(users.c.username == username).order_by(memberships.c.id))
        return [Held(r.role_code, r.role_name, r.code, r.name, by_path.get(r.agency_path, r.name)) for r in rows]
