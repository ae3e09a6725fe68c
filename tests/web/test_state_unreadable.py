"""An officer who works a case whose stored state this release cannot read is told that the administrator must
check the case (409, in Vietnamese), not shown a form error (it was a bare 422 with the engine's English); the
administrator's page lists the case with its procedure, version, unit and the reason."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from processes.caches import LiveWorkflows
from processes.schema import instances
from tests.web.workspace_helpers import XD_STEPS, complete, open_task, receive_ok, rows, texts


def _age(org, code: str) -> None:
    with org.write() as conn:
        state = json.loads(conn.execute(select(instances.c.state).where(instances.c.business_key == code)).scalar_one())
        state["v"] = "quytrinh-0/spiff-0.9"  # written by a release this one has no converter from
        conn.execute(update(instances).where(instances.c.business_key == code).values(state=json.dumps(state)))
    org.live = LiveWorkflows()  # as after a restart


def test_completing_a_step_of_a_case_with_an_unreadable_state_says_it_needs_the_administrator(xd, user, org):
    code = receive_ok(user("motcua"))
    _age(org, code)
    reply = complete(user("cv.ktht"), open_task(org, code, "Task_ThamDinh"), XD_STEPS["Task_ThamDinh"])
    assert reply.status_code == 409
    assert "Hồ sơ này cần quản trị hệ thống kiểm tra" in texts(reply.data)
    assert "stored workflow state has version" not in reply.get_data(as_text=True)


def test_the_administrator_sees_the_case_its_procedure_version_unit_and_why(xd, user, login, org):
    stuck, fine = receive_ok(user("motcua")), receive_ok(user("motcua"))
    admin = login("admin")
    assert "Mọi hồ sơ đang xử lý đều đọc được trạng thái" in texts(admin.get("/admin/states").data)
    _age(org, stuck)
    reply = admin.get("/admin/states")
    assert reply.status_code == 200
    listed = rows(reply.data)
    assert stuck in listed and fine not in listed
    assert "Cấp giấy phép xây dựng" in listed and "QT-XD-01" in listed and "Phiên bản 1" in listed
    assert "UBND huyện An Phú (demo)" in listed  # the case's unit, by name
    assert "không có bộ chuyển đổi từ phiên bản đó" in listed and "quytrinh-0/spiff-0.9" in listed
    assert "Cách xử lý" in texts(reply.data)
    assert login("motcua").get("/admin/states").status_code == 403
