"""API tokens: issued once in clear, stored as a hash, checked on every API call, expiring after TOKEN_DAYS.

Issuing and revoking are administrative actions: each is written to the administration log
(processes/adminlog.py) with who did it. A user lists and revokes their own tokens; an administrator
revokes anyone's within the units they administer (processes/admin.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from . import adminlog
from .admin import user_unit_paths
from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound
from .inserted import inserted_id
from .organisation import user_by_name
from .schema import api_tokens, users

PREFIX = "qt_"
TOKEN_DAYS = 90  # default lifetime; QUYTRINH_TOKEN_DAYS changes it for new tokens and old tokens without expiry


@dataclass(frozen=True)
class TokenView:
    """One token of a user as its owner or an administrator sees it (never the token itself)."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool

    def live(self, now: dt.datetime) -> bool:
        """Usable now: not revoked and not expired."""
        return not self.revoked and now < self.expires_at


def token_days() -> int:
    """How many days a new token lives (QUYTRINH_TOKEN_DAYS, else TOKEN_DAYS)."""
    text = os.environ.get("QUYTRINH_TOKEN_DAYS", "").strip()
    if not text:
        return TOKEN_DAYS
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise InvalidInput.of("token_days_invalid", value=text)
    return int(text)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _expiry(created_at: dt.datetime, expires_at: dt.datetime | None) -> dt.datetime:
    # Tokens issued before expiry existed have none stored: they live token_days() from their issue.
    return expires_at or created_at + dt.timedelta(days=token_days())


def issue_token(db: Database, username: str, clock: Clock, name: str = "", days: int | None = None,
                actor: str | None = None) -> str:
    """Create an API token for a user; the clear text is returned once and never stored."""
    with db.write() as conn:
        return issue_token_in(conn, username, clock.now(), name, days, actor or username)


def issue_token_in(conn: Connection, username: str, now: dt.datetime, name: str = "", days: int | None = None,
                   actor: str | None = None) -> str:
    """Core of issue_token in the caller's transaction (an administrator's issue is checked by processes/admin)."""
    lifetime = token_days() if days is None else days
    if not 1 <= lifetime <= 3650:
        raise InvalidInput.of("token_days_invalid", value=lifetime)
    token = PREFIX + secrets.token_urlsafe(32)
    user = user_by_name(conn, username)
    expires = now + dt.timedelta(days=lifetime)
    token_id = inserted_id(conn.execute(insert(api_tokens).values(
        user_id=user.id, name=name[:100], token_hash=_digest(token), created_at=now, revoked=False,
        expires_at=expires)))
    adminlog.record(conn, actor, "token.issue", username, now, user_unit_paths(conn, username), token=token_id,
                    name=name[:100], expires_at=expires.isoformat())
    return token


def user_for_token(db: Database, token: str, clock: Clock) -> str | None:
    """The username a valid, unrevoked, unexpired token belongs to (and mark it used), else None."""
    if not token.startswith(PREFIX):
        return None
    now = clock.now()
    with db.write() as conn:
        row = conn.execute(
            select(api_tokens.c.id, api_tokens.c.created_at, api_tokens.c.expires_at, users.c.username)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked.is_(False),
                   users.c.active.is_(True))).first()
        if row is None or _expiry(row.created_at, row.expires_at) <= now:
            return None
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    return row.username


def revoke_token(db: Database, token: str) -> bool:
    """Revoke a token by its clear text; True when it existed."""
    with db.write() as conn:
        result = conn.execute(update(api_tokens).where(api_tokens.c.token_hash == _digest(token))
                              .values(revoked=True))
    return result.rowcount == 1


def tokens_of(conn: Connection, username: str | None = None) -> list[TokenView]:
    """A user's tokens (everyone's when None), newest first."""
    query = (select(api_tokens, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
             .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc()))
    if username is not None:
        query = query.where(users.c.username == username)
    return [TokenView(r.id, r.username, r.name, r.created_at, _expiry(r.created_at, r.expires_at), r.last_used_at,
                      r.revoked) for r in conn.execute(query)]


def list_tokens(db: Database, username: str) -> list[TokenView]:
    """The tokens of a user, for their personal page."""
    with db.read() as conn:
        return tokens_of(conn, username)


def token_owner(conn: Connection, token_id: int) -> str:
    """The username a token (by id) was issued to, or NotFound."""
    row = conn.execute(select(users.c.username).join(api_tokens, api_tokens.c.user_id == users.c.id)
                       .where(api_tokens.c.id == token_id)).first()
    if row is None:
        raise NotFound.of("token_not_found", token=token_id)
    return row.username


def revoke_token_in(conn: Connection, token_id: int, now: dt.datetime, actor: str) -> bool:
    """Revoke one token by id and log who did it; False when it was revoked already (nothing written)."""
    owner = token_owner(conn, token_id)
    done = conn.execute(update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(False))
                        .values(revoked=True)).rowcount == 1
    if done:
        adminlog.record(conn, actor, "token.revoke", owner, now, user_unit_paths(conn, owner), token=token_id)
    return done


def revoke_own_token(db: Database, username: str, token_id: int, clock: Clock) -> bool:
    """A user revokes one of their own tokens (NotFound for anyone else's: its existence is not told)."""
    with db.write() as conn:
        if token_id <= 0 or token_id > 2**31 - 1 or token_owner(conn, token_id) != username:
            raise NotFound.of("token_not_found", token=token_id)
        return revoke_token_in(conn, token_id, clock.now(), username)
