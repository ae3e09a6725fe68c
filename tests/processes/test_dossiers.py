"""Dossiers: appointment dates, step due dates, SLA states and results, status codes 1-10."""

from __future__ import annotations

import pytest

from processes import dossier_actions, dossiers, instances, tasks
from processes.dossier_rules import TRANSITIONS, DossierStatus, check_transition
from processes.errors import InvalidTransition, PermissionDenied

from .conftest import history, run_to_end, start_case, verify
from .sla_helpers import MAIN_PATH, local, start_xd, step, vn


@pytest.fixture
def xd(org, deployed):
    """The demo database with the building-permit procedure deployed."""
    deployed("QT-XD-01.bpmn")
    return org


def statuses(db, instance_id: int) -> list[tuple]:
    """The dossier status changes of a case, as (from, to) pairs from its event log."""
    return [(e["payload"]["from"], e["payload"]["to"]) for e in history(db, instance_id)
            if e["lifecycle"] == "dossier_status"]


def test_permit_received_friday_1630_before_tet_is_due_friday_13_march(xd, clock):
    # Received Fri 13/2/2026 16:30, after the 15:00 cut-off: counting starts on the next working day.
    # Sat 14 and Sun 15 are the weekend, Mon 16 (Giao thừa) to Fri 20/2 are the Tết days off, Sat 21
    # and Sun 22 the weekend again: counting starts Mon 23/2 at 07:00. 15 working days: 23-27/2 (5),
    # 2-6/3 (10), 9-13/3 (15) -> appointment Fri 13/3/2026 at 17:00, the end of the 15th day.
    iid = start_xd(xd, clock, at=vn(2026, 2, 13, 16, 30))
    view = dossiers.get(xd, iid, clock)
    assert view.status_code == 2 and view.status == "Đã tiếp nhận"
    assert local(view.received_at) == "2026-02-13 16:30"
    assert local(view.counted_from) == "2026-02-23 07:00"
    assert local(view.appointment_at) == "2026-03-13 17:00"
    assert view.appointment_at == view.original_appointment_at == view.due_at
    # The reception step (P0.5D = 4 office hours) has 30 minutes on Friday, then Mon 23/2 07:00-10:30.
    first = dossiers.steps(xd, iid, clock)[0]
    assert (first.element_id, local(first.due_at)) == ("Task_TiepNhan", "2026-02-23 10:30")
    due_set = [e["payload"] for e in history(xd, iid) if e["lifecycle"] == "sla_due_set"]
    assert due_set == [{"received_at": "2026-02-13T09:30:00+00:00", "counted_from": "2026-02-23T00:00:00+00:00",
                        "appointment_at": "2026-03-13T10:00:00+00:00", "deadline": "P15D"}]


def test_each_step_of_the_building_permit_gets_its_due_date_and_result(xd, clock):
    iid = start_xd(xd, clock, at=vn(2026, 1, 5, 8, 0))  # Monday 5/1/2026 08:00
    step(xd, clock, iid, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))
    step(xd, clock, iid, "Task_ThamDinh", at=vn(2026, 1, 14, 9, 0))
    step(xd, clock, iid, "Task_XemXet", at=vn(2026, 1, 15, 14, 0))
    step(xd, clock, iid, "Task_KyGiayPhep", at=vn(2026, 1, 19, 14, 0))
    step(xd, clock, iid, "Task_VaoSoDongDau", at=vn(2026, 1, 19, 15, 0))
    step(xd, clock, iid, "Task_TraKetQua", at=vn(2026, 1, 19, 16, 0))
    seen = [(s.element_id, local(s.due_at), s.result) for s in dossiers.steps(xd, iid)]
    assert seen == [
        # Mon 08:00 + 4 office hours: 08:00-11:30, then 13:30-14:00. Done 10:00, < 1 day early: on time.
        ("Task_TiepNhan", "2026-01-05 14:00", "on_time"),
        # Mon 10:00 + 9 working days: Fri 16/1 10:00. Done Wed 14/1 09:00 with 17 office hours left: early.
        ("Task_ThamDinh", "2026-01-16 10:00", "early"),
        # Wed 09:00 + 1 day: Thu 15/1 09:00. Done Thu 14:00: late.
        ("Task_XemXet", "2026-01-15 09:00", "late"),
        # Thu 14:00 + 2 days: Mon 19/1 14:00. Done exactly then: on time.
        ("Task_KyGiayPhep", "2026-01-19 14:00", "on_time"),
        # Mon 14:00 + 4 office hours: 14:00-17:00, then Tue 07:00-08:00.
        ("Task_VaoSoDongDau", "2026-01-20 08:00", "on_time"),
        # Mon 15:00 + 4 office hours: 2 on Monday, 2 on Tuesday.
        ("Task_TraKetQua", "2026-01-20 09:00", "on_time"),
    ]
    view = dossiers.get(xd, iid)
    # Received Mon 5/1 08:00 + 15 working days = Mon 26/1 08:00; returned Mon 19/1: early.
    assert local(view.appointment_at) == "2026-01-26 08:00"
    assert (view.status_code, view.result, local(view.returned_at)) == (10, "early", "2026-01-19 16:00")
    assert statuses(xd, iid) == [(None, 2), (2, 4), (4, 10)]
    assert verify(xd, iid) == []


