"""Organisation: units (hierarchical), roles, users with password hashes, memberships."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from .admin_schema import login_attempts
from .clock import Clock, SystemClock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound
from .fastsql import Fast
from .inserted import inserted_id
from .schema import human_tasks, instances, memberships, roles, units, users

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
ROLE_KINDS = ("officer", "leader", "admin", "auditor", "quality")


@dataclass(frozen=True)
class Membership:
    """A user holds a role in a unit (and, through the unit's path, in the units below it)."""

    role: str
    unit_id: int
    unit_code: str
    unit_path: str
    agency_path: str
    role_kind: str


def hash_password(password: str) -> str:
    """A salted scrypt hash of a password, self-describing."""
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", {"password": "too short"})
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(stored: str, password: str) -> bool:
    """True when `password` matches the stored hash (constant-time comparison)."""
    try:
        _, salt, digest = stored.split("$")
        again = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), dklen=32, **_SCRYPT)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(again, base64.b64decode(digest))


def add_unit(db: Database, code: str, name: str, parent: str | None = None, kind: str = "department") -> int:
    """Create a unit under `parent` (a unit code) and return its id."""
    if not _CODE.match(code):
        raise InvalidInput(f"unit code '{code}' must be 1-40 letters, digits, _ . -")
    with db.write() as conn:
        parent_path, parent_agency, parent_id = "/", None, None
        if parent:
            row = unit_by_code(conn, parent)
            parent_id, parent_path, parent_agency = row.id, row.path, row.agency_path
        path = f"{parent_path}{code}/"
        agency_path = path if kind == "agency" or parent_agency is None else parent_agency
        try:
            result = conn.execute(insert(units).values(
                code=code, name=name, kind=kind, parent_id=parent_id, path=path, agency_path=agency_path))
        except IntegrityError:
            raise InvalidInput(f"unit '{code}' already exists") from None
        return inserted_id(result)


def unit_by_code(conn: Connection, code: str):
    """The unit row with this code, or NotFound."""
    row = conn.execute(select(units).where(units.c.code == code)).first()
    if row is None:
        raise NotFound.of("unit_not_found", unit=code)
    return row


def add_role(db: Database, code: str, name: str, kind: str = "officer") -> None:
    """Create a role (or update its name and kind)."""
    if not _CODE.match(code) or kind not in ROLE_KINDS:
        raise InvalidInput(f"role '{code}' needs a code of letters/digits/_ and a kind in {ROLE_KINDS}")
    with db.write() as conn:
        if conn.execute(select(roles.c.code).where(roles.c.code == code)).first():
            conn.execute(roles.update().where(roles.c.code == code).values(name=name, kind=kind))
        else:
            conn.execute(insert(roles).values(code=code, name=name, kind=kind))


def add_user(db: Database, clock: Clock, username: str, password: str | None, full_name: str = "",
             email: str | None = None, password_hash: str | None = None) -> int:
    """Create a user with a hashed password (or a hash made earlier) and return the id."""
    if not re.fullmatch(r"[a-z0-9_.-]{2,80}", username):
        raise InvalidInput("username must be 2-80 lowercase letters, digits, _ . -", {"username": "invalid"})
    hashed = password_hash or hash_password(password or "")
    with db.write() as conn:
        try:
            result = conn.execute(insert(users).values(
                username=username, full_name=full_name or username, email=email,
                password_hash=hashed, active=True, created_at=clock.now()))
        except IntegrityError:
            raise InvalidInput(f"user '{username}' already exists", {"username": "taken"}) from None
        return inserted_id(result)


def grant(db: Database, username: str, role: str, unit: str) -> None:
    """Give a user a role in a unit (idempotent)."""
    with db.write() as conn:
        grant_in(conn, username, role, unit)


