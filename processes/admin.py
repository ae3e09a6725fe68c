"""Administration: roles, memberships and the administration history, within an administrator's scope.

Who administers what: a user holding a role of kind "admin" (quan_tri) in a unit administers that unit and
the units below it (its path is a prefix of theirs). One who holds it in a top unit administers everything,
including the roles, which every agency shares. Someone at the server's shell (the CLI) is an `Operator`:
they could change the database directly anyway, so they administer everything, and are logged as cli:<name>.

Every use case here checks that scope, changes the tables and writes one row to the administration log
(processes/adminlog.py) in the same unit of work: the action and its record commit together or not at all.
Users (create, edit, deactivate, passwords) are in processes/admin_users.py, the staff import in
processes/staff_import.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from . import adminlog, organisation
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from .schema import definitions, memberships, roles, units, users
from .uow import UnitOfWork, unit_of_work

ADMIN_KIND = "admin"
_ROLE_CODE = re.compile(r"^[a-z0-9_.-]{1,60}$")


@dataclass(frozen=True)
class Operator:
    """Someone at the server's shell (the `quytrinh` command): administers everything."""

    name: str

    @property
    def recorded(self) -> str:
        return f"cli:{self.name}"


Actor = str | Operator


@dataclass(frozen=True)
class Administrator:
    """Who is acting and where: the unit paths they administer (everywhere: every unit and the roles)."""

    recorded: str
    paths: tuple[str, ...]
    everywhere: bool

    def covers(self, path: str) -> bool:
        """True when the unit at `path` is one they administer."""
        return self.everywhere or any(path.startswith(p) for p in self.paths)

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The unit paths of their scope for history filters (None: everything)."""
        return None if self.everywhere else self.paths


def administrator(conn: Connection, actor: Actor) -> Administrator:
    """The administrator acting (PermissionDenied when `actor` administers nothing)."""
    if isinstance(actor, Operator):
        return Administrator(actor.recorded, ("/",), True)
    held = [m for m in organisation.memberships_of(conn, actor) if m.role_kind == ADMIN_KIND]
    if not held:
        raise PermissionDenied.of("not_an_administrator", actor=actor)
    paths = tuple(sorted({m.unit_path for m in held}))
    roots = {r.path for r in conn.execute(select(units.c.path).where(units.c.parent_id.is_(None)))}
    return Administrator(actor, paths, bool(roots & set(paths)))


def is_administrator(db: Database, username: str) -> bool:
    """True when the user administers some unit (the pages show the administration menu)."""
    with db.read() as conn:
        return any(m.role_kind == ADMIN_KIND for m in organisation.memberships_of(conn, username))


def require_unit(conn: Connection, admin: Administrator, unit_code: str):
    """The unit row, when `admin` administers it (PermissionDenied otherwise, NotFound when none)."""
    if "\x00" in unit_code:  # PostgreSQL refuses NUL in text: no unit has such a code
        raise NotFound.of("unit_not_found", unit=unit_code.replace("\x00", ""))
    row = organisation.unit_by_code(conn, unit_code)
    if not admin.covers(row.path):
        raise PermissionDenied.of("outside_admin_scope", actor=admin.recorded, target=unit_code)
    return row


def user_unit_paths(conn: Connection, username: str) -> list[str]:
    """The paths of the units where a user (active or not) holds a role."""
    return list(conn.execute(select(units.c.path).join(memberships, memberships.c.unit_id == units.c.id)
                             .join(users, users.c.id == memberships.c.user_id)
                             .where(users.c.username == username)).scalars())


def unit_paths_by_user(conn: Connection) -> dict[str, list[str]]:
    """username → the paths of the units they hold a role in (one query, for lists)."""
    found: dict[str, list[str]] = {}
    for username, path in conn.execute(select(users.c.username, units.c.path)
                                       .join(memberships, memberships.c.user_id == users.c.id)
                                       .join(units, units.c.id == memberships.c.unit_id)):
        found.setdefault(username, []).append(path)
    return found


def require_user(conn: Connection, admin: Administrator, username: str):
    """The user row (active or not) when every unit they hold a role in is administered by `admin`.

    A user without any role belongs to no agency yet: any administrator may manage them (and grant them one).
    """
    row = conn.execute(select(users).where(users.c.username == username)).first() if "\x00" not in username \
        else None
    if row is None:
        raise NotFound.of("user_not_found", user=username)
    outside = [p for p in user_unit_paths(conn, username) if not admin.covers(p)]
    if outside:
        raise PermissionDenied.of("outside_admin_scope", actor=admin.recorded, target=username)
    return row


def require_everywhere(admin: Administrator) -> None:
    """Roles are shared by every agency: only an administrator of the whole organisation changes them."""
    if not admin.everywhere:
        raise PermissionDenied.of("roles_need_global_admin", actor=admin.recorded)


# ---- roles ----

@dataclass(frozen=True)
class RoleView:
    """A role as the administration pages list it."""

    code: str
    name: str
    kind: str
    retired: bool
    holders: int


def list_roles(db: Database, include_retired: bool = False) -> list[RoleView]:
    """Every role with how many active users hold it, by code."""
    held = (select(memberships.c.role_code, func.count(memberships.c.id).label("n"))
            .join(users, users.c.id == memberships.c.user_id).where(users.c.active.is_(True))
            .group_by(memberships.c.role_code).subquery())
    query = (select(roles.c.code, roles.c.name, roles.c.kind, roles.c.retired_at, held.c.n)
             .outerjoin(held, held.c.role_code == roles.c.code).order_by(roles.c.code))
    if not include_retired:
        query = query.where(roles.c.retired_at.is_(None))
    with db.read() as conn:
        return [RoleView(r.code, r.name, r.kind, r.retired_at is not None, r.n or 0) for r in conn.execute(query)]


def _role(conn: Connection, code: str):
    row = conn.execute(select(roles).where(roles.c.code == code)).first() if "\x00" not in code else None
    if row is None:
        raise NotFound.of("role_not_found", role=code)
    return row


def add_role_in(uow: UnitOfWork, actor: Actor, code: str, name: str, kind: str, now: dt.datetime) -> None:
    """Core of add_role."""
    name = (name or "").replace("\x00", "")  # PostgreSQL refuses NUL in text; it means nothing in a name
    admin = administrator(uow.conn, actor)
    require_everywhere(admin)
    if not _ROLE_CODE.match(code or ""):
        raise InvalidInput.of("role_code_invalid", {"code": "invalid"}, code=code)
    if kind not in organisation.ROLE_KINDS:
        raise InvalidInput.of("role_kind_invalid", {"kind": "invalid"}, kind=kind,
                              kinds=", ".join(organisation.ROLE_KINDS))
    if not (name or "").strip():
        raise InvalidInput.of("role_name_required", {"name": "required"})
    if uow.conn.execute(select(roles.c.code).where(roles.c.code == code)).first() is not None:
        raise ConflictError.of("role_exists", role=code)
    uow.conn.execute(insert(roles).values(code=code, name=name.strip()[:300], kind=kind))
    adminlog.record(uow.conn, admin.recorded, "role.add", code, now, name=name.strip()[:300], kind=kind)


def add_role(db: Database, actor: Actor, code: str, name: str, kind: str, clock: Clock) -> None:
    """Add a role that procedures' lanes may name and users may be given."""
    with unit_of_work(db) as uow:
        add_role_in(uow, actor, code, name, kind, clock.now())