def test_the_supplement_step_has_no_time_limit(xd, clock):
    iid = start_xd(xd, clock)
    step(xd, clock, iid, "Task_TiepNhan")
    step(xd, clock, iid, "Task_ThamDinh", {"ket_qua_tham_dinh": "bo_sung", "noi_dung_bo_sung": "Bản vẽ"})
    supplement = dossiers.steps(xd, iid, clock)[-1]
    assert (supplement.element_id, supplement.due_at, supplement.sla_state) == ("Task_TiepNhanBoSung", None, None)


def test_steps_and_dossier_become_due_soon_then_overdue(xd, clock):
    iid = start_xd(xd, clock, at=vn(2026, 1, 5, 8, 0))
    # A step of 4 office hours is "due soon" from the start: less than 4 working hours are left.
    assert dossiers.steps(xd, iid, clock)[0].sla_state == "due_soon"
    step(xd, clock, iid, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))

    def state(at) -> tuple[str, str]:
        clock.set(at)
        return dossiers.steps(xd, iid, clock)[-1].sla_state, dossiers.get(xd, iid, clock).sla_state

    # Thẩm định: 9 days = 72 office hours, due Fri 16/1 10:00. The last 25% (18 hours) starts
    # 3 h (Fri 07-10) + 8 h (Thu) + 7 h before Wed's close (13:30-17:00, then 08:00-11:30): Wed 14/1 08:00.
    # The dossier is due Mon 26/1 08:00 (15 days = 120 hours); its last 25% = 30 hours starts
    # 1 h (Mon) + 8 h (Fri, Thu, Wed each) + 5 h before Tue 20/1's close: Tue 20/1 10:00.
    assert state(vn(2026, 1, 14, 7, 59)) == ("on_track", "on_track")
    assert state(vn(2026, 1, 14, 8, 0)) == ("due_soon", "on_track")
    assert state(vn(2026, 1, 16, 10, 0)) == ("due_soon", "on_track")  # due at 10:00 is still on time
    assert state(vn(2026, 1, 16, 10, 1)) == ("overdue", "on_track")
    assert state(vn(2026, 1, 20, 9, 59)) == ("overdue", "on_track")
    assert state(vn(2026, 1, 20, 10, 0)) == ("overdue", "due_soon")
    assert state(vn(2026, 1, 26, 8, 1)) == ("overdue", "overdue")


def test_refusal_gives_status_3(xd, clock):
    iid = start_xd(xd, clock)
    step(xd, clock, iid, "Task_TiepNhan")
    step(xd, clock, iid, "Task_ThamDinh", {"ket_qua_tham_dinh": "tu_choi", "ly_do": "Sai quy hoạch"})
    step(xd, clock, iid, "Task_XacNhanTuChoi")
    moved = step(xd, clock, iid, "Task_TraTuChoi")
    assert (moved.status, moved.end_event) == ("completed", "End_TuChoi")
    view = dossiers.get(xd, iid)
    assert (view.status_code, view.status, view.result) == (3, "Từ chối", "early")
    assert statuses(xd, iid) == [(None, 2), (2, 4), (4, 3)]


def test_a_case_that_ends_without_return_step_is_done_9(org, deployed, clock):
    deployed("QT-VB-01.bpmn")
    users = {"Task_DangKy": "vanthu", "Task_PhanCong": "pct", "Task_XuLy": "cv.nv", "Task_PheDuyet": "tp.nv",
             "Task_LuuHoSo": "vanthu"}
    data = {"Task_DangKy": {"so_den": 125, "ngay_den": "2026-01-05", "co_quan_ban_hanh": "UBND tỉnh",
                            "trich_yeu": "Về CCHC", "do_khan": "thuong"},
            "Task_PhanCong": {"don_vi_chu_tri": "Phòng Nội vụ", "han_xu_ly": "2026-01-12"},
            "Task_XuLy": {"hinh_thuc_xu_ly": "de_biet", "ket_qua_xu_ly": "Đã tham mưu"},
            "Task_PheDuyet": {"ket_qua_duyet": "dong_y"},
            "Task_LuuHoSo": {"ma_ho_so": "HS-01", "ngay_luu": "2026-01-05"}}
    moved = instances.start(org, "QT-VB-01", {}, "vanthu", clock)
    while moved.status == "running":
        task = tasks.list_tasks(org, instance_id=moved.instance_id)[0]
        moved = instances.complete(org, task.id, data[task.element_id], users[task.element_id], clock)
    assert moved.end_event == "End_HoanThanh"
    assert (dossiers.get(org, moved.instance_id).status_code, statuses(org, moved.instance_id)[-1]) == (9, (4, 9))


