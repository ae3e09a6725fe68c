"""Administration of users: create, edit, deactivate, reactivate, reset a password; a user's own password.

Scope and logging as in processes/admin.py: each use case checks that the administrator administers every
unit the user holds a role in, changes the user and writes the administration log in one unit of work.
Ending a user's web sessions (deactivation, a reset, a password change) is processes.sessions' job; it runs
once the change has committed, so a refused or rolled-back change logs nobody out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import adminlog, organisation, sessions, tokens
from .admin import Actor, administrator, require_user, unit_paths_by_user, user_unit_paths
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound
from .inserted import inserted_id
from .passwords import check_policy, temporary_password
from .schema import human_tasks, instances, users
from .uow import UnitOfWork, unit_of_work

_USERNAME = re.compile(r"^[a-z0-9_.-]{2,80}$")
_EMAIL = re.compile(r"^[^@\s]{1,100}@[^@\s]{1,190}\.[^@\s]{1,20}$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,30}$")


@dataclass(frozen=True)
class UserView:
    """A user as the administration pages list them."""

    username: str
    full_name: str
    email: str | None
    phone: str | None
    active: bool
    must_change_password: bool
    roles: tuple[str, ...]  # "role@UNIT"


@dataclass(frozen=True)
class Created:
    """A new account and the temporary password to hand to its owner (shown once)."""

    username: str
    user_id: int
    temporary_password: str


def _text(value: str | None) -> str:
    # NUL never means anything in a name and PostgreSQL refuses it in text: dropped rather than a 500.
    return (value or "").replace("\x00", "").strip()


def clean_contact(email: str | None, phone: str | None) -> dict[str, str | None]:
    """Email and phone as stored (blank → None), or InvalidInput naming the field."""
    mail = _text(email) or None
    tel = _text(phone) or None
    if mail is not None and not _EMAIL.match(mail):
        raise InvalidInput.of("email_invalid", {"email": "invalid"}, email=mail)
    if tel is not None and not _PHONE.match(tel):
        raise InvalidInput.of("phone_invalid", {"phone": "invalid"}, phone=tel)
    return {"email": mail, "phone": tel}


def list_users(db: Database, actor: Actor, include_inactive: bool = True) -> list[UserView]:
    """The users the administrator administers (those without any role too), by username."""
    with db.read() as conn:
        admin = administrator(conn, actor)
        held: dict[str, list[str]] = {}
        for (username, role), unit in organisation.department_of(conn).items():
            if role:
                held.setdefault(username, []).append(f"{role}@{unit}")
        query = select(users).order_by(users.c.username)
        if not include_inactive:
            query = query.where(users.c.active.is_(True))
        rows = list(conn.execute(query))
        paths = unit_paths_by_user(conn)
        found = []
        for r in rows:
            if all(admin.covers(p) for p in paths.get(r.username, [])):
                found.append(UserView(r.username, r.full_name, r.email, r.phone, r.active, r.must_change_password,
                                      tuple(sorted(held.get(r.username, [])))))
    return found


def create_user_in(uow: UnitOfWork, actor: Actor, username: str, full_name: str, now: dt.datetime,
                   email: str | None = None, phone: str | None = None, password: str | None = None) -> Created:
    """Core of create_user (`password`: one the operator chose at the shell, not to be changed; else temporary)."""
    admin = administrator(uow.conn, actor)
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput.of("username_invalid", {"username": "invalid"}, username=_text(username))
    full_name = _text(full_name)
    if not full_name:
        raise InvalidInput.of("full_name_required", {"full_name": "required"})
    contact = clean_contact(email, phone)
    chosen = password is not None
    password = password if password is not None else temporary_password()
    try:
        with uow.conn.begin_nested():
            user_id = inserted_id(uow.conn.execute(insert(users).values(
                username=name, full_name=full_name.strip()[:300], password_hash=organisation.hash_password(password),
                active=True, created_at=now, must_change_password=not chosen, **contact)))
    except IntegrityError:
        raise ConflictError.of("username_taken", username=name) from None
    adminlog.record(uow.conn, admin.recorded, "user.create", name, now, full_name=full_name.strip()[:300], **contact)
    return Created(name, user_id, "" if chosen else password)


def create_user(db: Database, actor: Actor, username: str, full_name: str, clock: Clock, email: str | None = None,
                phone: str | None = None, password: str | None = None) -> Created:
    """Create an account with a temporary password its owner must change at the first login."""
    with unit_of_work(db) as uow:
        return create_user_in(uow, actor, username, full_name, clock.now(), email, phone, password)


def edit_user_in(uow: UnitOfWork, actor: Actor, username: str, now: dt.datetime, full_name: str | None = None,
                 email: str | None = None, phone: str | None = None) -> bool:
    """Core of edit_user: True when something changed (nothing written or logged otherwise)."""
    admin = administrator(uow.conn, actor)
    row = require_user(uow.conn, admin, username)
    values: dict[str, str | None] = {}
    if full_name is not None:
        if not _text(full_name):
            raise InvalidInput.of("full_name_required", {"full_name": "required"})
        values["full_name"] = _text(full_name)[:300]
    contact = clean_contact(email, phone)
    if email is not None:
        values["email"] = contact["email"]
    if phone is not None:
        values["phone"] = contact["phone"]
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return False
    uow.conn.execute(update(users).where(users.c.id == row.id).values(**changed))
    adminlog.record(uow.conn, admin.recorded, "user.edit", username, now, user_unit_paths(uow.conn, username),
                    **changed)
    return True


def edit_user(db: Database, actor: Actor, username: str, clock: Clock, full_name: str | None = None,
              email: str | None = None, phone: str | None = None) -> bool:
    """Change a user's full name, email or phone (None: leave as it is; "": clear email or phone)."""
    with unit_of_work(db) as uow:
        return edit_user_in(uow, actor, username, clock.now(), full_name, email, phone)


