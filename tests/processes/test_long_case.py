"""A case with a long history (issue 15): 400 completions, then a restart in a fresh process, and it goes on.

Without pruning the workflow's task tree a case sent back and forth lengthens it by every round, and past
a depth of 1000 SpiffWorkflow's iterators stop looking: after 250 round trips the case has no next step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from processes import instances
from processes.db import Database
from processes.projection import open_tasks
from tests.xd_data import APPLICANT, XD_RECEPTION, XD_STEPS, XD_USERS

from .conftest import current_schema, verify
from .sla_helpers import start_xd

SEND_BACK = {"ket_qua_xem_xet": "tra_lai", "y_kien_lanh_dao_phong": "Cần thẩm định lại hiện trạng công trình liền kề"}

# Runs in a fresh interpreter: complete the one open step of the case with the given data; print what opens next.
COMPLETE_NEXT = """
import datetime as dt, json, sys
from processes import instances
from processes.clock import FixedClock
from processes.db import Database
from processes.projection import open_tasks

url, schema, case, users, data = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), json.loads(sys.argv[4]), \\
    json.loads(sys.argv[5])
db = Database(url, schema=schema)
clock = FixedClock(dt.datetime(2026, 1, 7, 2, 0, tzinfo=dt.UTC))
with db.read() as conn:
    [(uuid, element)] = open_tasks(conn, case).items()
moved = instances.complete(db, uuid, data[element], users[element], clock)
print(json.dumps({"done": element, "next": [s.element_id for s in moved.opened], "status": moved.status}))
"""


@pytest.fixture
def xd(org, deployed):
    deployed("QT-XD-01.bpmn")
    return org


def _state_size(db: Database, case: int) -> int:
    with db.read() as conn:
        return conn.execute(text("SELECT length(state) FROM instances WHERE id = :i"), {"i": case}).scalar()


def test_a_case_with_400_completions_restarts_in_a_fresh_process_and_continues(xd, clock):
    case = start_xd(xd, clock)
    [(uuid, _)] = _open(xd, case).items()
    moved = instances.complete(xd, uuid, {**APPLICANT, **XD_RECEPTION}, "motcua", clock)
    sizes = []
    for _ in range(200):  # 200 round trips: 400 completions
        for element, data in (("Task_ThamDinh", XD_STEPS["Task_ThamDinh"]), ("Task_XemXet", SEND_BACK)):
            [(uuid, found)] = _open(xd, case).items()
            assert found == element
            moved = instances.complete(xd, uuid, data, XD_USERS[element], clock)
        sizes.append(_state_size(xd, case))
    opened = [s.element_id for s in moved.opened]
    assert opened == ["Task_ThamDinh"]
    # The stored state does not grow with the rounds (it held 300 k characters after 400 before pruning).
    assert sizes[-1] <= sizes[4] * 1.1
    # A fresh interpreter, nothing cached: the case reads back and goes on to its end.
    data = {**XD_STEPS}
    trail = []
    for _ in range(6):
        out = _complete_elsewhere(xd, case, data)
        trail.append(out["done"])
        if out["status"] != "running":
            break
    assert trail == ["Task_ThamDinh", "Task_XemXet", "Task_KyGiayPhep", "Task_VaoSoDongDau", "Task_TraKetQua"]
    assert out["status"] == "completed"
    assert verify(xd, case) == []


def _open(db: Database, case: int) -> dict[str, str]:
    with db.read() as conn:
        return open_tasks(conn, case)


def _complete_elsewhere(db: Database, case: int, data: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "QUYTRINH_DATABASE_URL"}
    result = subprocess.run([sys.executable, "-c", COMPLETE_NEXT, db.url, current_schema(db) or "", str(case),
                             json.dumps(XD_USERS), json.dumps(data)], capture_output=True, text=True, timeout=120,
                            env=env, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
