"""API tokens: issued once in clear, stored as a hash, checked on every API call."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import insert, select, update

from .clock import Clock
from .db import Database
from .organisation import user_by_name
from .schema import api_tokens, users

PREFIX = "qt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(db: Database, username: str, clock: Clock, name: str = "") -> str:
    """Create an API token for a user; the clear text is returned once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    with db.write() as conn:
        user = user_by_name(conn, username)
        conn.execute(insert(api_tokens).values(user_id=user.id, name=name, token_hash=_digest(token),
                                               created_at=clock.now(), revoked=False))
    return token


def user_for_token(db: Database, token: str, clock: Clock) -> str | None:
    """The username a valid, unrevoked token belongs to (and mark it used), else None."""
    if not token.startswith(PREFIX):
        return None
    with db.write() as conn:
        row = conn.execute(
            select(api_tokens.c.id, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked.is_(False),
                   users.c.active.is_(True))).first()
        if row is None:
            return None
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=clock.now()))
    return row.username


def revoke_token(db: Database, token: str) -> bool:
    """Revoke a token; True when it existed."""
    with db.write() as conn:
        result = conn.execute(update(api_tokens).where(api_tokens.c.token_hash == _digest(token))
                              .values(revoked=True))
    return result.rowcount == 1
