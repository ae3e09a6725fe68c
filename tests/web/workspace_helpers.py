"""Helpers for the officer-workspace web tests: receive a building-permit dossier, work its steps through pages."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from processes.schema import human_tasks, instances
from tests.web.conftest import csrf_of
from tests.xd_data import DAY, XD_STEPS, XD_USERS  # noqa: F401 - re-exported

APPLICANT = {"applicant.name": "Nguyễn Văn An", "applicant.id_number": "001203004567",
             "applicant.address": "Thôn Đông, xã An Hòa", "applicant.phone": "0912 345 678",
             "applicant.email": "an@example.vn", "applicant.channel": "truc_tiep"}
XD_FORM = {"form.loai_giay_phep": "xay_dung_moi", "form.dia_diem_xay_dung": "Thôn Đông, xã An Hòa",
           "form.so_giay_chung_nhan_qsdd": "CS 012345", "form.dien_tich_xay_dung": "120", "form.so_tang": "3"}
CHECKLIST = {"doc.0.name": "Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)", "doc.0.present": "on",
             "doc.0.kind": "original", "doc.0.sets": "1",
             "doc.1.name": "Giấy chứng nhận quyền sử dụng đất", "doc.1.present": "on", "doc.1.kind": "certified",
             "doc.1.sets": "1"}
XD_USERS = {k: v for k, v in XD_USERS.items() if k != "Task_TiepNhan"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def receive(client, outcome: str = "accepted", files: list | None = None, **extra: str):
    """Post the reception form of QT-XD-01; return the reply."""
    token = csrf_of(client.get("/receive/QT-XD-01").data)
    data: dict[str, Any] = {"csrf_token": token, **APPLICANT, **CHECKLIST, **XD_FORM, "outcome": outcome, **extra}
    if files:
        data["files"] = files
    return client.post("/receive/QT-XD-01", data=data, content_type="multipart/form-data")


def receive_ok(client, **extra: str) -> str:
    """Receive a dossier and return its code."""
    reply = receive(client, **extra)
    assert reply.status_code == 302, reply.get_data(as_text=True)[:2000]
    return reply.headers["Location"].rsplit("/", 1)[-1]


def open_task(db, code: str, element_id: str | None = None) -> str:
    """The uuid of the (one) open step of a dossier, optionally of a given element."""
    with db.read() as conn:
        query = (select(human_tasks.c.task_uuid, human_tasks.c.element_id)
                 .join(instances, instances.c.id == human_tasks.c.instance_id)
                 .where(instances.c.business_key == code, human_tasks.c.state.in_(("ready", "claimed"))))
        rows = list(conn.execute(query))
    rows = [r for r in rows if element_id is None or r.element_id == element_id]
    assert len(rows) == 1, rows
    return rows[0].task_uuid


def open_element(db, code: str) -> str:
    """The element id of the dossier's open step."""
    with db.read() as conn:
        return conn.execute(select(human_tasks.c.element_id)
                            .join(instances, instances.c.id == human_tasks.c.instance_id)
                            .where(instances.c.business_key == code,
                                   human_tasks.c.state.in_(("ready", "claimed")))).scalar_one()


def complete(client, task_id: str, data: dict[str, Any]):
    """Submit a step's form page."""
    token = csrf_of(client.get(f"/tasks/{task_id}").data)
    return client.post(f"/tasks/{task_id}", data={"csrf_token": token, **data})


def work(user, db, code: str, element_id: str, data: dict[str, Any] | None = None):
    """Do a step of a QT-XD-01 dossier as its demo user through the task page; return the reply."""
    task_id = open_task(db, code, element_id)
    reply = complete(user(XD_USERS[element_id]), task_id, {**XD_STEPS[element_id], **(data or {})})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:3000]
    return reply


def post_form(client, url: str, data: dict[str, Any], page: str | None = None, **kwargs):
    """POST a form with the CSRF token of `page` (default: the inbox)."""
    token = csrf_of(client.get(page or "/tasks").data)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def texts(html: bytes) -> str:
    """A page's text without tags (for loose assertions)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def rows(html: bytes | str) -> str:
    """The text of a page's result table rows only (not the flash messages or the filters)."""
    text = html.decode() if isinstance(html, bytes) else html
    bodies = re.findall(r"<tbody>(.*?)</tbody>", text, flags=re.S)
    return texts("".join(bodies).encode())


def finish(db, clock, code: str, path: tuple[str, ...] = ("Task_ThamDinh", "Task_XemXet", "Task_KyGiayPhep",
                                                          "Task_VaoSoDongDau", "Task_TraKetQua")) -> None:
    """Work a received QT-XD-01 dossier to its end through the use cases (fast; pages are tested elsewhere)."""
    from processes import instances

    for element_id in path:
        instances.complete(db, open_task(db, code, element_id), dict(XD_STEPS[element_id]), XD_USERS[element_id],
                           clock)
