"""Timer jobs with an injected clock: indexing on every save, firing once, escalation, failures, claims.

Dates (default calendar, office hours 07:00–11:30 and 13:30–17:00 Vietnam time):
Thẩm định starts Fri 9 Jan 2026 16:00; its P2D limit ends Tue 13 Jan 2026 16:00 (= 09:00 UTC).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, insert, select

from processes import instances, timers
from processes.clock import FixedClock
from processes.schema import timer_jobs
from tests.processes.conftest import history, open_tasks_of, single_task, start_case, verify, work

VN = dt.timezone(dt.timedelta(hours=7))
FRI_1600 = dt.datetime(2026, 1, 9, 16, 0, tzinfo=VN)
DUE = dt.datetime(2026, 1, 13, 16, 0, tzinfo=VN)
CODE = "QT-TIMER-01"


def timer_bpmn(kind: str = "timeDuration", text: str = "P2D", interrupting: bool = True) -> str:
    """Tiếp nhận (mot_cua) → Thẩm định (chuyen_vien_ktht) with a timer boundary → leader's escalation step."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_Timer" targetNamespace="urn:t">
  <bpmn:process id="QT_TIMER_01" name="Thẩm định có hạn xử lý" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="code" value="{CODE}" /><camunda:property name="deadline" value="P5D" />
      <camunda:property name="level" value="huyen" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:laneSet id="LS">
      <bpmn:lane id="L_MC" name="mot_cua"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>T_TiepNhan</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L_CV" name="chuyen_vien_ktht"><bpmn:flowNodeRef>T_ThamDinh</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_QuaHan</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L_LD" name="lanh_dao_phong_ktht"><bpmn:flowNodeRef>T_XuLyQuaHan</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>E_Done</bpmn:flowNodeRef><bpmn:flowNodeRef>E_QuaHan</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="S" />
    <bpmn:userTask id="T_TiepNhan" name="Tiếp nhận hồ sơ" />
    <bpmn:userTask id="T_ThamDinh" name="Thẩm định hồ sơ" camunda:dueDate="P2D" />
    <bpmn:boundaryEvent id="Timer_QuaHan" name="Quá hạn thẩm định" attachedToRef="T_ThamDinh"
                        cancelActivity="{str(interrupting).lower()}">
      <bpmn:timerEventDefinition><bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="T_XuLyQuaHan" name="Lãnh đạo xử lý hồ sơ quá hạn" />
    <bpmn:endEvent id="E_Done" /><bpmn:endEvent id="E_QuaHan" />
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T_TiepNhan" />
    <bpmn:sequenceFlow id="F2" sourceRef="T_TiepNhan" targetRef="T_ThamDinh" />
    <bpmn:sequenceFlow id="F3" sourceRef="T_ThamDinh" targetRef="E_Done" />
    <bpmn:sequenceFlow id="F4" sourceRef="Timer_QuaHan" targetRef="T_XuLyQuaHan" />
    <bpmn:sequenceFlow id="F5" sourceRef="T_XuLyQuaHan" targetRef="E_QuaHan" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def timer_db(org, deployed):
    """The demo database with the timer procedure deployed."""
    deployed(timer_bpmn())
    return org


def waiting_case(db, clock: FixedClock, when: dt.datetime = FRI_1600, data: dict | None = None) -> int:
    """A case whose Thẩm định step (with its P2D timer) started at `when`."""
    clock.set(when)
    moved = start_case(db, clock, code=CODE, data=data)
    work(db, clock, "motcua", {}, moved.instance_id)
    return moved.instance_id


def jobs(db, instance_id: int | None = None) -> list:
    with db.read() as conn:
        return timers.jobs_of(conn, instance_id)


def lifecycles(db, instance_id: int, lifecycle: str) -> list[dict]:
    return [e for e in history(db, instance_id) if e["lifecycle"] == lifecycle]


