"""Who may act: roles, agency scoping (district vs commune), unit-scoped roles and assignees."""

from __future__ import annotations

import pytest

from processes import instances, organisation, tasks
from processes.errors import ConflictError, NotFound, PermissionDenied

from .conftest import (
    BPMN,
    CHECK_OK,
    CODE,
    RECEIVE,
    dump_all,
    history,
    open_tasks_of,
    single_task,
    start_case,
    task_rows,
    verify,
    work,
)


def _refused(db, action, match: str | None = None) -> None:
    before = dump_all(db)
    with pytest.raises(PermissionDenied, match=match):
        action()
    assert dump_all(db) == before


@pytest.fixture
def at_check(proc, clock):
    """A district case waiting for a KTHT specialist."""
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    return moved.instance_id, single_task(proc, "cv.ktht", moved.instance_id)


def test_a_user_without_the_role_may_not_complete_or_claim(proc, clock, at_check):
    iid, task = at_check
    for user in ("motcua", "cv.tckh", "tp.ktht", "pct", "iso", "admin", "xa.motcua", "ghost"):
        _refused(proc, lambda user=user: instances.complete(proc, task.id, CHECK_OK, user, clock),
                 f"{user} may not do 'Thẩm định hồ sơ' \\(for role chuyen_vien_ktht\\)")
        _refused(proc, lambda user=user: tasks.claim(proc, task.id, user, clock),
                 f"{user} may not do 'Thẩm định hồ sơ'")
        assert open_tasks_of(proc, user, iid) == []
    # The rightful holder is not affected.
    moved = instances.complete(proc, task.id, CHECK_OK, "cv.ktht", clock)
    assert [s.element_id for s in moved.opened] == ["Task_PheDuyet"]


def test_district_officers_may_not_act_on_a_commune_case(proc, khai_sinh, clock):
    commune = start_case(proc, clock, actor="xa.motcua", code="QT-KS-TEST")
    iid = commune.instance_id
    task = single_task(proc, "xa.motcua", iid)
    # motcua holds mot_cua, but in the district: the commune's counter is not theirs.
    _refused(proc, lambda: instances.complete(proc, task.id, {}, "motcua", clock))
    _refused(proc, lambda: tasks.claim(proc, task.id, "motcua", clock))
    assert open_tasks_of(proc, "motcua", iid) == []

    work(proc, clock, "xa.motcua", {}, iid)
    step = single_task(proc, "xa.tphc", iid)
    # Even holding the very role, a district officer stays out of the commune's case.
    organisation.grant(proc, "cv.tp", "cong_chuc_tphc", "H01.TP")
    assert open_tasks_of(proc, "cv.tp", iid) == []
    _refused(proc, lambda: instances.complete(proc, step.id, {}, "cv.tp", clock))
    _refused(proc, lambda: tasks.claim(proc, step.id, "cv.tp", clock))
    # A district leader is no commune chairman, nor may the district's department head assign here.
    _refused(proc, lambda: tasks.assign(proc, step.id, "xa.tphc", "tp.ktht", clock))
    _refused(proc, lambda: instances.cancel(proc, iid, "tp.ktht", clock, "không thuộc thẩm quyền"))
    work(proc, clock, "xa.tphc", {}, iid)
    sign = single_task(proc, "xa.ct", iid)
    _refused(proc, lambda: instances.complete(proc, sign.id, {}, "pct", clock))
    assert work(proc, clock, "xa.ct", {}, iid).status == "completed"


def test_commune_officers_may_not_act_on_a_district_case(proc, clock):
    moved = start_case(proc, clock)
    iid = moved.instance_id
    task = single_task(proc, "motcua", iid)
    _refused(proc, lambda: instances.complete(proc, task.id, RECEIVE, "xa.motcua", clock))
    _refused(proc, lambda: tasks.claim(proc, task.id, "xa.motcua", clock))
    assert open_tasks_of(proc, "xa.motcua") == []

    work(proc, clock, "motcua", RECEIVE, iid)
    check = single_task(proc, "cv.ktht", iid)
    organisation.grant(proc, "xa.tphc", "chuyen_vien_ktht", "X01")
    assert open_tasks_of(proc, "xa.tphc", iid) == []
    _refused(proc, lambda: instances.complete(proc, check.id, CHECK_OK, "xa.tphc", clock))
    _refused(proc, lambda: tasks.assign(proc, check.id, "xa.tphc", "tp.ktht", clock),
             "xa.tphc does not hold the role")
    _refused(proc, lambda: tasks.assign(proc, check.id, "cv.ktht2", "xa.ct", clock), "may not reassign")
    _refused(proc, lambda: instances.cancel(proc, iid, "xa.ct", clock, ""))


def test_a_commune_officer_may_not_start_a_case_for_the_district(proc, khai_sinh, clock):
    _refused(proc, lambda: instances.start(proc, "QT-KS-TEST", {}, "xa.motcua", clock, "H01"))
    _refused(proc, lambda: instances.start(proc, CODE, {}, "motcua", clock, "X01"))


def test_a_unit_scoped_role_admits_only_that_unit(org, clock, deployed):
    scoped = (BPMN.replace('<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ"',
                           '<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ" '
                           'camunda:candidateGroups="chuyen_vien_ktht@H01.KTHT"'))
    deployed(scoped)
    organisation.grant(org, "cv.tckh", "chuyen_vien_ktht", "H01.TCKH")  # the role, in the wrong division
    moved = start_case(org, clock)
    iid = moved.instance_id
    work(org, clock, "motcua", RECEIVE, iid)
    task = single_task(org, "cv.ktht", iid)
    assert task.roles == "chuyen_vien_ktht@H01.KTHT"
    assert open_tasks_of(org, "cv.tckh", iid) == []
    _refused(org, lambda: instances.complete(org, task.id, CHECK_OK, "cv.tckh", clock))
    assert [s.element_id for s in work(org, clock, "cv.ktht2", CHECK_OK, iid).opened] == ["Task_PheDuyet"]