def claimed_steps(conn: Connection, username: str) -> list[str]:
    """The cases in which the user holds a claimed step (sorted business keys)."""
    return sorted(set(conn.execute(select(instances.c.business_key)
                                   .join(human_tasks, human_tasks.c.instance_id == instances.c.id)
                                   .where(human_tasks.c.assignee == username,
                                          human_tasks.c.state == "claimed")).scalars()))


def deactivate_in(uow: UnitOfWork, actor: Actor, username: str, now: dt.datetime) -> None:
    """Core of deactivate."""
    admin = administrator(uow.conn, actor)
    row = require_user(uow.conn, admin, username)
    if not row.active:
        raise ConflictError.of("user_already_inactive", user=username)
    if row.username == admin.recorded:  # an agency left with no administrator needs a developer to recover
        raise ConflictError.of("may_not_deactivate_self", user=username)
    held = claimed_steps(uow.conn, username)
    if held:
        # Their steps would wait for someone who can no longer log in; a leader hands them back first.
        raise ConflictError.of("user_holds_claimed_steps", user=username, cases=", ".join(held[:10]),
                               count=len(held))
    uow.conn.execute(update(users).where(users.c.id == row.id).values(active=False))
    adminlog.record(uow.conn, admin.recorded, "user.deactivate", username, now, user_unit_paths(uow.conn, username))
    uow.after_commit(lambda: _end_sessions(uow.db, username, now))


def deactivate(db: Database, actor: Actor, username: str, clock: Clock) -> None:
    """Deactivate an account (it can no longer log in; its sessions and API tokens stop working)."""
    with unit_of_work(db) as uow:
        deactivate_in(uow, actor, username, clock.now())


def reactivate_in(uow: UnitOfWork, actor: Actor, username: str, now: dt.datetime) -> None:
    """Core of reactivate."""
    admin = administrator(uow.conn, actor)
    row = require_user(uow.conn, admin, username)
    if row.active:
        raise ConflictError.of("user_already_active", user=username)
    uow.conn.execute(update(users).where(users.c.id == row.id).values(active=True))
    adminlog.record(uow.conn, admin.recorded, "user.reactivate", username, now, user_unit_paths(uow.conn, username))


def reactivate(db: Database, actor: Actor, username: str, clock: Clock) -> None:
    """Let a deactivated account log in again (with the roles it still holds)."""
    with unit_of_work(db) as uow:
        reactivate_in(uow, actor, username, clock.now())