def test_boundary_timer_escalates_an_idle_step_exactly_once(timer_db, clock):
    case = waiting_case(timer_db, clock)
    [job] = jobs(timer_db, case)
    assert job.element_id == "Timer_QuaHan" and job.due_at == DUE and job.claimed_by is None
    assert single_task(timer_db, "cv.ktht", case).element_id == "T_ThamDinh"

    clock.set(DUE - dt.timedelta(seconds=1))
    assert timers.fire_due(timer_db, clock, "w1") == 0
    assert lifecycles(timer_db, case, "timer") == [] and len(jobs(timer_db, case)) == 1

    clock.set(DUE)
    assert timers.fire_due(timer_db, clock, "w1") == 1
    clock.advance(hours=1)
    assert timers.fire_due(timer_db, clock, "w1") == 0
    [fired] = lifecycles(timer_db, case, "timer")
    assert fired["activity"] == "Timer_QuaHan" and fired["actor"] is None
    assert fired["payload"]["due"] == DUE.astimezone(dt.UTC).isoformat() and fired["payload"]["interrupting"]
    [escalated] = lifecycles(timer_db, case, "escalate")
    assert [o["element"] for o in escalated["payload"]["opened"]] == ["T_XuLyQuaHan"]
    assert [e["activity"] for e in lifecycles(timer_db, case, "withdraw")] == ["T_ThamDinh"]
    assert single_task(timer_db, "tp.ktht", case).element_id == "T_XuLyQuaHan"
    assert single_task(timer_db, "tp.ktht", case).roles == "lanh_dao_phong_ktht"
    assert open_tasks_of(timer_db, "cv.ktht", case) == []
    assert jobs(timer_db) == [] and verify(timer_db) == []
    assert work(timer_db, clock, "tp.ktht", {}, case).status == "completed"


def test_the_step_done_in_time_removes_its_timer_job(timer_db, clock):
    case = waiting_case(timer_db, clock)
    clock.set(DUE - dt.timedelta(minutes=5))
    assert work(timer_db, clock, "cv.ktht", {}, case).status == "completed"
    assert jobs(timer_db) == []
    clock.set(DUE + dt.timedelta(days=3))
    assert timers.fire_due(timer_db, clock, "w1") == 0 and lifecycles(timer_db, case, "timer") == []


def test_cancelling_a_case_removes_its_timer_jobs(timer_db, clock):
    case = waiting_case(timer_db, clock)
    instances.cancel(timer_db, case, "motcua", clock, "nộp nhầm")
    assert jobs(timer_db) == []


def test_a_job_fires_from_the_stored_state_after_a_restart(timer_db, clock):
    case = waiting_case(timer_db, clock)
    timer_db.live.clear()
    timer_db.procedures.clear()
    clock.set(DUE + dt.timedelta(minutes=1))
    assert timers.fire_due(timer_db, clock, "w1") == 1
    assert single_task(timer_db, "tp.ktht", case).element_id == "T_XuLyQuaHan"


def test_a_non_interrupting_cycle_reminds_and_keeps_the_step(org, deployed, clock):
    # R2/PT4H from Fri 16:00: Mon 12 Jan 10:00, then Mon 16:00; the job follows the next due instant.
    deployed(timer_bpmn("timeCycle", "R2/PT4H", interrupting=False))
    case = waiting_case(org, clock)
    assert [j.due_at for j in jobs(org, case)] == [dt.datetime(2026, 1, 12, 10, 0, tzinfo=VN)]
    clock.set(dt.datetime(2026, 1, 12, 10, 0, tzinfo=VN))
    assert timers.fire_due(org, clock, "w1") == 1
    assert [j.due_at for j in jobs(org, case)] == [dt.datetime(2026, 1, 12, 16, 0, tzinfo=VN)]
    clock.set(dt.datetime(2026, 1, 12, 16, 0, tzinfo=VN))
    assert timers.fire_due(org, clock, "w1") == 1
    assert jobs(org, case) == [] and len(lifecycles(org, case, "timer")) == 2
    assert single_task(org, "cv.ktht", case).element_id == "T_ThamDinh"
    assert len(open_tasks_of(org, "tp.ktht", case)) == 2


