"""Working-time timer events on an injected clock (engine only, no database).

Default calendar: Mon–Fri, 07:00–11:30 and 13:30–17:00 in Asia/Ho_Chi_Minh (8 office hours a day).
Week used: Fri 9 Jan 2026 → Mon 12, Tue 13, Wed 14 Jan 2026 (all ordinary working days).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.task import TaskState

from engine.calendar import default_calendar
from engine.errors import ModelInvalid, StepFailed
from engine.parsing import compile_procedure
from engine.runner import complete_step, new_workflow, ready_steps
from engine.scripting import SERIALIZER_CONFIG_ADDITIONS, RestrictedScriptEngine
from engine.state import dump_state, load_state
from engine.timers import (
    TIMER_SERIALIZER_CONFIG,
    WorkingDurationTimer,
    advance_timers,
    parse_instant,
    pending_timers,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRI_1600 = datetime(2026, 1, 9, 16, 0, tzinfo=VN)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def at(text: str) -> datetime:
    """A Vietnam-time instant written 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def boundary_model(kind: str, text: str, interrupting: bool = True) -> str:
    """Step 'ut' with a timer boundary leading to the escalation step 'esc'."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:t">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="ut" name="Thẩm định"/>
    <bpmn:boundaryEvent id="timer" name="Quá hạn" attachedToRef="ut" cancelActivity="{str(interrupting).lower()}">
      <bpmn:timerEventDefinition><bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="esc" name="Lãnh đạo xử lý quá hạn"/>
    <bpmn:endEvent id="end"/><bpmn:endEvent id="late"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ut" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="esc"/>
    <bpmn:sequenceFlow id="f4" sourceRef="esc" targetRef="late"/>
  </bpmn:process>
</bpmn:definitions>"""


CATCH = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:t">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="wait" name="Chờ 1 ngày">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="ut" name="Xử lý"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="ut"/>
    <bpmn:sequenceFlow id="f3" sourceRef="ut" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def started(xml: str, when: datetime = FRI_1600, calendar=default_calendar(), data=None):
    clock = Clock(when)
    procedure = compile_procedure(xml)
    engine = RestrictedScriptEngine(clock=clock, calendar=calendar)
    workflow, _ = new_workflow(procedure, dict(data or {}), engine)
    return procedure, workflow, clock


def due_of(workflow, now: datetime) -> datetime:
    [timer] = pending_timers(workflow, now)
    return timer.due


def steps(procedure, workflow) -> list[str]:
    return sorted(s.element_id for s in ready_steps(procedure, workflow))


def move(procedure, workflow, clock: Clock, when: datetime) -> list[str]:
    clock.at = when
    advance_timers(procedure, workflow)
    return steps(procedure, workflow)


def test_boundary_p2d_is_due_two_working_days_later():
    # Fri 16:00 has 7 of Friday's 8 office hours behind it; +2 working days → Tue 13 Jan 16:00.
    procedure, workflow, clock = started(boundary_model("timeDuration", "P2D"))
    assert due_of(workflow, clock.now()) == at("2026-01-13 16:00")
    assert move(procedure, workflow, clock, at("2026-01-13 15:59:59")) == ["ut"]
    assert move(procedure, workflow, clock, at("2026-01-13 16:00")) == ["esc"]  # interrupting: ut withdrawn
    # The withdrawn step is gone from the tree (engine/pruning.py): nothing of it can still run.
    assert workflow.get_tasks(spec_name="ut", state=TaskState.NOT_FINISHED_MASK) == []
    assert pending_timers(workflow, clock.now()) == []


def test_hours_count_office_time_only():
    # Fri 16:00-17:00 is 1 h; Mon 07:00 + 3 h → Mon 12 Jan 10:00 (a calendar PT4H would be Fri 20:00).
    procedure, workflow, clock = started(boundary_model("timeDuration", '"PT4H"'))
    assert due_of(workflow, clock.now()) == at("2026-01-12 10:00")


