"""In-app notifications, pluggable e-mail senders, and who hears about a step or a dossier.

Recipients: the people who work a step are its assignee, else everyone holding one of its roles in
the case's agency (or in the unit a `role@UNIT` names). The *head* of a unit is whoever holds a
leader role in that unit, else in the nearest unit above it inside the same agency.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, func, insert, select, update

from .assignment import parse_roles
from .clock import Clock
from .db import Database
from .fastsql import Fast
from .notice_schema import notice_prefs
from .schema import memberships, notifications, roles, units, users

log = logging.getLogger(__name__)


class Sender(Protocol):
    """Anything that can send one e-mail."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Send a plain-text message; raise on failure."""
        ...


class LogSender:
    """Keeps every message in `sent` and logs it (tests, development)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        """Record the message."""
        self.sent.append((to, subject, body))
        log.info("mail to %s: %s", to, subject)


class SmtpSender:
    """Sends through an SMTP server (STARTTLS and login when configured)."""

    def __init__(self, host: str, port: int = 25, from_address: str = "quytrinh@localhost",
                 username: str | None = None, password: str | None = None, starttls: bool = False,
                 timeout: float = 10.0) -> None:
        self.host, self.port, self.from_address = host, port, from_address
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    @classmethod
    def from_env(cls) -> SmtpSender | None:
        """A sender from QUYTRINH_SMTP_HOST/_PORT/_FROM/_USER/_PASSWORD/_STARTTLS, or None without a host."""
        host = os.environ.get("QUYTRINH_SMTP_HOST")
        if not host:
            return None
        return cls(host, int(os.environ.get("QUYTRINH_SMTP_PORT", "25")),
                   os.environ.get("QUYTRINH_SMTP_FROM", "quytrinh@localhost"),
                   os.environ.get("QUYTRINH_SMTP_USER"), os.environ.get("QUYTRINH_SMTP_PASSWORD"),
                   os.environ.get("QUYTRINH_SMTP_STARTTLS", "") in ("1", "true", "yes"))

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one message over a fresh connection."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.from_address, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


@dataclass(frozen=True)
class Notice:
    """One notification for one user."""

    username: str
    kind: str
    text: str
    link: str | None = None
    instance_id: int | None = None


_INSERT = Fast(insert(notifications))


def add(conn: Connection, notices: list[Notice], now: dt.datetime) -> int:
    """Store notifications (one per user and text: duplicates in the list are dropped); return how many."""
    unique = list({(n.username, n.kind, n.text): n for n in notices}.values())
    if unique:
        _INSERT.execute(conn, [
            {"username": n.username, "kind": n.kind, "text": n.text, "link": n.link, "instance_id": n.instance_id,
             "created_at": now} for n in unique])
    return len(unique)


def inbox(db: Database, username: str, unread_only: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """A user's notifications, newest first."""
    query = select(notifications).where(notifications.c.username == username)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    with db.read() as conn:
        rows = conn.execute(query.order_by(notifications.c.id.desc()).limit(limit))
        return [r._asdict() for r in rows]


def unread_count(db: Database, username: str) -> int:
    """How many of a user's notifications are unread (the menu's badge)."""
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(notifications).where(
            notifications.c.username == username, notifications.c.read_at.is_(None))).scalar_one()


def mark_read(db: Database, username: str, ids: list[int], clock: Clock) -> int:
    """Mark some of a user's notifications read; return how many changed."""
    with db.write() as conn:
        result = conn.execute(update(notifications).where(
            notifications.c.username == username, notifications.c.id.in_(ids),
            notifications.c.read_at.is_(None)).values(read_at=clock.now()))
        return result.rowcount


def last_id(conn: Connection) -> int:
    """The highest notification id so far (0 when none)."""
    return conn.execute(select(func.coalesce(func.max(notifications.c.id), 0))).scalar_one()


def deliver(db: Database, sender: Sender, after_id: int, clock: Clock) -> tuple[int, int]:
    """E-mail the notifications newer than `after_id` to users with an address; return (sent, failed)."""
    with db.read() as conn:
        rows = list(conn.execute(
            select(notifications.c.id, notifications.c.kind, notifications.c.text, notifications.c.link,
                   users.c.email)
            .join(users, users.c.username == notifications.c.username)
            .where(notifications.c.id > after_id, notifications.c.emailed_at.is_(None), users.c.email.isnot(None),
                   users.c.email != "",
                   # who chose the daily digest gets these in it (processes/mail_outbox.py), not one by one
                   users.c.username.notin_(select(notice_prefs.c.username).where(notice_prefs.c.mode == "digest")))
            .order_by(notifications.c.id)))
    sent, failed = [], 0
    for row in rows:
        try:
            body = row.text + (f"\n\n{row.link}" if row.link else "")
            subject = row.text if len(row.text) <= 90 else row.text[:89].rsplit(" ", 1)[0] + "…"
            sender.send(row.email, f"[quytrinh] {subject}", body)
            sent.append(row.id)
        except Exception as exc:  # noqa: BLE001 - one bad address must not stop the others
            failed += 1
            log.warning("notification %s: e-mail to %s failed: %s", row.id, row.email, exc)
    if sent:
        with db.write() as conn:
            conn.execute(update(notifications).where(notifications.c.id == bindparam("b_id"))
                         .values(emailed_at=clock.now()), [{"b_id": i} for i in sent])
    return len(sent), failed


