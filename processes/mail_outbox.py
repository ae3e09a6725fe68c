"""Mail and text messages sent after the commit (issue 13 item 5).

Nothing is sent inside a case's transaction: a rolled-back move must tell nobody and a slow SMTP server
must not hold the case's lock. What to send is written in the same transaction — officers' notices in
`notifications` (emailed_at NULL), citizens' messages in `mail_outbox` — and `drain`, run by the scheduler in
the worker (processes/scheduler.py), sends them and marks them sent. A crash between the two sends a
message again at worst, never loses one.

Officers choose immediate e-mail (the default) or one daily digest (`set_mode`). Citizens get an e-mail
when they gave an address and a text message when they gave a phone; texts go through `TextSender`,
whose default only logs (an SMS or Zalo gateway is a class with the same `send`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Select, bindparam, insert, or_, select, update

from .clock import Clock
from .db import Database
from .keys import VN
from .notice_schema import mail_outbox, notice_prefs
from .notifications import Sender, SmtpSender
from .schema import notifications, users
from .workspace_schema import receptions

log = logging.getLogger(__name__)

MODES = ("immediate", "digest")
DIGEST_HOUR = 7  # the daily digest goes out from 07:00 Vietnam time, before the office opens
RECENT = dt.timedelta(days=1)  # immediate mail is for news: older unsent notices are not mailed in a burst
MAX_ATTEMPTS = 5
STALE = dt.timedelta(days=2)  # a citizen's message not sent within this is dropped, not sent late

CITIZEN_TEXT = {
    "receipt": ("Hồ sơ {code} đã được tiếp nhận",
                "Hồ sơ {code} ({procedure}) của ông/bà đã được tiếp nhận. Ông/bà có thể tra cứu tình trạng "
                "hồ sơ bằng mã {code}."),
    "supplement": ("Hồ sơ {code} cần bổ sung",
                   "Hồ sơ {code} ({procedure}) cần bổ sung giấy tờ.{reason} Đề nghị ông/bà bổ sung tại Bộ phận "
                   "Một cửa."),
    "result": ("Hồ sơ {code} đã có kết quả",
               "Hồ sơ {code} ({procedure}) đã có kết quả. Mời ông/bà đến Bộ phận Một cửa nhận kết quả."),
}


class TextSender(Protocol):
    """Anything that sends one short text (SMS, Zalo) to a phone number."""

    def send(self, phone: str, text: str) -> None:
        """Send it; raise on failure."""
        ...


class LogTextSender:
    """The default text sender: no gateway configured, so each message is logged and kept in `sent`."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        """Record the message."""
        self.sent.append((phone, text))
        log.info("text to %s: %s", phone, text)


@dataclass
class Drained:
    """What one `drain` sent."""

    citizen_sent: int = 0
    officer_sent: int = 0
    digests_sent: int = 0
    failed: int = 0


def queue_citizen(conn: Connection, instance_id: int, code: str, procedure: str, kind: str, reason: str,
                  now: dt.datetime) -> None:
    """Queue the citizen's e-mail and text about their dossier (the address is read when sending)."""
    subject, body = CITIZEN_TEXT[kind]
    values = {"code": code, "procedure": procedure, "reason": f" Nội dung: {reason}" if reason else ""}
    conn.execute(insert(mail_outbox), [
        {"channel": channel, "instance_id": instance_id, "recipient": None, "subject": subject.format(**values),
         "body": body.format(**values), "created_at": now, "attempts": 0} for channel in ("email", "sms")])


def set_mode(db: Database, username: str, mode: str) -> None:
    """Choose immediate e-mail or a daily digest for a user's notifications."""
    if mode not in MODES:
        raise ValueError(mode)
    with db.write() as conn:
        changed = conn.execute(update(notice_prefs).where(notice_prefs.c.username == username)
                               .values(mode=mode)).rowcount
        if not changed:
            conn.execute(insert(notice_prefs).values(username=username, mode=mode))


def mode_of(db: Database, username: str) -> str:
    """A user's choice (immediate when never chosen)."""
    with db.read() as conn:
        found = conn.execute(select(notice_prefs.c.mode).where(notice_prefs.c.username == username)).scalar()
    return found or "immediate"


def drain(db: Database, clock: Clock, sender: Sender | None = None, texts: TextSender | None = None) -> Drained:
    """Send what is waiting: citizens' messages, officers' immediate notices, the digests that are due."""
    sender = sender if sender is not None else SmtpSender.from_env()
    texts = texts if texts is not None else LogTextSender()
    done = Drained()
    _citizens(db, clock, sender, texts, done)
    if sender is not None:
        _immediate(db, clock, sender, done)
        _digests(db, clock, sender, done)
    return done


