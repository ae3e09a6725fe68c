"""Ủy quyền: a user names a substitute for a date range; the substitute sees and may do their tasks then.

Dates are Vietnam calendar dates, both ends included. A user sets their own substitute, or a leader sets
one for someone working in a unit they lead. The substitute must work in the same agency. Standing in
never widens what the absent user could do: the task is checked against the absent user's roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from engine.field_errors import FieldError

from . import organisation
from .assignment import may_work
from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound, PermissionDenied
from .inserted import inserted_id
from .keys import VN
from .schema import memberships, units, users
from .workspace_schema import substitutes

MAX_DAYS = 180


@dataclass(frozen=True)
class Substitution:
    """One delegation: who is away, who stands in, from when to when."""

    id: int
    username: str
    substitute: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    created_by: str
    revoked: bool


def today(clock: Clock) -> dt.date:
    """The Vietnam calendar date now."""
    return clock.now().astimezone(VN).date()


def _may_manage(conn: Connection, actor: str, username: str) -> bool:
    if actor == username:
        return True
    leads = [m for m in organisation.memberships_of(conn, actor) if m.role_kind in ("leader", "admin")]
    return any(t.unit_path.startswith(m.unit_path) for m in leads for t in organisation.memberships_of(conn, username))


def set_substitute(db: Database, username: str, substitute: str, starts_on: dt.date, ends_on: dt.date,
                   actor: str, clock: Clock, reason: str = "") -> Substitution:
    """Let `substitute` stand in for `username` from `starts_on` to `ends_on` (inclusive)."""
    errors: dict[str, str] = {}
    if substitute == username:
        errors["substitute"] = FieldError("self_substitute")
    if ends_on < starts_on:
        errors["ends_on"] = FieldError("range_reversed")
    elif (ends_on - starts_on).days >= MAX_DAYS:
        errors["ends_on"] = FieldError("delegation_too_long", days=MAX_DAYS)
    if ends_on < today(clock):
        errors["ends_on"] = FieldError("range_over")
    if len(reason) > 500:
        errors["reason"] = FieldError("too_long", max=500)
    if errors:
        raise InvalidInput.of("delegation_invalid", errors)
    with db.write() as conn:
        organisation.user_by_name(conn, username)
        try:
            organisation.user_by_name(conn, substitute)
        except NotFound:
            raise InvalidInput.of("no_such_user", {"substitute": FieldError("no_active_user")}) from None
        if not _may_manage(conn, actor, username):
            raise PermissionDenied.of("may_not_name_substitute", actor=actor, user=username)
        theirs = {m.agency_path for m in organisation.memberships_of(conn, username)}
        if not theirs & {m.agency_path for m in organisation.memberships_of(conn, substitute)}:
            raise InvalidInput.of("substitute_elsewhere", {"substitute": FieldError("other_agency")})
        new_id = inserted_id(conn.execute(insert(substitutes).values(
            username=username, substitute=substitute, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(),
            created_by=actor, created_at=clock.now(), revoked=False)))
        return _get(conn, new_id)


def colleagues(db: Database, username: str) -> list[tuple[str, str]]:
    """Who may stand in for `username`: the other active users of the same agency, as (username, full name),
    by name — what the ủy quyền form offers instead of a typed username."""
    with db.read() as conn:
        agencies = {m.agency_path for m in organisation.memberships_of(conn, username)}
        if not agencies:
            return []
        rows = conn.execute(select(users.c.username, users.c.full_name).distinct()
                            .join(memberships, memberships.c.user_id == users.c.id)
                            .join(units, units.c.id == memberships.c.unit_id)
                            .where(units.c.agency_path.in_(sorted(agencies)), users.c.active.is_(True),
                                   users.c.username != username))
        return sorted(((r.username, r.full_name or r.username) for r in rows), key=lambda p: (p[1], p[0]))


def revoke(db: Database, substitution_id: int, actor: str, clock: Clock) -> Substitution:
    """End a delegation early (its user, or a leader of their unit)."""
    with db.write() as conn:
        found = _get(conn, substitution_id)
        if not _may_manage(conn, actor, found.username):
            raise PermissionDenied.of("may_not_change_delegations", actor=actor, user=found.username)
        conn.execute(update(substitutes).where(substitutes.c.id == substitution_id).values(revoked=True))
        return _get(conn, substitution_id)


def _get(conn: Connection, substitution_id: int) -> Substitution:
    row = conn.execute(select(substitutes).where(substitutes.c.id == substitution_id)).first()
    if row is None:
        raise NotFound.of("delegation_not_found", delegation=substitution_id)
    return Substitution(row.id, row.username, row.substitute, row.starts_on, row.ends_on, row.reason,
                        row.created_by, row.revoked)


def of_user(db: Database, username: str) -> list[Substitution]:
    """Delegations a user gave or received, newest first."""
    with db.read() as conn:
        rows = conn.execute(select(substitutes.c.id).where(
            (substitutes.c.username == username) | (substitutes.c.substitute == username))
            .order_by(substitutes.c.starts_on.desc(), substitutes.c.id.desc()))
        return [_get(conn, r.id) for r in rows]


def delegators(conn: Connection, substitute: str, day: dt.date) -> list[str]:
    """The users `substitute` stands in for on `day`."""
    rows = conn.execute(select(substitutes.c.username).where(
        substitutes.c.substitute == substitute, substitutes.c.revoked.is_(False),
        substitutes.c.starts_on <= day, substitutes.c.ends_on >= day))
    return sorted({r.username for r in rows})


def stands_in(conn: Connection, actor: str, roles: str, assignee: str | None, scope_path: str,
              unit_paths: dict[str, str], now: dt.datetime) -> str | None:
    """The absent user `actor` may work this step for today, or None."""
    for absent in delegators(conn, actor, now.astimezone(VN).date()):
        if may_work(absent, organisation.memberships_of(conn, absent), roles, assignee, scope_path, unit_paths):
            return absent
    return None
