"""Fixtures for the service-layer tests: a small three-step procedure and helpers that work it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from processes import instances, tasks
from processes.db import Database
from processes.schema import definitions, events, human_tasks, metadata
from processes.schema import instances as instances_table
from tests.conftest import BACKENDS
from tests.processes.empty_databases import empty_database

CODE = "QT-TEST-01"
PROCESS_ID = "QT_TEST_01"

# Tiếp nhận (mot_cua) → Thẩm định (chuyen_vien_ktht) → Phê duyệt (lanh_dao_phong_ktht) → end,
# the leader sending the dossier back to Thẩm định when they refuse it.
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Defs_Test" targetNamespace="http://quytrinh.test">
  <bpmn:collaboration id="Collab_Test">
    <bpmn:participant id="Part_Test" processRef="QT_TEST_01" />
  </bpmn:collaboration>
  <bpmn:process id="QT_TEST_01" name="Cấp giấy phép thử nghiệm" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="code" value="QT-TEST-01" />
        <camunda:property name="deadline" value="P5D" />
        <camunda:property name="level" value="huyen" />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="LaneSet_Test">
      <bpmn:lane id="Lane_MotCua" name="Bộ phận một cửa">
        <bpmn:extensionElements><camunda:properties>
          <camunda:property name="role" value="mot_cua" /></camunda:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_TiepNhan</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_ktht">
        <bpmn:flowNodeRef>Task_ThamDinh</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_LanhDao" name="Lãnh đạo phòng">
        <bpmn:extensionElements><camunda:properties>
          <camunda:property name="role" value="lanh_dao_phong_ktht" /></camunda:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>Task_PheDuyet</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_PheDuyet</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_Done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Nhận hồ sơ" />
    <bpmn:userTask id="Task_TiepNhan" name="Tiếp nhận hồ sơ" camunda:dueDate="P0.5D" camunda:formKey="tiep_nhan">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="ho_ten" label="Họ tên người nộp" type="string">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="maxlength" config="100" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="so_ban" label="Số bản" type="long">
            <camunda:validation>
              <camunda:constraint name="min" config="1" />
              <camunda:constraint name="max" config="10" />
            </camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ" camunda:dueDate="P3D">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="ket_qua" label="Kết quả thẩm định" type="enum">
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
            <camunda:value id="dat" name="Đạt" />
            <camunda:value id="khong_dat" name="Không đạt" />
          </camunda:formField>
          <camunda:formField id="y_kien" label="Ý kiến" type="string">
            <camunda:validation><camunda:constraint name="maxlength" config="2000" /></camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="Task_PheDuyet" name="Phê duyệt" camunda:dueDate="P1D">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="quyet_dinh" label="Quyết định" type="enum">
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
            <camunda:value id="duyet" name="Duyệt" />
            <camunda:value id="tra_lai" name="Trả lại để thẩm định lại" />
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" />
    <bpmn:endEvent id="EndEvent_Done" name="Trả kết quả" />
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Task_TiepNhan" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_TiepNhan" targetRef="Task_ThamDinh" />
    <bpmn:sequenceFlow id="F3" sourceRef="Task_ThamDinh" targetRef="Task_PheDuyet" />
    <bpmn:sequenceFlow id="F4" sourceRef="Task_PheDuyet" targetRef="Gateway_PheDuyet" />
    <bpmn:sequenceFlow id="F_Duyet" sourceRef="Gateway_PheDuyet" targetRef="EndEvent_Done">
      <bpmn:conditionExpression>quyet_dinh == 'duyet'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F_TraLai" sourceRef="Gateway_PheDuyet" targetRef="Task_ThamDinh">
      <bpmn:conditionExpression>${quyet_dinh == 'tra_lai'}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""

# A commune procedure (khai sinh-like): one-stop counter → civil-status officer → commune chairman.
KHAI_SINH = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Defs_KS" targetNamespace="http://quytrinh.test">
  <bpmn:process id="QT_KS_TEST" name="Đăng ký khai sinh (thử)" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="code" value="QT-KS-TEST" />
        <camunda:property name="deadline" value="same_day" />
        <camunda:property name="level" value="xa" />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="LaneSet_KS">
      <bpmn:lane id="Lane_KS_MC" name="mot_cua">
        <bpmn:flowNodeRef>KS_Start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>KS_TiepNhan</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_KS_TP" name="cong_chuc_tphc">
        <bpmn:flowNodeRef>KS_XuLy</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_KS_CT" name="lanh_dao_ubnd_xa">
        <bpmn:flowNodeRef>KS_Ky</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>KS_End</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="KS_Start" />
    <bpmn:userTask id="KS_TiepNhan" name="Tiếp nhận" />
    <bpmn:userTask id="KS_XuLy" name="Ghi sổ hộ tịch" />
    <bpmn:userTask id="KS_Ky" name="Ký giấy khai sinh" />
    <bpmn:endEvent id="KS_End" />
    <bpmn:sequenceFlow id="KS_F1" sourceRef="KS_Start" targetRef="KS_TiepNhan" />
    <bpmn:sequenceFlow id="KS_F2" sourceRef="KS_TiepNhan" targetRef="KS_XuLy" />
    <bpmn:sequenceFlow id="KS_F3" sourceRef="KS_XuLy" targetRef="KS_Ky" />
    <bpmn:sequenceFlow id="KS_F4" sourceRef="KS_Ky" targetRef="KS_End" />
  </bpmn:process>
</bpmn:definitions>
"""