def test_an_assigned_task_may_be_completed_only_by_its_assignee(proc, clock, at_check):
    iid, task = at_check
    tasks.assign(proc, task.id, "cv.ktht2", "tp.ktht", clock)
    for user in ("cv.ktht", "tp.ktht", "pct", "motcua"):
        _refused(proc, lambda user=user: instances.complete(proc, task.id, CHECK_OK, user, clock),
                 f"{user} may not do 'Thẩm định hồ sơ' \\(assigned to cv.ktht2\\)")
    with pytest.raises(ConflictError):
        tasks.claim(proc, task.id, "cv.ktht", clock)
    instances.complete(proc, task.id, CHECK_OK, "cv.ktht2", clock)
    [row] = [r for r in task_rows(proc, iid) if r.task_uuid == task.id]
    assert (row.state, row.completed_by) == ("completed", "cv.ktht2")
    assert verify(proc) == []


def test_a_step_assigned_by_the_model_goes_to_that_user_only(org, clock, deployed):
    assigned = BPMN.replace('<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ"',
                            '<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ" '
                            'camunda:assignee="${nguoi_xu_ly}"')
    deployed(assigned)
    moved = instances.start(org, CODE, {"nguoi_xu_ly": "cv.ktht2"}, "motcua", clock)
    iid = moved.instance_id
    opened = work(org, clock, "motcua", RECEIVE, iid).opened
    assert [(s.element_id, s.assignee) for s in opened] == [("Task_ThamDinh", "cv.ktht2")]
    assert open_tasks_of(org, "cv.ktht", iid) == []
    task = single_task(org, "cv.ktht2", iid)
    assert (task.state, task.assignee) == ("claimed", "cv.ktht2")
    _refused(org, lambda: instances.complete(org, task.id, CHECK_OK, "cv.ktht", clock))
    assert [s.element_id for s in instances.complete(org, task.id, CHECK_OK, "cv.ktht2", clock).opened] == [
        "Task_PheDuyet"]


def test_only_the_claimant_or_a_leader_may_release(proc, clock, at_check):
    _, task = at_check
    tasks.claim(proc, task.id, "cv.ktht", clock)
    _refused(proc, lambda: tasks.unclaim(proc, task.id, "cv.ktht2", clock), "only cv.ktht or a leader")
    _refused(proc, lambda: tasks.unclaim(proc, task.id, "xa.ct", clock))
    tasks.unclaim(proc, task.id, "tp.ktht", clock)
    assert [t.id for t in open_tasks_of(proc, "cv.ktht2")] == [task.id]


def test_only_the_starter_or_a_leader_may_cancel(proc, clock, at_check):
    iid, _ = at_check
    for user in ("motcua2", "cv.ktht", "xa.motcua", "xa.ct"):
        _refused(proc, lambda user=user: instances.cancel(proc, iid, user, clock, ""), f"{user} may not cancel")


def test_a_revoked_role_no_longer_admits_and_its_grant_brings_it_back(proc, clock, at_check):
    iid, task = at_check
    organisation.revoke(proc, "cv.ktht", "chuyen_vien_ktht", "H01.KTHT")
    assert open_tasks_of(proc, "cv.ktht", iid) == []
    _refused(proc, lambda: instances.complete(proc, task.id, CHECK_OK, "cv.ktht", clock),
             "cv.ktht may not do 'Thẩm định hồ sơ'")
    organisation.grant(proc, "cv.ktht", "chuyen_vien_ktht", "H01.KTHT")
    moved = instances.complete(proc, task.id, CHECK_OK, "cv.ktht", clock)
    assert [s.element_id for s in moved.opened] == ["Task_PheDuyet"]


def test_a_role_is_not_revoked_while_its_holder_has_claimed_a_step_that_needs_it(proc, clock, at_check):
    iid, task = at_check
    tasks.claim(proc, task.id, "cv.ktht", clock)
    before = dump_all(proc)
    with pytest.raises(ConflictError, match="cv.ktht holds open steps that need 'chuyen_vien_ktht' \\(H01-"):
        organisation.revoke(proc, "cv.ktht", "chuyen_vien_ktht", "H01.KTHT")
    assert dump_all(proc) == before
    tasks.unclaim(proc, task.id, "cv.ktht", clock)
    organisation.revoke(proc, "cv.ktht", "chuyen_vien_ktht", "H01.KTHT")
    with pytest.raises(NotFound, match="cv.ktht does not hold 'chuyen_vien_ktht' in H01.KTHT"):
        organisation.revoke(proc, "cv.ktht", "chuyen_vien_ktht", "H01.KTHT")


def test_a_completion_records_the_roles_its_actor_held_then(proc, clock, at_check):
    iid, task = at_check
    instances.complete(proc, task.id, CHECK_OK, "cv.ktht", clock)
    done = [e for e in history(proc, iid) if e["lifecycle"] == "complete" and e["actor"] == "cv.ktht"]
    assert [e["payload"]["held"] for e in done] == [["chuyen_vien_ktht@H01.KTHT"]]
    assert "for" not in done[0]["payload"]