def grant_in(conn: Connection, username: str, role: str, unit: str) -> bool:
    """Core of grant, in the caller's transaction (processes/admin.py); True when the membership is new."""
    user = user_by_name(conn, username)
    unit_row = unit_by_code(conn, unit)
    if conn.execute(select(roles.c.code).where(roles.c.code == role)).first() is None:
        raise NotFound.of("role_not_found", role=role)
    exists = conn.execute(select(memberships.c.id).where(
        memberships.c.user_id == user.id, memberships.c.role_code == role,
        memberships.c.unit_id == unit_row.id)).first()
    if exists is None:
        conn.execute(insert(memberships).values(user_id=user.id, role_code=role, unit_id=unit_row.id))
    return exists is None


def revoke(db: Database, username: str, role: str, unit: str) -> None:
    """Take a role in a unit away from a user; refused while they hold open steps that need that role."""
    with db.write() as conn:
        revoke_in(conn, username, role, unit)


def revoke_in(conn: Connection, username: str, role: str, unit: str) -> None:
    """Core of revoke, in the caller's transaction (processes/admin.py)."""
    user = user_by_name(conn, username)
    unit_row = unit_by_code(conn, unit)
    held = conn.execute(select(memberships.c.id).where(
        memberships.c.user_id == user.id, memberships.c.role_code == role,
        memberships.c.unit_id == unit_row.id)).first()
    if held is None:
        raise NotFound.of("membership_not_held", user=username, role=role, unit=unit)
    claimed = [r.business_key for r in conn.execute(
        select(human_tasks.c.roles, instances.c.business_key)
        .join(instances, instances.c.id == human_tasks.c.instance_id)
        .where(human_tasks.c.assignee == username, human_tasks.c.state == "claimed"))
        if role in {ref.strip().partition("@")[0] for ref in r.roles.split(",")}]
    if claimed:
        # Their steps would sit in an inbox nobody else sees; a leader releases or reassigns them first.
        raise ConflictError.of("membership_needed_by_claimed_steps", user=username, role=role,
                               cases=", ".join(sorted(set(claimed))))
    conn.execute(delete(memberships).where(memberships.c.id == held.id))


def user_by_name(conn: Connection, username: str):
    """The active user row with this username, or NotFound."""
    row = conn.execute(select(users).where(users.c.username == username, users.c.active.is_(True))).first()
    if row is None:
        raise NotFound.of("active_user_not_found", user=username)
    return row


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(db: Database, username: str, password: str, clock: Clock | None = None, source: str = "") -> bool:
    """True when the username exists, is active and the password matches; every attempt is recorded.

    An unknown or inactive username costs one scrypt like a known one (a dummy hash is checked), so the
    answer's timing does not tell which usernames exist.
    """
    name = username.replace("\x00", "")  # PostgreSQL refuses NUL in text; such a name matches no user
    with db.read() as conn:
        row = conn.execute(select(users.c.password_hash).where(
            users.c.username == name, users.c.active.is_(True))).first() if name == username else None
    matches = check_password(row.password_hash if row is not None else _dummy_hash(), password)
    ok = row is not None and matches
    with db.write() as conn:
        conn.execute(insert(login_attempts).values(username=name[:80], at=(clock or SystemClock()).now(),
                                                   success=ok, source=source[:64]))
    return ok


_MEMBERSHIPS = Fast(
    select(memberships.c.role_code, units.c.id, units.c.code, units.c.path, units.c.agency_path, roles.c.kind)
    .join(users, users.c.id == memberships.c.user_id)
    .join(units, units.c.id == memberships.c.unit_id)
    .join(roles, roles.c.code == memberships.c.role_code)
    .where(users.c.username == bindparam("b_username"), users.c.active.is_(True))
)


def memberships_of(conn: Connection, username: str) -> list[Membership]:
    """Every role the user holds, with the unit it is held in."""
    if "\x00" in username:
        return []  # PostgreSQL refuses NUL in text; such a name can hold no role
    rows = _MEMBERSHIPS.execute(conn, {"b_username": username})
    return [Membership(r.role_code, r.id, r.code, r.path, r.agency_path, r.kind) for r in rows]


def unit_paths(conn: Connection, roles: str) -> dict[str, str]:
    """Paths of the units named in `role@UNIT` references (empty when none is scoped)."""
    codes = [r.split("@", 1)[1] for r in roles.split(",") if "@" in r]
    if not codes:
        return {}
    return {r.code: r.path for r in conn.execute(select(units.c.code, units.c.path).where(units.c.code.in_(codes)))}


