"""Issue 13 item 5: people are told when a step reaches them, comes back to them, or a substitute acted for
them — in the app and by e-mail (to an SMTP server this test starts), immediately or in a daily digest;
citizens hear about receipt, supplement requests and results."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from processes import instances, mail_outbox, notifications, substitutes
from processes.notifications import SmtpSender
from processes.schema import users
from tests.web.workspace_helpers import open_task, receive_ok, work
from tests.xd_data import XD_STEPS


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def subjects(self, to: str) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for rcpt, m in self.messages if to in rcpt]


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, SmtpSender("127.0.0.1", port, "quytrinh@ubnd.example.vn")
    finally:
        controller.stop()


def _texts(org, username: str, kind: str) -> list[str]:
    return [n["text"] for n in notifications.inbox(org, username) if n["kind"] == kind]


def _emails(org) -> None:
    with org.write() as conn:
        for name in ("cv.ktht", "tp.ktht", "pct"):
            conn.execute(update(users).where(users.c.username == name).values(email=f"{name}@ubnd.example.vn"))


def test_arrival_return_and_mail_to_a_test_smtp_server(xd, user, org, clock, smtp):
    inbox, sender = smtp
    _emails(org)
    mail_outbox.set_mode(org, "tp.ktht", "digest")
    code = receive_ok(user("motcua"), **{"applicant.email": "nhung@example.vn"})
    arrived = _texts(org, "cv.ktht", "step_arrived")
    assert arrived and code in arrived[0] and "Thẩm định" in arrived[0]
    assert not _texts(org, "motcua", "step_arrived")  # the counter officer did the reception step herself
    work(user, org, code, "Task_ThamDinh")
    assert _texts(org, "tp.ktht", "step_arrived")
    work(user, org, code, "Task_XemXet", {"ket_qua_xem_xet": "tra_lai",
                                          "y_kien_lanh_dao_phong": "Thiếu bản vẽ mặt cắt"})
    returned = _texts(org, "cv.ktht", "step_returned")
    assert returned and "Thiếu bản vẽ mặt cắt" in returned[0]

    done = mail_outbox.drain(org, clock, sender)
    assert done.citizen_sent >= 1 and done.officer_sent >= 2
    assert any("đã được tiếp nhận" in s for s in inbox.subjects("nhung@example.vn"))
    assert any("trả lại" in s for s in inbox.subjects("cv.ktht@ubnd.example.vn"))
    # tp.ktht chose the digest: one e-mail for the day (it is past 07:00), nothing more until tomorrow
    assert done.digests_sent == 1 and len(inbox.subjects("tp.ktht@ubnd.example.vn")) == 1
    assert "Tổng hợp thông báo" in inbox.subjects("tp.ktht@ubnd.example.vn")[0]
    work(user, org, code, "Task_ThamDinh")  # the step reaches tp.ktht again
    assert mail_outbox.drain(org, clock, sender).digests_sent == 0
    clock.advance(days=1)
    assert mail_outbox.drain(org, clock, sender).digests_sent == 1
    assert len(inbox.subjects("tp.ktht@ubnd.example.vn")) == 2
    assert mail_outbox.drain(org, clock, sender).officer_sent == 0  # nothing twice


def test_a_substitute_acting_is_told_to_the_absent_officer(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    substitutes.set_substitute(org, "cv.ktht", "motcua", dt.date(2026, 1, 5), dt.date(2026, 1, 9), "cv.ktht",
                               clock)
    instances.complete(org, open_task(org, code, "Task_ThamDinh"), dict(XD_STEPS["Task_ThamDinh"]), "motcua", clock)
    acted = _texts(org, "cv.ktht", "substitute_acted")
    assert acted and code in acted[0] and "ủy quyền" in acted[0] and "motcua" not in acted[0]  # a full name


def test_texts_go_through_a_sender_that_only_logs_by_default(xd, user, org, clock):
    receive_ok(user("motcua"), **{"applicant.phone": "0912345678", "applicant.email": ""})
    texts = mail_outbox.LogTextSender()
    done = mail_outbox.drain(org, clock, sender=None, texts=texts)
    assert done.citizen_sent == 1 and texts.sent[0][0] == "0912345678"


def test_the_sla_sweep_leaves_a_digest_users_notices_to_the_digest(xd, user, org, clock):
    from processes import sweep
    from processes.notifications import LogSender

    _emails(org)
    mail_outbox.set_mode(org, "cv.ktht", "digest")
    receive_ok(user("motcua"))
    clock.advance(days=9)  # the appraisal is due soon, then overdue: the sweep writes notices
    sent = LogSender()
    sweep.run_sweep(org, clock, sent)
    assert [to for to, _s, _b in sent.sent if to == "cv.ktht@ubnd.example.vn"] == []
    assert any(n["kind"].startswith("task_") for n in notifications.inbox(org, "cv.ktht"))


def test_waiting_emails_do_not_block_texts_and_stale_messages_are_dropped(xd, user, org, clock):
    receive_ok(user("motcua"), **{"applicant.phone": "0912345678", "applicant.email": "a@example.vn"})
    texts = mail_outbox.LogTextSender()
    assert mail_outbox.drain(org, clock, sender=None, texts=texts).citizen_sent == 1  # the text; the e-mail waits
    receive_ok(user("motcua"), **{"applicant.phone": "0987654321", "applicant.email": ""})
    clock.advance(days=3)
    late = mail_outbox.LogTextSender()
    assert mail_outbox.drain(org, clock, sender=None, texts=late).citizen_sent == 0 and late.sent == []