def rename_role_in(uow: UnitOfWork, actor: Actor, code: str, name: str, now: dt.datetime) -> None:
    """Core of rename_role."""
    name = (name or "").replace("\x00", "")
    admin = administrator(uow.conn, actor)
    require_everywhere(admin)
    row = _role(uow.conn, code)
    if not (name or "").strip():
        raise InvalidInput.of("role_name_required", {"name": "required"})
    uow.conn.execute(update(roles).where(roles.c.code == code).values(name=name.strip()[:300]))
    adminlog.record(uow.conn, admin.recorded, "role.rename", code, now, before=row.name, name=name.strip()[:300])


def rename_role(db: Database, actor: Actor, code: str, name: str, clock: Clock) -> None:
    """Change a role's name (its code, which lanes and memberships name, stays)."""
    with unit_of_work(db) as uow:
        rename_role_in(uow, actor, code, name, clock.now())


def procedures_using(uow: UnitOfWork, role: str) -> list[str]:
    """The codes of the procedures in force with a step (lane) for this role."""
    found = []
    for definition_id, code in uow.conn.execute(select(definitions.c.id, definitions.c.code)
                                                .where(definitions.c.status == "active")):
        steps = uow.procedure(definition_id).steps.values()
        if any(ref.partition("@")[0] == role for step in steps for ref in step.roles):
            found.append(code)
    return sorted(set(found))


