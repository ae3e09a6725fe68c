"""SLA arithmetic on the Vietnamese calendar, and the dossier clock paused by supplement requests."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from engine.calendar import default_calendar
from engine.durations import WorkingDuration
from processes import dossiers, sla

from .conftest import history, verify
from .sla_helpers import MAIN_PATH, local, start_xd, step, vn

SUPPLEMENT = {"ket_qua_tham_dinh": "bo_sung", "noi_dung_bo_sung": "Bản vẽ"}  # what to supplement is required

CAL = default_calendar()


@pytest.mark.parametrize("received, deadline, kind, cutoff, counted, due", [
    # Same-day procedures are due at the end of the day counting starts on.
    (vn(2026, 1, 5, 10, 0), "same_day", None, "15:00", "2026-01-05 10:00", "2026-01-05 17:00"),
    # After the 15:00 cut-off: the next working day.
    (vn(2026, 1, 5, 15, 30), "same_day", None, "15:00", "2026-01-06 07:00", "2026-01-06 17:00"),
    # Received on Saturday: Monday.
    (vn(2026, 1, 10, 9, 0), "same_day", None, None, "2026-01-12 07:00", "2026-01-12 17:00"),
    # Without a cut-off of its own the calendar's (15:00) applies: Friday 16:00 counts from Monday.
    (vn(2026, 1, 9, 16, 0), "P3D", None, None, "2026-01-12 07:00", "2026-01-14 17:00"),
    # 30 calendar days from Mon 5/1 08:00 is Wed 4/2 08:00, a working day.
    (vn(2026, 1, 5, 8, 0), "P30D", "calendar", None, "2026-01-05 08:00", "2026-02-04 08:00"),
    # 30 calendar days from Fri 16/1 10:00 is Sun 15/2; 16-20/2 are Tết, 21-22 the weekend: the end of
    # the next working day, Mon 23/2 17:00.
    (vn(2026, 1, 16, 10, 0), "P30D", "calendar", None, "2026-01-16 10:00", "2026-02-23 17:00"),
])
def test_appointment_from_the_statutory_deadline(received, deadline, kind, cutoff, counted, due):
    start, appointment = sla.appointment(CAL, received, deadline, kind, cutoff)
    assert (local(start), local(appointment)) == (counted, due)


def test_a_procedure_without_deadline_has_no_appointment():
    assert sla.appointment(CAL, vn(2026, 1, 5, 8, 0), None)[1] is None


@pytest.mark.parametrize("done, expected", [
    (vn(2026, 1, 15, 10, 0), "early"),  # exactly one working day before Fri 16/1 10:00
    (vn(2026, 1, 15, 10, 1), "on_time"),  # less than a day left
    (vn(2026, 1, 14, 17, 30), "early"),  # after hours counts from the close: 1 day + 3 hours left
    (vn(2026, 1, 16, 10, 0), "on_time"),  # at the due instant
    (vn(2026, 1, 16, 10, 0) + dt.timedelta(seconds=1), "late"),
    (vn(2026, 1, 19, 9, 0), "late"),
])
def test_early_on_time_late(done, expected):
    assert sla.classify(CAL, done, vn(2026, 1, 16, 10, 0)) == expected


def test_a_dossier_marked_late_is_late_even_when_early():
    assert sla.classify(CAL, vn(2026, 1, 5, 8, 0), vn(2026, 1, 30, 17, 0), marked_late=True) == "late"
    assert sla.classify(CAL, vn(2026, 1, 5, 8, 0), None) is None


def test_working_before_skips_the_night_and_lunch():
    # Four office hours before Tue 6/1 11:00 are Tue 07:00-11:00: the count reaches 4 hours at Monday's close.
    assert local(sla.working_before(CAL, vn(2026, 1, 6, 11, 0), WorkingDuration.of(hours=4))) == "2026-01-05 17:00"
    # One working day before Mon 23/2 10:00 (after Tết): Fri 13/2 10:00.
    assert local(sla.working_before(CAL, vn(2026, 2, 23, 10, 0), WorkingDuration.of(days=1))) == "2026-02-13 10:00"
    # One office hour before 14:00 is 11:00: 11:00-11:30, then 13:30-14:00.
    assert local(sla.working_before(CAL, vn(2026, 1, 6, 14, 0), WorkingDuration.of(hours=1))) == "2026-01-06 11:00"


def test_due_soon_window_is_configurable():
    start, due = vn(2026, 1, 5, 10, 0), vn(2026, 1, 16, 10, 0)  # 9 working days = 72 office hours
    # Default: the larger of 25% (18 hours) and 4 hours: Fri 07-10 (3), Thu (8), Wed 08:00-17:00 (7).
    assert local(sla.soon_at(CAL, start, due)) == "2026-01-14 08:00"
    # Half the time, 36 hours: Fri (3), Thu, Wed, Tue, Mon 12/1 (32), then Fri 9/1 from 16:00 (1).
    half = sla.SlaPolicy(due_soon_fraction=Fraction(1, 2), due_soon_hours=Fraction(0))
    assert local(sla.soon_at(CAL, start, due, policy=half)) == "2026-01-09 16:00"
    # Only the last 4 hours: Fri 07-10 (3), then Thu from 16:00 (1).
    hours = sla.SlaPolicy(due_soon_fraction=Fraction(0), due_soon_hours=Fraction(4))
    assert local(sla.soon_at(CAL, start, due, policy=hours)) == "2026-01-15 16:00"


def test_watch_reports_levels_and_the_next_instant_to_look():
    due, soon = vn(2026, 1, 16, 10, 0), vn(2026, 1, 14, 8, 0)
    escalations = sla.escalation_times(CAL, due)
    assert [local(t) for t in escalations] == ["2026-01-16 10:00", "2026-01-20 10:00"]
    assert sla.watch(vn(2026, 1, 13, 9, 0), due, soon, 0, escalations) == ("on_track", 0, soon)
    assert sla.watch(vn(2026, 1, 15, 9, 0), due, soon, 0, escalations) == ("due_soon", 0, due)
    assert sla.watch(vn(2026, 1, 16, 11, 0), due, soon, 0, escalations) == ("overdue", 1, escalations[1])
    assert sla.watch(vn(2026, 1, 21, 9, 0), due, soon, 1, escalations) == ("overdue", 2, None)


@pytest.fixture
def xd(org, deployed):
    """The demo database with the building-permit procedure deployed."""
    deployed("QT-XD-01.bpmn")
    return org


def test_supplement_round_trip_of_three_working_days_moves_the_appointment_three_days(xd, clock):
    iid = start_xd(xd, clock, at=vn(2026, 1, 5, 8, 0))  # due Mon 26/1 08:00 (15 working days)
    step(xd, clock, iid, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))
    step(xd, clock, iid, "Task_ThamDinh", {"ket_qua_tham_dinh": "bo_sung", "noi_dung_bo_sung": "Bản vẽ mặt cắt"},
         at=vn(2026, 1, 6, 9, 0))
    paused = dossiers.get(xd, iid, clock)
    assert (paused.status_code, paused.status, paused.sla_state) == (5, "Yêu cầu bổ sung", "paused")
    assert local(paused.appointment_at) == "2026-01-26 08:00"
    # The applicant brings the missing drawings on Friday 9/1 09:00: Tue 09:00 -> Fri 09:00 is 3 working days.
    step(xd, clock, iid, "Task_TiepNhanBoSung", at=vn(2026, 1, 9, 9, 0))
    view = dossiers.get(xd, iid, clock)
    assert (view.status_code, view.supplement_count, view.paused_minutes, view.late_marked) == (4, 1, 3 * 480, False)
    # Mon 26/1 08:00 + 3 working days = Thu 29/1 08:00 (the promise and the statutory due date alike).
    assert (local(view.appointment_at), local(view.due_at)) == ("2026-01-29 08:00", "2026-01-29 08:00")
    assert local(view.original_appointment_at) == "2026-01-26 08:00"
    log = [(e["lifecycle"], e["payload"]) for e in history(xd, iid) if e["lifecycle"].startswith("sla_")]
    assert log[1:] == [
        ("sla_paused", {"reason": "supplement", "step": "Task_TiepNhanBoSung", "since": "2026-01-06T02:00:00+00:00"}),
        ("sla_resumed", {"paused_minutes": 1440, "paused_days": "3", "due_at": "2026-01-29T01:00:00+00:00",
                         "appointment_from": "2026-01-26T01:00:00+00:00",
                         "appointment_at": "2026-01-29T01:00:00+00:00"}),
    ]
    assert verify(xd, iid) == []


def test_a_pause_over_tet_moves_only_by_the_working_days(xd, clock):
    iid = start_xd(xd, clock, at=vn(2026, 2, 2, 8, 0))  # Mon 2/2 08:00 + 15 days -> Mon 2/3 08:00 (Tết in between)
    assert local(dossiers.get(xd, iid).appointment_at) == "2026-03-02 08:00"
    step(xd, clock, iid, "Task_TiepNhan", at=vn(2026, 2, 2, 9, 0))
    step(xd, clock, iid, "Task_ThamDinh", SUPPLEMENT, at=vn(2026, 2, 12, 9, 0))
    # Thu 12/2 09:00 -> Tue 24/2 09:00: Thu, Fri 13, Mon 23 = 3 working days; the Tết week does not count.
    step(xd, clock, iid, "Task_TiepNhanBoSung", {"ngay_thong_bao_bo_sung": "2026-02-12",
                                                 "ngay_nhan_bo_sung": "2026-02-24"}, at=vn(2026, 2, 24, 9, 0))
    assert local(dossiers.get(xd, iid).appointment_at) == "2026-03-05 08:00"  # Mon 2/3 + 3 days


def test_a_second_supplement_request_marks_the_dossier_late(xd, clock):
    iid = start_xd(xd, clock, at=vn(2026, 1, 5, 8, 0))
    step(xd, clock, iid, "Task_TiepNhan", at=vn(2026, 1, 5, 9, 0))
    step(xd, clock, iid, "Task_ThamDinh", SUPPLEMENT, at=vn(2026, 1, 5, 10, 0))
    step(xd, clock, iid, "Task_TiepNhanBoSung", at=vn(2026, 1, 6, 10, 0))
    assert dossiers.get(xd, iid).late_marked is False
    step(xd, clock, iid, "Task_ThamDinh", SUPPLEMENT, at=vn(2026, 1, 7, 10, 0))
    view = dossiers.get(xd, iid)
    assert (view.status_code, view.supplement_count, view.late_marked) == (5, 2, True)
    marked = [e["payload"] for e in history(xd, iid) if e["lifecycle"] == "sla_marked_late"]
    assert marked == [{"supplement_count": 2, "rule": "QĐ 766: yêu cầu bổ sung hồ sơ lần thứ hai"}]
    step(xd, clock, iid, "Task_TiepNhanBoSung", at=vn(2026, 1, 8, 10, 0))
    for element in MAIN_PATH[1:]:
        step(xd, clock, iid, element, at=vn(2026, 1, 9, 10, 0))
    view = dossiers.get(xd, iid)
    # Returned two weeks before its appointment, yet late: the dossier needed a second supplement.
    assert (view.status_code, local(view.appointment_at), view.result) == (10, "2026-01-28 08:00", "late")
