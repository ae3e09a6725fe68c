"""Server-side login sessions: the cookie carries a random token, the database says whether it still holds.

A signed cookie alone cannot be taken back: whoever copied it stays logged in until it expires. Here
the cookie carries only a random token; its SHA-256 is the row's id. Logout revokes the row, so the copied
cookie is refused by every web worker on its next request; an administrator lists a user's sessions and
ends one or all of them (after a password change or a lost laptop).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from .db import Database
from .runtime_schema import web_sessions
from .schema import users

# last_seen_at is written at most this often per session: not one write per page view.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SessionView:
    """One session of a user, as an administrator sees it (never the token)."""

    id: str
    username: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None
    user_agent: str

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(db: Database, username: str, now: dt.datetime, user_agent: str = "") -> str:
    """Start a session for a user who just proved who they are; return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    with db.write() as conn:
        conn.execute(insert(web_sessions).values(id=_digest(token), username=username, created_at=now,
                                                 last_seen_at=now, user_agent=user_agent[:200]))
    return token


def user_of(db: Database, token: str | None, now: dt.datetime, max_age: dt.timedelta | None = None,
            idle: dt.timedelta | None = None) -> str | None:
    """The user of a live session (None: no such session, revoked, older than `max_age`, or unused for `idle`:
    a session left idle that long is ended for good, so a later request does not bring it back)."""
    if not token:
        return None
    sid = _digest(token)
    with db.read() as conn:
        # A deactivated user's sessions end with the account, in every worker.
        row = conn.execute(select(web_sessions.c.username, web_sessions.c.created_at, web_sessions.c.last_seen_at,
                                  web_sessions.c.revoked_at)
                           .join(users, users.c.username == web_sessions.c.username)
                           .where(web_sessions.c.id == sid, users.c.active.is_(True))).first()
    if row is None or row.revoked_at is not None:
        return None
    if max_age is not None and row.created_at + max_age <= now:
        return None
    if idle is not None and now - row.last_seen_at >= idle:
        with db.write() as conn:
            _revoke(conn, web_sessions.c.id == sid, now)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with db.write() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.id == sid).values(last_seen_at=now))
    return row.username


def close(db: Database, token: str | None, now: dt.datetime) -> bool:
    """Log out: revoke the session of this token everywhere; True when it was live."""
    if not token:
        return False
    with db.write() as conn:
        return _revoke(conn, web_sessions.c.id == _digest(token), now) > 0


def close_all(db: Database, token: str | None, now: dt.datetime) -> int:
    """Log out: end this session and every other session of its user (issue 12: a logout ends them all, so a
    session forgotten on a shared counter computer ends too); return how many were live."""
    if not token:
        return 0
    with db.write() as conn:
        username = conn.execute(select(web_sessions.c.username).where(web_sessions.c.id == _digest(token))).scalar()
        return _revoke(conn, web_sessions.c.username == username, now) if username is not None else 0


def sessions_of(db: Database, username: str, include_revoked: bool = False) -> list[SessionView]:
    """A user's sessions, newest first (for an administrator)."""
    query = select(web_sessions).where(web_sessions.c.username == username)
    if not include_revoked:
        query = query.where(web_sessions.c.revoked_at.is_(None))
    with db.read() as conn:
        rows = conn.execute(query.order_by(web_sessions.c.created_at.desc(), web_sessions.c.id)).all()
    return [SessionView(r.id, r.username, r.created_at, r.last_seen_at, r.revoked_at, r.user_agent) for r in rows]


def revoke(db: Database, session_id: str, now: dt.datetime) -> bool:
    """An administrator ends one session (by the id sessions_of shows); True when it was live."""
    with db.write() as conn:
        return _revoke(conn, web_sessions.c.id == session_id, now) > 0


def revoke_all(db: Database, username: str, now: dt.datetime) -> int:
    """End every live session of a user (a password change, a departure); return how many."""
    with db.write() as conn:
        return _revoke(conn, web_sessions.c.username == username, now)


def _revoke(conn: Connection, which, now: dt.datetime) -> int:
    return conn.execute(update(web_sessions).where(which, web_sessions.c.revoked_at.is_(None))
                        .values(revoked_at=now)).rowcount
