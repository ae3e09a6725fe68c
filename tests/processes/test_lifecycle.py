"""A case from start to end: inboxes, the send-back loop, cancel, dossier codes, claim and assign."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from processes import instances, tasks
from processes.errors import ConflictError, PermissionDenied

from .conftest import (
    APPROVE,
    CHECK_OK,
    RECEIVE,
    SEND_BACK,
    history,
    instance_row,
    open_tasks_of,
    run_to_end,
    single_task,
    start_case,
    task_rows,
    verify,
    work,
)

DISTRICT_USERS = ("motcua", "motcua2", "cv.ktht", "cv.ktht2", "tp.ktht", "cv.tckh", "tp.tckh", "pct",
                  "xa.motcua", "xa.tphc", "iso", "admin")


def inboxes(db, instance_id: int) -> dict[str, list[str]]:
    """Who sees which open step of one case."""
    return {u: [t.element_id for t in open_tasks_of(db, u, instance_id)] for u in DISTRICT_USERS}


def test_start_puts_the_first_step_only_in_one_stop_inboxes(proc, clock):
    moved = start_case(proc, clock)
    assert moved.status == "running"
    assert [s.element_id for s in moved.opened] == ["Task_TiepNhan"]
    assert moved.opened[0].roles == ("mot_cua",)
    seen = inboxes(proc, moved.instance_id)
    assert seen["motcua"] == ["Task_TiepNhan"]
    assert seen["motcua2"] == ["Task_TiepNhan"]
    # Nobody else — not a specialist, not a leader, not the commune's one-stop officer — sees it.
    assert {u for u, found in seen.items() if found} == {"motcua", "motcua2"}


def test_each_step_moves_to_the_next_role_and_the_case_completes(proc, clock):
    moved = start_case(proc, clock)
    iid = moved.instance_id

    after_receive = work(proc, clock, "motcua", RECEIVE, iid)
    assert [s.element_id for s in after_receive.opened] == ["Task_ThamDinh"]
    assert {u for u, found in inboxes(proc, iid).items() if found} == {"cv.ktht", "cv.ktht2"}

    after_check = work(proc, clock, "cv.ktht2", CHECK_OK, iid)
    assert [s.element_id for s in after_check.opened] == ["Task_PheDuyet"]
    assert {u for u, found in inboxes(proc, iid).items() if found} == {"tp.ktht"}

    done = work(proc, clock, "tp.ktht", APPROVE, iid)
    assert done.status == "completed"
    assert done.end_event == "EndEvent_Done"
    assert done.opened == []
    assert all(found == [] for found in inboxes(proc, iid).values())

    row = instance_row(proc, iid)
    assert row.status == "completed"
    assert row.end_event == "EndEvent_Done"
    assert row.completed_at == clock.now()
    states = [(t.element_id, t.state, t.completed_by) for t in task_rows(proc, iid)]
    assert states == [("Task_TiepNhan", "completed", "motcua"), ("Task_ThamDinh", "completed", "cv.ktht2"),
                      ("Task_PheDuyet", "completed", "tp.ktht")]

    log = history(proc, iid)
    assert log[0]["lifecycle"] == "case_start"
    [finish] = [e for e in log if e["lifecycle"] == "case_complete"]
    assert finish["payload"] == {"end_event": "EndEvent_Done"}
    assert ("EndEvent_Done", "complete") in [(e["activity"], e["lifecycle"]) for e in log]
    completes = [(e["activity"], e["actor"], e["payload"].get("data")) for e in log
                 if e["lifecycle"] == "complete" and e["actor"]]
    assert completes == [("Task_TiepNhan", "motcua", RECEIVE), ("Task_ThamDinh", "cv.ktht2", CHECK_OK),
                         ("Task_PheDuyet", "tp.ktht", APPROVE)]
    assert verify(proc) == []


def test_completed_case_refuses_further_work(proc, clock):
    moved = start_case(proc, clock)
    first = single_task(proc, "motcua", moved.instance_id)
    run_to_end(proc, clock, moved.instance_id)
    with pytest.raises(ConflictError, match="already completed by motcua"):
        instances.complete(proc, first.id, RECEIVE, "motcua", clock)
    with pytest.raises(ConflictError, match="completed"):
        instances.cancel(proc, moved.instance_id, "motcua", clock, "late")


def test_send_back_opens_a_new_task_for_the_earlier_step(proc, clock):
    moved = start_case(proc, clock)
    iid = moved.instance_id
    work(proc, clock, "motcua", RECEIVE, iid)
    first_check = single_task(proc, "cv.ktht", iid)
    work(proc, clock, "cv.ktht", CHECK_OK, iid)

    back = work(proc, clock, "tp.ktht", SEND_BACK, iid)
    assert back.status == "running"
    assert [s.element_id for s in back.opened] == ["Task_ThamDinh"]
    second_check = single_task(proc, "cv.ktht", iid)
    assert second_check.id != first_check.id
    assert open_tasks_of(proc, "tp.ktht", iid) == []

    # The form of the repeated step is enforced again, and the loop can be left.
    work(proc, clock, "cv.ktht", {"ket_qua": "dat", "y_kien": "Đã bổ sung"}, iid)
    done = work(proc, clock, "tp.ktht", APPROVE, iid)
    assert done.status == "completed"
    names = [(t.element_id, t.state) for t in task_rows(proc, iid)]
    assert names == [("Task_TiepNhan", "completed"), ("Task_ThamDinh", "completed"),
                     ("Task_PheDuyet", "completed"), ("Task_ThamDinh", "completed"),
                     ("Task_PheDuyet", "completed")]
    assert verify(proc) == []


def test_cancel_withdraws_the_open_step(proc, clock):
    moved = start_case(proc, clock)
    iid = moved.instance_id
    work(proc, clock, "motcua", RECEIVE, iid)
    open_task = single_task(proc, "cv.ktht", iid)

    with pytest.raises(PermissionDenied):
        instances.cancel(proc, iid, "cv.tckh", clock, "not mine")
    assert instance_row(proc, iid).status == "running"

    instances.cancel(proc, iid, "motcua", clock, "công dân rút hồ sơ")
    assert instance_row(proc, iid).status == "cancelled"
    assert open_tasks_of(proc, "cv.ktht", iid) == []
    assert [t.state for t in task_rows(proc, iid)] == ["completed", "cancelled"]
    log = [e for e in history(proc, iid) if e["lifecycle"] in ("withdraw", "case_cancel")]
    assert [(e["lifecycle"], e["activity"]) for e in log] == [("withdraw", "Task_ThamDinh"),
                                                              ("case_cancel", "QT_TEST_01")]
    assert log[-1]["payload"] == {"reason": "công dân rút hồ sơ"}
    with pytest.raises(ConflictError):
        instances.complete(proc, open_task.id, CHECK_OK, "cv.ktht", clock)
    with pytest.raises(ConflictError):
        tasks.claim(proc, open_task.id, "cv.ktht", clock)
    assert verify(proc) == []


def test_a_leader_may_cancel_a_case_someone_else_started(proc, clock):
    moved = start_case(proc, clock)
    instances.cancel(proc, moved.instance_id, "pct", clock, "sai thủ tục")
    assert instance_row(proc, moved.instance_id).status == "cancelled"


# --- dossier codes -------------------------------------------------------------------------


def test_business_key_uses_the_agency_code_and_the_vietnam_date(proc, clock):
    clock.set(dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.UTC))  # 06:30 on 6 January in Hà Nội
    first = start_case(proc, clock)
    assert re.fullmatch(r"H01-\d{6}-\d{4}", first.business_key)
    assert first.business_key == "H01-260106-0001"
    second = start_case(proc, clock, actor="motcua2")
    assert second.business_key == "H01-260106-0002"
    clock.set(dt.datetime(2026, 1, 6, 16, 59, tzinfo=dt.UTC))  # 23:59 on 6 January
    assert start_case(proc, clock).business_key == "H01-260106-0003"
    clock.set(dt.datetime(2026, 1, 6, 17, 0, tzinfo=dt.UTC))  # midnight: 7 January starts again at 1
    assert start_case(proc, clock).business_key == "H01-260107-0001"
    assert instance_row(proc, first.instance_id).business_key == "H01-260106-0001"


def test_commune_officer_starts_a_commune_case(proc, khai_sinh, clock):
    district = start_case(proc, clock)
    commune = start_case(proc, clock, actor="xa.motcua", code="QT-KS-TEST")
    assert district.business_key == "H01-260105-0001"
    # The sequence is per unit: the commune's first case of the day is number 1.
    assert commune.business_key == "X01-260105-0001"
    assert [t.element_id for t in open_tasks_of(proc, "xa.motcua")] == ["KS_TiepNhan"]
    assert open_tasks_of(proc, "motcua", commune.instance_id) == []
    work(proc, clock, "xa.motcua", {}, commune.instance_id)
    assert [t.element_id for t in open_tasks_of(proc, "xa.tphc")] == ["KS_XuLy"]
    assert open_tasks_of(proc, "cv.tp", commune.instance_id) == []
    work(proc, clock, "xa.tphc", {"so_dang_ky": "12/2026"}, commune.instance_id)
    done = work(proc, clock, "xa.ct", {}, commune.instance_id)
    assert done.status == "completed"
    assert done.end_event == "KS_End"


def test_a_start_the_actor_may_not_do_is_refused(proc, clock):
    with pytest.raises(PermissionDenied, match="mot_cua"):
        start_case(proc, clock, actor="cv.ktht")
    with pytest.raises(PermissionDenied):
        start_case(proc, clock, actor="xa.motcua", unit="H01")
    assert instance_row_count(proc) == 0


def instance_row_count(db) -> int:
    from .conftest import counts

    return counts(db)["instances"]


# --- claim, unclaim, assign ----------------------------------------------------------------


def _at_check(db, clock):
    moved = start_case(db, clock)
    work(db, clock, "motcua", RECEIVE, moved.instance_id)
    return moved.instance_id, single_task(db, "cv.ktht", moved.instance_id)


def test_claimed_task_leaves_other_inboxes_and_cannot_be_claimed_again(proc, clock):
    iid, task = _at_check(proc, clock)
    tasks.claim(proc, task.id, "cv.ktht", clock)
    assert [t.id for t in open_tasks_of(proc, "cv.ktht", iid)] == [task.id]
    assert open_tasks_of(proc, "cv.ktht2", iid) == []
    with pytest.raises(ConflictError, match="claimed by cv.ktht"):
        tasks.claim(proc, task.id, "cv.ktht2", clock)
    with pytest.raises(PermissionDenied, match="cv.ktht"):
        tasks.unclaim(proc, task.id, "cv.ktht2", clock)
    with pytest.raises(PermissionDenied):
        instances.complete(proc, task.id, CHECK_OK, "cv.ktht2", clock)

    tasks.unclaim(proc, task.id, "cv.ktht", clock)
    assert [t.id for t in open_tasks_of(proc, "cv.ktht2", iid)] == [task.id]
    tasks.claim(proc, task.id, "cv.ktht2", clock)
    moved = instances.complete(proc, task.id, CHECK_OK, "cv.ktht2", clock)
    assert [s.element_id for s in moved.opened] == ["Task_PheDuyet"]
    lifecycles = [e["lifecycle"] for e in history(proc, iid) if e["activity"] == "Task_ThamDinh"]
    assert lifecycles == ["schedule", "claim", "unclaim", "claim", "complete"]
    assert verify(proc) == []


def test_unclaiming_a_task_nobody_claimed_is_refused(proc, clock):
    _, task = _at_check(proc, clock)
    with pytest.raises(ConflictError):
        tasks.unclaim(proc, task.id, "cv.ktht", clock)


def test_leader_assigns_to_a_holder_of_the_role(proc, clock):
    iid, task = _at_check(proc, clock)
    tasks.assign(proc, task.id, "cv.ktht2", "tp.ktht", clock)
    assert open_tasks_of(proc, "cv.ktht", iid) == []
    [view] = open_tasks_of(proc, "cv.ktht2", iid)
    assert (view.assignee, view.state) == ("cv.ktht2", "claimed")
    with pytest.raises(ConflictError):
        tasks.claim(proc, task.id, "cv.ktht", clock)
    # A leader may reassign a claimed task.
    tasks.assign(proc, task.id, "cv.ktht", "tp.ktht", clock)
    assert [t.id for t in open_tasks_of(proc, "cv.ktht", iid)] == [task.id]
    assert open_tasks_of(proc, "cv.ktht2", iid) == []


def test_assigning_to_someone_without_the_role_is_refused(proc, clock):
    iid, task = _at_check(proc, clock)
    with pytest.raises(PermissionDenied, match="motcua does not hold the role"):
        tasks.assign(proc, task.id, "motcua", "tp.ktht", clock)
    with pytest.raises(PermissionDenied):
        tasks.assign(proc, task.id, "xa.motcua", "tp.ktht", clock)
    assert open_tasks_of(proc, "motcua", iid) == []
    [row] = [t for t in task_rows(proc, iid) if t.task_uuid == task.id]
    assert (row.state, row.assignee) == ("ready", None)


def test_only_a_leader_may_assign(proc, clock):
    iid, task = _at_check(proc, clock)
    with pytest.raises(PermissionDenied, match="may not reassign"):
        tasks.assign(proc, task.id, "cv.ktht2", "cv.ktht", clock)
    with pytest.raises(PermissionDenied, match="may not reassign"):
        tasks.assign(proc, task.id, "cv.ktht2", "xa.ct", clock)
    [row] = [t for t in task_rows(proc, iid) if t.task_uuid == task.id]
    assert (row.state, row.assignee) == ("ready", None)


def test_an_inbox_is_not_hidden_by_other_roles_older_tasks(proc, clock):
    for _ in range(5):
        start_case(proc, clock)  # five open steps for the one-stop counter
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    assert [t.element_id for t in tasks.list_tasks(proc, user="cv.ktht")] == ["Task_ThamDinh"]
    assert [t.element_id for t in tasks.list_tasks(proc, user="cv.ktht", limit=1)] == ["Task_ThamDinh"]
