"""Helpers for the SLA tests: Vietnam-time instants and a building-permit (QT-XD-01) case worked step by step."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from processes import instances
from processes.db import Database
from processes.schema import human_tasks, users
from tests.xd_data import APPLICANT, DAY, XD_RECEPTION, XD_STEPS, XD_USERS  # noqa: F401 - re-exported

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIVE = {**APPLICANT, **XD_RECEPTION}
XD_DATA: dict[str, dict[str, Any]] = {"Task_TiepNhan": RECEIVE, **XD_STEPS}
MAIN_PATH = ["Task_TiepNhan", "Task_ThamDinh", "Task_XemXet", "Task_KyGiayPhep", "Task_VaoSoDongDau",
             "Task_TraKetQua"]


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An instant given in Hà Nội time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def local(at: dt.datetime | None) -> str | None:
    """An instant as people read it: 'YYYY-MM-DD HH:MM' in Hà Nội time."""
    return None if at is None else at.astimezone(VN).strftime("%Y-%m-%d %H:%M")


def open_task(db: Database, instance_id: int, element_id: str):
    """The open human-task row of a step of a case (exactly one)."""
    with db.read() as conn:
        rows = list(conn.execute(select(human_tasks).where(
            human_tasks.c.instance_id == instance_id, human_tasks.c.element_id == element_id,
            human_tasks.c.state.in_(("ready", "claimed")))))
    assert len(rows) == 1, f"{element_id}: {len(rows)} open rows"
    return rows[0]


def step(db: Database, clock, instance_id: int, element_id: str, data: dict[str, Any] | None = None,
         at: dt.datetime | None = None) -> instances.Moved:
    """Complete a step of a QT-XD-01 case as the demo user who does it (at `at` when given)."""
    if at is not None:
        clock.set(at)
    task = open_task(db, instance_id, element_id)
    payload = {**XD_DATA[element_id], **(data or {})}
    return instances.complete(db, task.task_uuid, payload, XD_USERS[element_id], clock)


def start_xd(db: Database, clock, at: dt.datetime | None = None, data: dict[str, Any] | None = None) -> int:
    """Receive a building-permit dossier at the district one-stop counter; return the case id."""
    if at is not None:
        clock.set(at)
    return instances.start(db, "QT-XD-01", data or {}, "motcua", clock).instance_id


def set_emails(db: Database, **emails: str) -> None:
    """Give demo users e-mail addresses (username=address)."""
    with db.write() as conn:
        for user, address in emails.items():
            conn.execute(update(users).where(users.c.username == user.replace("_", ".")).values(email=address))
