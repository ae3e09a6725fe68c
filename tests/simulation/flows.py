"""A small procedure and a year of its traces, built in memory for the simulation tests."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from simulation.axis import TimeAxis, weekday_sessions
from simulation.fit import Event, Roster, Trace

# One-stop reception, a specialist's review (the slow step), a leader's signature; deadline 3 working days.
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="QT_T" name="Thủ tục thử" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="code" value="QT-T-01" />
      <camunda:property name="deadline" value="P3D" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="Start" />
    <bpmn:userTask id="Task_Nhan" name="Tiếp nhận" camunda:candidateGroups="mot_cua" camunda:dueDate="PT1H" />
    <bpmn:userTask id="Task_XemXet" name="Xem xét hồ sơ" camunda:candidateGroups="chuyen_vien_tp"
        camunda:dueDate="{review}" />
    <bpmn:userTask id="Task_Ky" name="Ký duyệt" camunda:candidateGroups="lanh_dao_phong_tp" camunda:dueDate="PT4H" />
    <bpmn:endEvent id="End" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_Nhan" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_Nhan" targetRef="Task_XemXet" />
    {review_out}
    <bpmn:sequenceFlow id="F4" sourceRef="Task_Ky" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
"""


def bpmn(review: str = "P2D", dead_end: bool = False) -> str:
    """The procedure with the review step's limit; `dead_end`: the review leads nowhere."""
    out = "" if dead_end else '<bpmn:sequenceFlow id="F3" sourceRef="Task_XemXet" targetRef="Task_Ky" />'
    return TEMPLATE.replace("{review}", review).replace("{review_out}", out)


def axis() -> TimeAxis:
    """2025-2026, Monday to Friday 07:00-11:30 and 13:30-17:00, no holidays (the tests need no calendar)."""
    return TimeAxis(dt.date(2025, 1, 1), dt.date(2026, 12, 31),
                    weekday_sessions([(420, 690), (810, 1020)], lambda _day: False), ZoneInfo("Asia/Ho_Chi_Minh"))


def traces(ax: TimeAxis, count: int = 400, overrun: float = 0.3, seed: int = 3) -> list[Trace]:
    """Dossiers of 2025: the review takes a day, or 3.5 days for `overrun` of them (late on a 3-day deadline)."""
    rng = random.Random(seed)
    days = ax.index_of_date(dt.date(2026, 1, 1))
    out = []
    for k in range(count):
        wd = ax.days[rng.randrange(days - 10)]
        t = wd.offset + rng.random() * wd.minutes * 0.5
        review = 3.5 * 480 if rng.random() < overrun else 480.0
        events = []
        for step, minutes in (("Task_Nhan", 30.0), ("Task_XemXet", review), ("Task_Ky", 60.0)):
            events.append(Event(step, t + minutes, t, "u"))
            t += minutes
        out.append(Trace(str(k), events[0].opened or 0.0, tuple(events), "done", t))
    return out


def roster() -> Roster:
    """Two clerks, two specialists, one leader, each carrying up to ten dossiers at once."""
    pools = {"mot_cua": 2, "chuyen_vien_tp": 2, "lanh_dao_phong_tp": 1}
    return Roster(pools, dict.fromkeys(pools, 10.0))


# Reception, then two departments' opinions in parallel (one day and two days), then the signature.
PARALLEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="QT_P" name="Lấy ý kiến song song" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="code" value="QT-P-01" />
      <camunda:property name="deadline" value="P3D" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="Start" />
    <bpmn:userTask id="Task_Nhan" name="Tiếp nhận" camunda:candidateGroups="mot_cua" camunda:dueDate="PT1H" />
    <bpmn:parallelGateway id="Split" />
    <bpmn:userTask id="Task_A" name="Ý kiến phòng A" camunda:candidateGroups="chuyen_vien_tp" camunda:dueDate="P1D" />
    <bpmn:userTask id="Task_B" name="Ý kiến phòng B" camunda:candidateGroups="chuyen_vien_ktht" camunda:dueDate="P2D" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:userTask id="Task_Ky" name="Ký duyệt" camunda:candidateGroups="lanh_dao_phong_tp" camunda:dueDate="PT4H" />
    <bpmn:endEvent id="End" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_Nhan" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_Nhan" targetRef="Split" />
    <bpmn:sequenceFlow id="F3" sourceRef="Split" targetRef="Task_A" />
    <bpmn:sequenceFlow id="F4" sourceRef="Split" targetRef="Task_B" />
    <bpmn:sequenceFlow id="F5" sourceRef="Task_A" targetRef="Join" />
    <bpmn:sequenceFlow id="F6" sourceRef="Task_B" targetRef="Join" />
    <bpmn:sequenceFlow id="F7" sourceRef="Join" targetRef="Task_Ky" />
    <bpmn:sequenceFlow id="F8" sourceRef="Task_Ky" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
"""


def returnable(review: str = "P2D") -> str:
    """The procedure whose leader may send the file back for another review (Task_Ky → review again or end)."""
    return bpmn(review).replace(
        '<bpmn:sequenceFlow id="F4" sourceRef="Task_Ky" targetRef="End" />',
        '<bpmn:exclusiveGateway id="Gateway_Ky" />\n'
        '    <bpmn:sequenceFlow id="F4" sourceRef="Task_Ky" targetRef="Gateway_Ky" />\n'
        '    <bpmn:sequenceFlow id="F5" sourceRef="Gateway_Ky" targetRef="End" />\n'
        '    <bpmn:sequenceFlow id="F6" sourceRef="Gateway_Ky" targetRef="Task_XemXet" />')


RETURNED = (("Task_Nhan", 30.0), ("Task_XemXet", 960.0), ("Task_Ky", 60.0), ("Task_XemXet", 60.0),
            ("Task_Ky", 60.0))  # reviewed 2 days, returned by the leader, reviewed again in an hour, signed


def walked(ax: TimeAxis, steps: tuple[tuple[str, float], ...], count: int = 40, every: int = 1,
           first: int = 0) -> list[Trace]:
    """`count` dossiers, one every `every` working days of 2025 from day `first`, each doing `steps` (step, office
    minutes) in turn."""
    out = []
    for k in range(count):
        t = ax.days[first + k * every].offset + 60
        events = []
        for step, minutes in steps:
            events.append(Event(step, t + minutes, t, "u"))
            t += minutes
        out.append(Trace(str(k), events[0].opened or 0.0, tuple(events), "done", t))
    return out