# ---- recipients ----------------------------------------------------------------------------------

_HOLDERS = (select(users.c.username, units.c.id.label("unit_id"), units.c.path, memberships.c.role_code)
            .select_from(memberships.join(users, users.c.id == memberships.c.user_id)
                         .join(units, units.c.id == memberships.c.unit_id))
            .where(users.c.active.is_(True)))


_HOLDERS_IN_AGENCY = Fast(_HOLDERS.where(memberships.c.role_code == bindparam("b_role"),
                                          units.c.agency_path == bindparam("b_agency")))


def holders(conn: Connection, role_text: str, agency_path: str, assignee: str | None = None) -> list[Any]:
    """(username, unit_id, path, role_code) of the memberships that let people work a step."""
    refs = parse_roles(role_text)
    found: list[Any] = []
    for ref in refs:
        if not ref.unit:  # the common case, on every move of a case: a compiled statement
            found.extend(_HOLDERS_IN_AGENCY.execute(conn, {"b_role": ref.role, "b_agency": agency_path}))
            continue
        base = conn.execute(select(units.c.path).where(units.c.code == ref.unit)).scalar()
        if base is None:
            continue
        found.extend(conn.execute(_HOLDERS.where(memberships.c.role_code == ref.role,
                                                 units.c.path.startswith(base))))
    if not refs:
        found.extend(conn.execute(_HOLDERS.where(units.c.agency_path == agency_path)))
    if assignee is not None:
        mine = [h for h in found if h.username == assignee]
        found = mine or list(conn.execute(_HOLDERS.where(users.c.username == assignee,
                                                         units.c.agency_path == agency_path)))
    return found


def workers(conn: Connection, role_text: str, agency_path: str, assignee: str | None) -> list[str]:
    """Who is told about a step: its assignee, else the holders of its roles."""
    if assignee is not None:
        return [assignee]
    return sorted({h.username for h in holders(conn, role_text, agency_path)})


def _ancestors(path: str, agency_path: str) -> list[str]:
    """The unit's path and those of the units above it inside the agency, nearest first."""
    found = [path[: i + 1] for i, c in enumerate(path) if c == "/"]
    return [p for p in reversed(found) if p.startswith(agency_path)] or [agency_path]


def heads(conn: Connection, unit_paths: list[str], agency_path: str) -> tuple[int | None, list[str]]:
    """(unit id, leaders): for each unit, the leaders of it or of the nearest unit above it that has one."""
    chains = [_ancestors(path, agency_path) for path in unit_paths] or [[agency_path]]
    rows = list(conn.execute(
        select(users.c.username, units.c.id, units.c.path)
        .select_from(memberships.join(users, users.c.id == memberships.c.user_id)
                     .join(units, units.c.id == memberships.c.unit_id)
                     .join(roles, roles.c.code == memberships.c.role_code))
        .where(roles.c.kind == "leader", users.c.active.is_(True),
               units.c.path.in_(sorted({p for chain in chains for p in chain})))))
    unit_id: int | None = None
    leaders: set[str] = set()
    for chain in chains:
        for prefix in chain:
            here = [r for r in rows if r.path == prefix]
            if here:
                unit_id = unit_id if unit_id is not None else here[0].id
                leaders.update(r.username for r in here)
                break
    return unit_id, sorted(leaders)


def agency_leaders(conn: Connection, agency_path: str) -> tuple[int | None, list[str]]:
    """(unit id, leaders) of the agency itself."""
    return heads(conn, [agency_path], agency_path)


def step_heads(conn: Connection, role_text: str, agency_path: str, assignee: str | None) -> tuple[int | None,
                                                                                                   list[str]]:
    """The head(s) of the unit that handles a step (where its assignee or role holders work)."""
    paths = sorted({h.path for h in holders(conn, role_text, agency_path, assignee)}) or [agency_path]
    return heads(conn, paths, agency_path)