def reset_password_in(uow: UnitOfWork, actor: Actor, username: str, now: dt.datetime) -> str:
    """Core of reset_password."""
    admin = administrator(uow.conn, actor)
    row = require_user(uow.conn, admin, username)
    password = temporary_password()
    uow.conn.execute(update(users).where(users.c.id == row.id).values(
        password_hash=organisation.hash_password(password), must_change_password=True))
    adminlog.record(uow.conn, admin.recorded, "user.reset_password", username, now,
                    user_unit_paths(uow.conn, username))
    uow.after_commit(lambda: _end_sessions(uow.db, username, now))
    return password


def reset_password(db: Database, actor: Actor, username: str, clock: Clock) -> str:
    """Give a user a temporary password they must change at the next login; end their sessions."""
    with unit_of_work(db) as uow:
        return reset_password_in(uow, actor, username, clock.now())


def change_own_password_in(uow: UnitOfWork, username: str, current: str, new: str, now: dt.datetime) -> None:
    """Core of change_own_password."""
    row = organisation.user_by_name(uow.conn, username)
    if not organisation.check_password(row.password_hash, current):
        raise InvalidInput.of("password_wrong", {"current": "wrong"})
    check_policy(username, new)
    if organisation.check_password(row.password_hash, new):
        raise InvalidInput.of("password_unchanged", {"password": "unchanged"})
    uow.conn.execute(update(users).where(users.c.id == row.id).values(
        password_hash=organisation.hash_password(new), must_change_password=False))
    adminlog.record(uow.conn, username, "user.change_password", username, now, user_unit_paths(uow.conn, username))
    uow.after_commit(lambda: _end_sessions(uow.db, username, now))


def change_own_password(db: Database, username: str, current: str, new: str, clock: Clock) -> None:
    """A user changes their own password (policy: processes/passwords.py); every session of theirs ends."""
    with unit_of_work(db) as uow:
        change_own_password_in(uow, username, current, new, clock.now())


def must_change_password(db: Database, username: str) -> bool:
    """True when an administrator's reset (or a new account) asks the user to choose a password now."""
    with db.read() as conn:
        row = conn.execute(select(users.c.must_change_password).where(users.c.username == username)).first() \
            if "\x00" not in username else None
    return bool(row and row.must_change_password)


def issue_token_for(db: Database, actor: Actor, username: str, clock: Clock, name: str = "",
                    days: int | None = None) -> str:
    """An administrator issues an API token for a user they administer (shown once)."""
    with unit_of_work(db) as uow:
        admin = administrator(uow.conn, actor)
        require_user(uow.conn, admin, username)
        return tokens.issue_token_in(uow.conn, username, clock.now(), name, days, admin.recorded)


def issue_token_view(db: Database, actor: Actor, username: str, clock: Clock, name: str = "",
                     days: int | None = None) -> tuple[str, tokens.TokenView]:
    """issue_token_for, with the issued token's listing (its id, to revoke it later; its expiry)."""
    with unit_of_work(db) as uow:
        admin = administrator(uow.conn, actor)
        require_user(uow.conn, admin, username)
        now = clock.now()
        token = tokens.issue_token_in(uow.conn, username, now, name, days, admin.recorded)
        # Newest first (created_at, then id): the one just inserted in this transaction.
        return token, next(t for t in tokens.tokens_of(uow.conn, username) if t.created_at == now)


def revoke_token(db: Database, actor: Actor, token_id: int, clock: Clock) -> bool:
    """An administrator revokes anyone's token (within their scope); False when it was revoked already."""
    with unit_of_work(db) as uow:
        admin = administrator(uow.conn, actor)
        if not 0 < token_id < 2**31:
            raise NotFound.of("token_not_found", token=token_id)
        require_user(uow.conn, admin, tokens.token_owner(uow.conn, token_id))
        return tokens.revoke_token_in(uow.conn, token_id, clock.now(), admin.recorded)


def tokens_of_user(db: Database, actor: Actor, username: str | None = None) -> list[tokens.TokenView]:
    """Tokens an administrator may see: one user's, or those of every user they administer."""
    with db.read() as conn:
        admin = administrator(conn, actor)
        if username is not None:
            require_user(conn, admin, username)
            return tokens.tokens_of(conn, username)
        paths = unit_paths_by_user(conn)
        return [t for t in tokens.tokens_of(conn) if all(admin.covers(p) for p in paths.get(t.username, []))]


def _end_sessions(db: Database, username: str, now: dt.datetime) -> None:
    sessions.revoke_all(db, username, now)