def department_of(conn: Connection) -> dict[tuple[str, str], str]:
    """(username, role) → the code of the unit where the user holds that role; (username, "") → their first unit."""
    query = (select(users.c.username, memberships.c.role_code, units.c.code)
             .join(memberships, memberships.c.user_id == users.c.id)
             .join(units, units.c.id == memberships.c.unit_id).order_by(memberships.c.id))
    out: dict[tuple[str, str], str] = {}
    for r in conn.execute(query):
        out[(r.username, r.role_code)] = r.code
        out.setdefault((r.username, ""), r.code)
    return out


def actor_roles(conn: Connection) -> dict[str, set[str]]:
    """username → {role@UNIT, …}, the form the conformance checker reads."""
    out: dict[str, set[str]] = {}
    for (username, role), unit in department_of(conn).items():
        if role:
            out.setdefault(username, set()).add(f"{role}@{unit}")
    return out


def unit_names(conn: Connection) -> dict[str, str]:
    """Unit code → unit name, for every unit."""
    return {r.code: r.name for r in conn.execute(select(units.c.code, units.c.name))}


def unit_codes(conn: Connection) -> dict[int, str]:
    """Unit id → unit code, for every unit."""
    return {r.id: r.code for r in conn.execute(select(units.c.id, units.c.code))}


@dataclass(frozen=True)
class UnitNode:
    """One unit with where it sits: its path, the path of the agency it belongs to, its parent."""

    id: int
    code: str
    path: str
    agency_path: str
    parent_id: int | None


def unit_tree(conn: Connection) -> list[UnitNode]:
    """Every unit, in id order (parents were created before their children)."""
    rows = conn.execute(select(units.c.id, units.c.code, units.c.path, units.c.agency_path, units.c.parent_id)
                        .order_by(units.c.id))
    return [UnitNode(r.id, r.code, r.path, r.agency_path, r.parent_id) for r in rows]


@dataclass(frozen=True)
class RoleHolder:
    """An active user holding a role in a unit (unit_path, agency_path: where the unit and its agency sit)."""

    username: str
    role_code: str
    role_kind: str
    unit_code: str
    unit_path: str
    agency_path: str


def role_holders(conn: Connection) -> list[RoleHolder]:
    """Every role held by an active user, by username then in the order the roles were granted."""
    query = (select(users.c.username, memberships.c.role_code, roles.c.kind, units.c.code, units.c.path,
                    units.c.agency_path)
             .join(memberships, memberships.c.user_id == users.c.id).join(units, units.c.id == memberships.c.unit_id)
             .join(roles, roles.c.code == memberships.c.role_code).where(users.c.active.is_(True))
             .order_by(users.c.username, memberships.c.id))
    return [RoleHolder(r.username, r.role_code, r.kind, r.code, r.path, r.agency_path) for r in conn.execute(query)]


def roles_held_in(conn: Connection, unit_id: int, kinds: tuple[str, ...]) -> set[str]:
    """The codes of the roles of these kinds (e.g. officer, leader) that members of a unit hold."""
    return set(conn.execute(select(memberships.c.role_code).join(roles, roles.c.code == memberships.c.role_code)
                            .where(memberships.c.unit_id == unit_id, roles.c.kind.in_(kinds))).scalars())


def top_agency_name(conn: Connection) -> str:
    """The name of the topmost agency (printed in document headers), or '' before any unit exists."""
    row = conn.execute(select(units.c.name).where(units.c.parent_id.is_(None)).order_by(units.c.id)).first()
    return row.name if row else ""


def role_directory(db: Database) -> list[dict[str, str]]:
    """Every role as code and name, by code (the modeler offers them for lanes)."""
    with db.read() as conn:
        return [{"code": r.code, "name": r.name}  # a retired role is offered for no new lane
                for r in conn.execute(select(roles.c.code, roles.c.name).where(roles.c.retired_at.is_(None))
                                      .order_by(roles.c.code))]