def retire_role_in(uow: UnitOfWork, actor: Actor, code: str, now: dt.datetime) -> None:
    """Core of retire_role."""
    admin = administrator(uow.conn, actor)
    require_everywhere(admin)
    row = _role(uow.conn, code)
    if row.retired_at is not None:
        raise ConflictError.of("role_retired", role=code)
    in_force = procedures_using(uow, code)
    if in_force:
        raise ConflictError.of("role_in_use_by_procedure", role=code, procedures=", ".join(in_force))
    holders = sorted(set(uow.conn.execute(
        select(users.c.username).join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.role_code == code)).scalars()))
    if holders:
        raise ConflictError.of("role_in_use_by_holders", role=code, count=len(holders),
                               users=", ".join(holders[:10]))
    uow.conn.execute(update(roles).where(roles.c.code == code).values(retired_at=now))
    adminlog.record(uow.conn, admin.recorded, "role.retire", code, now)


def retire_role(db: Database, actor: Actor, code: str, clock: Clock) -> None:
    """Retire a role: refused while a procedure in force has a lane for it or anyone holds it."""
    with unit_of_work(db) as uow:
        retire_role_in(uow, actor, code, clock.now())


# ---- memberships ----

def grant_in(uow: UnitOfWork, actor: Actor, username: str, role: str, unit: str, now: dt.datetime) -> bool:
    """Core of grant: True when the membership is new (a repeated grant writes nothing, logs nothing)."""
    admin = administrator(uow.conn, actor)
    unit_row = require_unit(uow.conn, admin, unit)
    if _role(uow.conn, role).retired_at is not None:
        raise ConflictError.of("role_retired", role=role)
    require_user(uow.conn, admin, username)
    created = organisation.grant_in(uow.conn, username, role, unit)
    if created:
        adminlog.record(uow.conn, admin.recorded, "membership.grant", username, now, [unit_row.path],
                        role=role, unit=unit)
    return created


def grant(db: Database, actor: Actor, username: str, role: str, unit: str, clock: Clock) -> bool:
    """Give a user a role in a unit the administrator administers."""
    with unit_of_work(db) as uow:
        return grant_in(uow, actor, username, role, unit, clock.now())


def revoke_in(uow: UnitOfWork, actor: Actor, username: str, role: str, unit: str, now: dt.datetime) -> None:
    """Core of revoke: the refusal rules of organisation.revoke (claimed steps needing the role)."""
    admin = administrator(uow.conn, actor)
    unit_row = require_unit(uow.conn, admin, unit)
    organisation.revoke_in(uow.conn, username, role, unit)
    adminlog.record(uow.conn, admin.recorded, "membership.revoke", username, now, [unit_row.path],
                    role=role, unit=unit)


def revoke(db: Database, actor: Actor, username: str, role: str, unit: str, clock: Clock) -> None:
    """Take a role in a unit the administrator administers away from a user."""
    with unit_of_work(db) as uow:
        revoke_in(uow, actor, username, role, unit, clock.now())


# ---- history ----

def history(db: Database, actor: Actor, limit: int = 200, before_seq: int | None = None) -> list[adminlog.AdminEvent]:
    """The administration log, newest first, as far as the administrator's scope reaches."""
    with db.read() as conn:
        admin = administrator(conn, actor)
        return adminlog.history(conn, max(1, min(limit, 1000)), before_seq, admin.scope, admin.recorded)


def units_in_scope(db: Database, actor: Actor) -> list[organisation.UnitNode]:
    """The units the administrator administers, parents before children (the organisation page's tree)."""
    with db.read() as conn:
        admin = administrator(conn, actor)
        return [u for u in organisation.unit_tree(conn) if admin.covers(u.path)]


def paths_of(conn: Connection, unit_codes: Iterable[str]) -> list[str]:
    """The paths of these units (for the log's `units`)."""
    codes = list(unit_codes)
    if not codes:
        return []
    return list(conn.execute(select(units.c.path).where(units.c.code.in_(codes))).scalars())