RECEIVE = {"ho_ten": "Nguyễn Văn A", "so_ban": 2}
CHECK_OK = {"ket_qua": "dat", "y_kien": "Hồ sơ đầy đủ"}
APPROVE = {"quyet_dinh": "duyet"}
SEND_BACK = {"quyet_dinh": "tra_lai"}


@pytest.fixture
def proc(org, deployed) -> Database:
    """The demo database with the three-step test procedure deployed."""
    deployed(BPMN)
    return org


@pytest.fixture
def khai_sinh(org, deployed) -> Database:
    """The demo database with the commune procedure deployed."""
    deployed(KHAI_SINH)
    return org


def open_tasks_of(db: Database, user: str, instance_id: int | None = None) -> list[tasks.TaskView]:
    """The open tasks in `user`'s inbox (optionally of one case)."""
    return tasks.list_tasks(db, user=user, instance_id=instance_id)


def single_task(db: Database, user: str, instance_id: int | None = None) -> tasks.TaskView:
    """The one open task in `user`'s inbox; fails the test if there are none or several."""
    found = open_tasks_of(db, user, instance_id)
    assert len(found) == 1, f"{user} has {len(found)} open tasks: {[(t.business_key, t.name) for t in found]}"
    return found[0]


def work(db: Database, clock, user: str, data: dict[str, Any] | None = None,
         instance_id: int | None = None) -> instances.Moved:
    """Complete the user's single open task (of one case when given) with `data`."""
    task = single_task(db, user, instance_id)
    return instances.complete(db, task.id, data or {}, user, clock)


def start_case(db: Database, clock, actor: str = "motcua", data: dict[str, Any] | None = None,
               code: str = CODE, unit: str | None = None) -> instances.Moved:
    """Start a case of a procedure."""
    return instances.start(db, code, data or {}, actor, clock, unit)


def run_to_end(db: Database, clock, instance_id: int) -> instances.Moved:
    """Work a started test case through its three steps."""
    work(db, clock, "motcua", RECEIVE, instance_id)
    work(db, clock, "cv.ktht", CHECK_OK, instance_id)
    return work(db, clock, "tp.ktht", APPROVE, instance_id)


def counts(db: Database) -> dict[str, int]:
    """Row counts of the tables a use case writes."""
    with db.read() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (definitions, instances_table, human_tasks, events)}


def dump_all(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, ordered, as plain tuples (for byte-for-byte comparisons)."""
    out: dict[str, list[tuple]] = {}
    with db.read() as conn:
        for table in metadata.sorted_tables:
            cols = list(table.columns)
            rows = conn.execute(select(*cols).order_by(*(list(table.primary_key.columns) or cols)))
            out[table.name] = [tuple(r) for r in rows]
    return out


def instance_row(db: Database, instance_id: int):
    """The stored instance row."""
    with db.read() as conn:
        return conn.execute(select(instances_table).where(instances_table.c.id == instance_id)).one()


def task_rows(db: Database, instance_id: int) -> list:
    """Every human-task row of a case, in creation order."""
    with db.read() as conn:
        return list(conn.execute(select(human_tasks).where(human_tasks.c.instance_id == instance_id)
                                 .order_by(human_tasks.c.id)))


def history(db: Database, instance_id: int) -> list[dict]:
    """The event log of a case."""
    from processes import eventlog

    with db.read() as conn:
        return eventlog.history(conn, instance_id)


def verify(db: Database, case_id: int | None = None) -> list:
    """Tampering found in the event log."""
    from processes import eventlog

    with db.read() as conn:
        return eventlog.verify(conn, case_id)


def current_schema(db: Database) -> str | None:
    """The PostgreSQL schema a test database lives in (None for SQLite)."""
    if db.is_sqlite:
        return None
    with db.read() as conn:
        return conn.execute(text("SELECT current_schema()")).scalar_one()


MONDAY_0800 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A database with no table at all, on each backend (the migration tests)."""
    with empty_database(request.param, tmp_path) as database:
        yield database