def test_a_procedure_without_markers_is_done_when_its_case_completes(proc, clock):
    moved = start_case(proc, clock)
    run_to_end(proc, clock, moved.instance_id)
    view = dossiers.get(proc, moved.instance_id)
    assert (view.status_code, view.result, view.returned_at) == (9, "early", None)


def test_an_online_submission_counts_from_its_reception(xd, clock):
    iid = start_xd(xd, clock, at=vn(2026, 1, 2, 20, 0), data={"kenh_nop": "truc_tuyen"})  # Friday evening
    assert (dossiers.get(xd, iid).status_code, dossiers.get(xd, iid).channel) == (1, "truc_tuyen")
    step(xd, clock, iid, "Task_TiepNhan", {"kenh_nop": "truc_tuyen"}, at=vn(2026, 1, 6, 9, 0))
    view = dossiers.get(xd, iid)
    # Accepted Tue 6/1 09:00: 15 working days later is Tue 27/1 09:00.
    assert (view.status_code, local(view.received_at), local(view.appointment_at)) == (4, "2026-01-06 09:00",
                                                                                        "2026-01-27 09:00")
    assert (view.applicant_name, view.applicant_id_number) == ("Nguyễn Văn An", "001203004567")
    assert statuses(xd, iid) == [(None, 1), (1, 2), (2, 4)]


def test_withdrawal_by_the_one_stop_officer_gives_7_and_cancels_the_case(xd, clock):
    iid = start_xd(xd, clock)
    step(xd, clock, iid, "Task_TiepNhan")
    with pytest.raises(PermissionDenied, match="one-stop officer or a leader"):
        dossier_actions.withdraw(xd, iid, "cv.ktht", clock, "công dân rút hồ sơ")
    view = dossier_actions.withdraw(xd, iid, "motcua", clock, "công dân rút hồ sơ")
    assert (view.status_code, view.status, view.result) == (7, "Đã rút hồ sơ", None)
    assert [s.state for s in dossiers.steps(xd, iid)] == ["completed", "cancelled"]
    assert history(xd, iid)[-1]["lifecycle"] == "case_cancel"
    assert tasks.list_tasks(xd, user="cv.ktht", instance_id=iid) == []
    with pytest.raises(InvalidTransition, match="from 7"):
        dossier_actions.stop(xd, iid, "pct", clock)


def test_stop_needs_a_leader_and_gives_8(xd, clock):
    iid = start_xd(xd, clock)
    with pytest.raises(PermissionDenied, match="only a leader"):
        dossier_actions.stop(xd, iid, "motcua", clock, "hồ sơ giả mạo")
    view = dossier_actions.stop(xd, iid, "pct", clock, "hồ sơ giả mạo")
    assert (view.status_code, view.status) == (8, "Dừng xử lý")
    assert statuses(xd, iid) == [(None, 2), (2, 8)]
    assert verify(xd, iid) == []


def test_a_returned_dossier_cannot_be_withdrawn(xd, clock):
    iid = start_xd(xd, clock)
    for element in MAIN_PATH:
        step(xd, clock, iid, element)
    with pytest.raises(InvalidTransition, match=r"from 10 \(Đã trả kết quả\) to 7"):
        dossier_actions.withdraw(xd, iid, "motcua", clock)
    assert dossiers.get(xd, iid).status_code == 10


@pytest.mark.parametrize("current, new", [(10, 4), (3, 9), (9, 5), (7, 2), (1, 4), (8, 4), (5, 10), (2, 1)])
def test_invalid_transitions_are_refused(current, new):
    with pytest.raises(InvalidTransition, match=f"from {current} .* to {new} "):
        check_transition(current, DossierStatus(new))


def test_the_transition_table_closes_every_final_status():
    finals = {s for s, allowed in TRANSITIONS.items() if not allowed}
    assert finals == {DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED, DossierStatus.RETURNED}
    check_transition(9, DossierStatus.RETURNED)  # done, then handed over


def test_an_unknown_marker_is_refused_with_its_element(org, deployed, clock):
    from engine.errors import ModelInvalid

    from .conftest import BPMN

    marked = BPMN.replace('<bpmn:endEvent id="EndEvent_Done" name="Trả kết quả" />',
                          '<bpmn:endEvent id="EndEvent_Done" name="Trả kết quả"><bpmn:extensionElements>'
                          '<camunda:properties><camunda:property name="outcome" value="finished" />'
                          '</camunda:properties></bpmn:extensionElements></bpmn:endEvent>')
    assert marked != BPMN
    # Refused when the quality manager deploys it, before any dossier can run on it.
    with pytest.raises(ModelInvalid, match=r"\[EndEvent_Done\] property outcome 'finished' is unknown"):
        deployed(marked)
