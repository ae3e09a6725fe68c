"""An officer who works a case whose stored state this release cannot read is told that the administrator must
check the case (409, in Vietnamese), not shown a form error (it was a bare 422 with the engine's English)."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from processes.caches import LiveWorkflows
from processes.schema import instances
from tests.web.workspace_helpers import XD_STEPS, complete, open_task, receive_ok, texts


def test_completing_a_step_of_a_case_with_an_unreadable_state_says_it_needs_the_administrator(xd, user, org):
    code = receive_ok(user("motcua"))
    with org.write() as conn:
        state = json.loads(conn.execute(select(instances.c.state).where(instances.c.business_key == code)).scalar_one())
        state["v"] = "quytrinh-0/spiff-0.9"  # written by a release this one has no converter from
        conn.execute(update(instances).where(instances.c.business_key == code).values(state=json.dumps(state)))
    org.live = LiveWorkflows()  # as after a restart
    reply = complete(user("cv.ktht"), open_task(org, code, "Task_ThamDinh"), XD_STEPS["Task_ThamDinh"])
    assert reply.status_code == 409
    assert "Hồ sơ này cần quản trị hệ thống kiểm tra" in texts(reply.data)
    assert "stored workflow state has version" not in reply.get_data(as_text=True)