def test_the_clock_is_the_injected_one_not_the_system_clock():
    procedure, workflow, clock = started(boundary_model("timeDuration", "PT4H"), when=at("2030-06-03 08:00"))
    # Mon 3 Jun 2030 08:00: 08:00-11:30 is 3.5 h, 13:30-14:00 the last 0.5 h.
    assert due_of(workflow, clock.now()) == at("2030-06-03 14:00")


def test_without_a_calendar_durations_are_elapsed_time():
    procedure, workflow, clock = started(boundary_model("timeDuration", "PT4H"), calendar=None)
    assert due_of(workflow, clock.now()) == at("2026-01-09 20:00")


def test_non_interrupting_boundary_fires_and_the_step_stays_ready():
    procedure, workflow, clock = started(boundary_model("timeDuration", "P0.5D", interrupting=False))
    # Fri 16:00 + half a working day (4 office hours) → Mon 10:00.
    assert move(procedure, workflow, clock, at("2026-01-12 09:59")) == ["ut"]
    assert move(procedure, workflow, clock, at("2026-01-12 10:00")) == ["esc", "ut"]
    assert move(procedure, workflow, clock, at("2026-01-20 10:00")) == ["esc", "ut"]  # once only
    [ut] = [s for s in ready_steps(procedure, workflow) if s.element_id == "ut"]
    complete_step(procedure, workflow, ut.task_id, {})
    assert steps(procedure, workflow) == ["esc"]


def test_completing_the_step_first_withdraws_the_timer():
    procedure, workflow, clock = started(boundary_model("timeDuration", "P2D"))
    [ut] = ready_steps(procedure, workflow)
    complete_step(procedure, workflow, ut.task_id, {})
    assert workflow.completed and pending_timers(workflow, clock.now()) == []


def test_intermediate_catch_waits_one_working_day():
    procedure, workflow, clock = started(CATCH, when=at("2026-01-09 08:00"))
    assert steps(procedure, workflow) == [] and due_of(workflow, clock.now()) == at("2026-01-12 08:00")
    assert move(procedure, workflow, clock, at("2026-01-10 08:00")) == []  # Saturday: not a working day
    assert move(procedure, workflow, clock, at("2026-01-12 08:00")) == ["ut"]


@pytest.mark.parametrize(("text", "due"), [
    ("2026-01-12T09:00:00+07:00", at("2026-01-12 09:00")),
    ("2026-01-12T02:00:00Z", at("2026-01-12 09:00")),
    ("2026-01-12T09:00:00", at("2026-01-12 09:00")),  # naive: Vietnam time, whatever the server's zone
    ('"2026-01-12T09:00"', at("2026-01-12 09:00")),
])
def test_time_date_with_offset_or_naive(text, due):
    procedure, workflow, clock = started(boundary_model("timeDate", text))
    assert due_of(workflow, clock.now()) == due and due.utcoffset() is not None
    assert move(procedure, workflow, clock, at("2026-01-12 08:59:59")) == ["ut"]
    assert move(procedure, workflow, clock, at("2026-01-12 09:00")) == ["esc"]


