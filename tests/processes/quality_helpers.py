"""Helpers for the document-control tests: the approval procedure worked by the demo users, new versions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from demo.signing_keys import DEMO_KEY_PASSWORD, ensure_keys
from processes import approval_signing, instances, procedures, signer_keys, tasks, versions
from processes.db import Database
from tests.conftest import BPMN_DIR
from tests.processes.conftest import BPMN, CODE

ISO, HEAD, LEADER = "iso", "tp.nv", "pct"

# Version 2 of the test procedure: Thẩm định gets a shorter limit and a new name.
RENAMED = BPMN.replace('name="Thẩm định hồ sơ" camunda:dueDate="P3D"',
                       'name="Thẩm định hồ sơ kỹ" camunda:dueDate="P2D"')

# Version 2 with Phê duyệt (and its gateway) removed and a new last step Kiểm tra, ký added.
_OLD_TAIL = BPMN[BPMN.index('    <bpmn:userTask id="Task_PheDuyet"'):BPMN.index("  </bpmn:process>")]
_NEW_TAIL = """    <bpmn:userTask id="Task_KiemTra" name="Kiểm tra, ký" camunda:dueDate="P1D" />
    <bpmn:endEvent id="EndEvent_Done" name="Trả kết quả" />
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Task_TiepNhan" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_TiepNhan" targetRef="Task_ThamDinh" />
    <bpmn:sequenceFlow id="F3b" sourceRef="Task_ThamDinh" targetRef="Task_KiemTra" />
    <bpmn:sequenceFlow id="F4b" sourceRef="Task_KiemTra" targetRef="EndEvent_Done" />
"""
RESTRUCTURED = (BPMN.replace(_OLD_TAIL, _NEW_TAIL)
                .replace("<bpmn:flowNodeRef>Task_PheDuyet</bpmn:flowNodeRef>",
                         "<bpmn:flowNodeRef>Task_KiemTra</bpmn:flowNodeRef>")
                .replace("        <bpmn:flowNodeRef>Gateway_PheDuyet</bpmn:flowNodeRef>\n", ""))


def deploy_approval(deployed) -> None:
    """Deploy the real approval procedure from bpmn/."""
    deployed(BPMN_DIR / "QT-ISO-01.bpmn")


def approve(db: Database, clock, code: str, number: int, note: str = "", effective: str | None = None) -> None:
    """Send a draft for approval as the quality manager, then approve it as the head and the leader."""
    versions.submit(db, clock, ISO, code, number, note)
    review(db, clock, code, number, "dong_y")
    decide(db, clock, code, number, "phe_duyet", effective)


def review(db: Database, clock, code: str, number: int, outcome: str) -> None:
    """The head of Phòng Nội vụ reviews (dong_y or tra_lai)."""
    instances.complete(db, approval_task(db, code, number, HEAD), {"ket_qua_xem_xet": outcome,
                                                                  "y_kien_xem_xet": "Ý kiến"}, HEAD, clock)


def decide(db: Database, clock, code: str, number: int, outcome: str, effective: str | None = None) -> None:
    """The leader of the People's Committee approves (phe_duyet: he signs the ISO document with his stored key,
    a demo key made when he has none) or sends back (tra_lai)."""
    data = {"ket_qua_phe_duyet": outcome, **({"ngay_hieu_luc": effective} if effective else {}),
            **({"y_kien_phe_duyet": "Cần sửa lại"} if outcome == "tra_lai" else {})}  # a send-back says why
    task = approval_task(db, code, number, LEADER)
    if outcome != "phe_duyet":
        instances.complete(db, task, data, LEADER, clock)
        return
    ensure_keys(db, [LEADER])
    approval_signing.decide(db, attachments_root(db), task, data, LEADER, clock,
                            key=lambda: signer_keys.key_of(LEADER, DEMO_KEY_PASSWORD))


def attachments_root(db: Database) -> Path:
    """The database's attachment store; a temporary folder when the test gave it none."""
    if getattr(db, "_attachments_root", None) is None:
        db.attachments_root = Path(tempfile.mkdtemp(prefix="quytrinh-attachments-"))
    return db.attachments_root


def approval_task(db: Database, code: str, number: int, user: str) -> str:
    """The one open step of the version's approval case in `user`'s inbox."""
    open_steps = versions.approval_tasks(db, code, number)
    mine = {t.id for t in tasks.list_tasks(db, user=user)}
    found = [t.id for t in open_steps if t.id in mine]
    assert len(found) == 1, f"{user} should have one approval step, open: {[t.name for t in open_steps]}"
    return found[0]


def status_of(db: Database, code: str, number: int) -> str:
    """The status of one version."""
    return next(v["status"] for v in versions.list_versions(db, code) if v["version"] == number)


def catalog_with_test_procedure(db: Database, clock, deployed) -> None:
    """The test procedure deployed and adopted as version 1 (effective), with the approval procedure."""
    deploy_approval(deployed)
    deployed(BPMN)
    procedures.adopt_deployed(db, clock)
    assert status_of(db, CODE, 1) == "effective"