def test_procedures_without_timers_never_touch_the_job_table(proc, clock):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(proc.engine, "before_cursor_execute", seen)
    try:
        moved = start_case(proc, clock)
        work(proc, clock, "motcua", {"ho_ten": "A", "so_ban": 1}, moved.instance_id)
    finally:
        event.remove(proc.engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "timer_jobs" in s]


def test_a_failing_job_backs_off_and_does_not_block_the_others(timer_db, clock, monkeypatch):
    bad, good = waiting_case(timer_db, clock, data={"bad": True}), waiting_case(timer_db, clock)
    real = timers.engine_timers.advance_timers

    def failing(procedure, workflow, *args):
        if workflow.get_tasks(spec_name="T_ThamDinh")[0].data.get("bad"):
            raise RuntimeError("handler down")
        return real(procedure, workflow, *args)

    monkeypatch.setattr(timers.engine_timers, "advance_timers", failing)
    clock.set(DUE)
    assert timers.fire_due(timer_db, clock, "w1") == 1
    [job] = jobs(timer_db)
    assert job.instance_id == bad and job.attempts == 1 and "handler down" in job.last_error
    assert job.claimed_by is None and job.claim_expires_at == DUE + dt.timedelta(seconds=timers.BACKOFF_SECONDS)
    assert lifecycles(timer_db, good, "timer") and not lifecycles(timer_db, bad, "timer")

    clock.advance(seconds=10)  # still backing off
    assert timers.fire_due(timer_db, clock, "w1") == 0 and jobs(timer_db)[0].attempts == 1
    clock.advance(seconds=30)
    assert timers.fire_due(timer_db, clock, "w1") == 0
    [job] = jobs(timer_db)
    assert job.attempts == 2 and job.claim_expires_at == clock.now() + dt.timedelta(seconds=60)  # doubled

    monkeypatch.setattr(timers.engine_timers, "advance_timers", real)
    clock.advance(seconds=60)
    assert timers.fire_due(timer_db, clock, "w1") == 1 and jobs(timer_db) == []


def test_a_live_claim_keeps_other_workers_off_until_it_expires(timer_db, clock):
    cases = [waiting_case(timer_db, clock) for _ in range(3)]
    clock.set(DUE)
    claimed = timers.claim_due(timer_db, clock, "w1", limit=10, claim_seconds=60)
    assert sorted(j.instance_id for j in claimed) == sorted(cases)
    assert timers.fire_due(timer_db, clock, "w2") == 0  # w1 holds them
    clock.advance(seconds=61)  # w1 died: its claims expire
    assert timers.fire_due(timer_db, clock, "w2") == 3
    assert timers.fire_job(timer_db, clock, "w1", claimed[0]) == 0  # w1 comes back: nothing left to do
    for case in cases:
        [fired] = lifecycles(timer_db, case, "timer")
        assert fired["payload"]["worker"] == "w2"


def test_stale_jobs_are_dropped_without_firing_anything(timer_db, clock):
    case, done = waiting_case(timer_db, clock), waiting_case(timer_db, clock)
    work(timer_db, clock, "cv.ktht", {}, done)
    with timer_db.write() as conn:  # rows the index no longer backs (e.g. left by a crash or a migration)
        conn.execute(insert(timer_jobs), [
            {"instance_id": case, "task_uuid": "00000000-0000-0000-0000-000000000001", "element_id": "x",
             "due_at": FRI_1600, "attempts": 0},
            {"instance_id": done, "task_uuid": "00000000-0000-0000-0000-000000000002", "element_id": "x",
             "due_at": FRI_1600, "attempts": 0}])
    clock.set(DUE - dt.timedelta(minutes=1))
    assert timers.fire_due(timer_db, clock, "w1") == 0
    with timer_db.read() as conn:
        assert conn.execute(select(timer_jobs.c.instance_id, timer_jobs.c.element_id)).all() == [(case, "Timer_QuaHan")]
    assert lifecycles(timer_db, case, "timer") == [] and lifecycles(timer_db, done, "timer") == []
    clock.set(DUE)
    assert timers.fire_due(timer_db, clock, "w1") == 1