def test_naive_dates_ignore_the_server_time_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_instant("2026-01-12T09:00:00").astimezone(UTC) == datetime(2026, 1, 12, 2, 0, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_time_date_from_the_case_data():
    procedure, workflow, clock = started(boundary_model("timeDate", "han_xu_ly"),
                                         data={"han_xu_ly": "2026-01-14T17:00:00"})
    assert due_of(workflow, clock.now()) == at("2026-01-14 17:00")


def test_cycle_repeats_in_working_time_three_times():
    # R3/PT4H from Fri 16:00: Mon 10:00, Mon 16:00 (10:00-11:30 + 13:30-16:00), Tue 10:00.
    procedure, workflow, clock = started(boundary_model("timeCycle", "R3/PT4H", interrupting=False))
    assert due_of(workflow, clock.now()) == at("2026-01-12 10:00")
    assert move(procedure, workflow, clock, at("2026-01-12 09:59")) == ["ut"]
    assert move(procedure, workflow, clock, at("2026-01-12 10:00")) == ["esc", "ut"]
    assert due_of(workflow, clock.now()) == at("2026-01-12 16:00")
    assert move(procedure, workflow, clock, at("2026-01-12 16:00")) == ["esc", "esc", "ut"]
    assert move(procedure, workflow, clock, at("2026-01-13 10:00")) == ["esc", "esc", "esc", "ut"]
    assert pending_timers(workflow, clock.now()) == []
    assert move(procedure, workflow, clock, at("2026-01-30 10:00")) == ["esc", "esc", "esc", "ut"]


def test_a_late_scheduler_catches_up_every_missed_repetition():
    procedure, workflow, clock = started(boundary_model("timeCycle", "R3/PT4H", interrupting=False))
    assert move(procedure, workflow, clock, at("2026-01-20 08:00")) == ["esc", "esc", "esc", "ut"]


def test_cycle_with_a_start_date():
    procedure, workflow, clock = started(boundary_model("timeCycle", "R2/2026-01-12T08:00:00/P1D", False))
    assert due_of(workflow, clock.now()) == at("2026-01-12 08:00")
    assert move(procedure, workflow, clock, at("2026-01-12 08:00")) == ["esc", "ut"]
    assert due_of(workflow, clock.now()) == at("2026-01-13 08:00")


def test_state_round_trip_keeps_the_due_instant_and_fires_after_reload():
    procedure, workflow, clock = started(boundary_model("timeDuration", "P2D"))
    text = dump_state(workflow)
    restored = load_state(text, procedure, RestrictedScriptEngine(clock=clock, calendar=default_calendar()))
    assert [(t.task_id, t.due) for t in pending_timers(restored, clock.now())] == \
        [(t.task_id, t.due) for t in pending_timers(workflow, clock.now())]
    assert move(procedure, restored, clock, at("2026-01-13 16:00")) == ["esc"]
    assert dump_state(restored)  # and it serialises again after firing


def test_cycle_state_round_trip_mid_cycle():
    procedure, workflow, clock = started(boundary_model("timeCycle", "R3/PT4H", interrupting=False))
    move(procedure, workflow, clock, at("2026-01-12 10:00"))
    restored = load_state(dump_state(workflow), procedure,
                          RestrictedScriptEngine(clock=clock, calendar=default_calendar()))
    assert due_of(restored, clock.now()) == at("2026-01-12 16:00")
    assert move(procedure, restored, clock, at("2026-01-13 10:00")) == ["esc", "esc", "esc", "ut"]


def test_full_serializer_round_trips_the_timer_definitions():
    procedure, workflow, clock = started(boundary_model("timeDuration", "P2D"))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
        {**CAMUNDA_CONFIG, **SERIALIZER_CONFIG_ADDITIONS, **TIMER_SERIALIZER_CONFIG}))
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    restored.script_engine = RestrictedScriptEngine(clock=clock, calendar=default_calendar())
    assert isinstance(restored.spec.task_specs["timer"].event_definition, WorkingDurationTimer)
    assert move(procedure, restored, clock, at("2026-01-13 16:00")) == ["esc"]


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("timeDuration", "P1M", "years and months are not supported"),
    ("timeCycle", "R3/PT4H/2026-02-01T00:00:00", "cannot be counted back"),
])
def test_timers_the_engine_cannot_run_are_refused_at_deploy(kind, text, reason):
    with pytest.raises(ModelInvalid, match=reason):
        compile_procedure(boundary_model(kind, text))


def test_a_bad_timer_value_from_the_data_is_a_step_failure():
    procedure = compile_procedure(boundary_model("timeDuration", "han"))
    engine = RestrictedScriptEngine(clock=Clock(FRI_1600), calendar=default_calendar())
    with pytest.raises(StepFailed, match="years and months are not supported"):
        new_workflow(procedure, {"han": "P1M"}, engine)