def _citizens(db: Database, clock: Clock, sender: Sender | None, texts: TextSender, done: Drained) -> None:
    pending = [mail_outbox.c.sent_at.is_(None), mail_outbox.c.attempts < MAX_ATTEMPTS]
    if sender is None:  # no SMTP server configured yet: e-mails wait for one, texts go on
        pending.append(mail_outbox.c.channel != "email")
    with db.read() as conn:
        rows = list(conn.execute(
            select(mail_outbox, receptions.c.email, receptions.c.phone)
            .outerjoin(receptions, receptions.c.instance_id == mail_outbox.c.instance_id)
            .where(*pending).order_by(mail_outbox.c.id).limit(500)))
    results: list[dict[str, object]] = []
    for r in rows:
        address = r.recipient or (r.email if r.channel == "email" else r.phone) or ""
        error = None
        if not address:
            error = "no_address"  # an internal case, or a citizen who gave none: nothing to send, ever
        elif r.created_at < clock.now() - STALE:
            error = "stale"  # "your dossier was received" a week late helps nobody (and a demo year sends none)
        else:
            try:
                if r.channel == "email":
                    assert sender is not None
                    sender.send(address, r.subject, r.body)
                else:
                    texts.send(address, r.body)
                done.citizen_sent += 1
            except Exception as exc:  # noqa: BLE001 - one bad address must not stop the others
                done.failed += 1
                log.warning("outbox %s to %s failed: %s", r.id, address, exc)
                results.append({"b_id": r.id, "sent_at": None, "attempts": r.attempts + 1,
                                "last_error": str(exc)[:300]})
                continue
        results.append({"b_id": r.id, "sent_at": clock.now(), "attempts": r.attempts + 1, "last_error": error})
    if results:
        with db.write() as conn:
            conn.execute(update(mail_outbox).where(mail_outbox.c.id == bindparam("b_id")), results)


def _mailable(mode: str) -> Select:
    chosen = select(notice_prefs.c.mode).where(notice_prefs.c.username == users.c.username).scalar_subquery()
    wanted = or_(chosen.is_(None), chosen == "immediate") if mode == "immediate" else chosen == "digest"
    return (select(notifications.c.id, notifications.c.username, notifications.c.text, notifications.c.link,
                   users.c.email)
            .join(users, users.c.username == notifications.c.username)
            .where(notifications.c.emailed_at.is_(None), users.c.email.isnot(None), users.c.email != "", wanted))


def _mark(db: Database, ids: list[int], now: dt.datetime) -> None:
    if ids:
        with db.write() as conn:
            conn.execute(update(notifications).where(notifications.c.id == bindparam("b_id"))
                         .values(emailed_at=now), [{"b_id": i} for i in ids])


def _immediate(db: Database, clock: Clock, sender: Sender, done: Drained) -> None:
    now = clock.now()
    with db.read() as conn:
        rows = list(conn.execute(_mailable("immediate").where(notifications.c.created_at >= now - RECENT)
                                 .order_by(notifications.c.id).limit(500)))
    sent = []
    for r in rows:
        try:
            sender.send(r.email, f"[quytrinh] {_short(r.text)}", r.text + (f"\n\n{r.link}" if r.link else ""))
            sent.append(r.id)
        except Exception as exc:  # noqa: BLE001 - one bad address must not stop the others
            done.failed += 1
            log.warning("notification %s: e-mail to %s failed: %s", r.id, r.email, exc)
    done.officer_sent += len(sent)
    _mark(db, sent, now)


def _digests(db: Database, clock: Clock, sender: Sender, done: Drained) -> None:
    """Once a day from DIGEST_HOUR: one e-mail per digest user with every notice not mailed yet."""
    now = clock.now()
    local = now.astimezone(VN)
    due_from = dt.datetime.combine(local.date(), dt.time(DIGEST_HOUR), tzinfo=VN)
    if local < due_from:
        return
    with db.read() as conn:
        rows = list(conn.execute(_mailable("digest").where(or_(
            select(notice_prefs.c.digest_sent_at).where(notice_prefs.c.username == users.c.username)
            .scalar_subquery().is_(None),
            select(notice_prefs.c.digest_sent_at).where(notice_prefs.c.username == users.c.username)
            .scalar_subquery() < due_from)).order_by(notifications.c.id)))
    per_user: dict[str, list] = {}
    for r in rows:
        per_user.setdefault(r.username, []).append(r)
    for username, items in per_user.items():
        lines = [f"- {r.text}" + (f" ({r.link})" if r.link else "") for r in items]
        try:
            sender.send(items[0].email, f"[quytrinh] Tổng hợp thông báo ngày {local:%d/%m/%Y} ({len(items)})",
                        "Các thông báo chưa gửi của ông/bà:\n\n" + "\n".join(lines))
        except Exception as exc:  # noqa: BLE001
            done.failed += 1
            log.warning("digest to %s failed: %s", items[0].email, exc)
            continue
        _mark(db, [r.id for r in items], now)
        with db.write() as conn:
            conn.execute(update(notice_prefs).where(notice_prefs.c.username == username)
                         .values(digest_sent_at=now))
        done.digests_sent += 1


def _short(text: str) -> str:
    return text if len(text) <= 90 else text[:89].rsplit(" ", 1)[0] + "…"
