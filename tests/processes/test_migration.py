"""Moving running cases to a newer version: dry run, bulk move logged per case, exact revert."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from processes import migration, versions
from processes.caches import LiveWorkflows
from processes.errors import InvalidInput, PermissionDenied
from processes.schema import instances as instances_table
from tests.processes.conftest import (
    BPMN,
    CHECK_OK,
    CODE,
    RECEIVE,
    history,
    instance_row,
    start_case,
    task_rows,
    verify,
    work,
)
from tests.processes.quality_helpers import ISO, RENAMED, RESTRUCTURED, approve, catalog_with_test_procedure

# Version without the reception step: the start event leads straight to Thẩm định.
NO_RECEPTION = (BPMN.replace(BPMN[BPMN.index('    <bpmn:userTask id="Task_TiepNhan"'):
                                  BPMN.index('    <bpmn:userTask id="Task_ThamDinh"')], "")
                .replace('<bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Task_TiepNhan" />',
                         '<bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Task_ThamDinh" />')
                .replace('    <bpmn:sequenceFlow id="F2" sourceRef="Task_TiepNhan" targetRef="Task_ThamDinh" />\n', "")
                .replace("        <bpmn:flowNodeRef>Task_TiepNhan</bpmn:flowNodeRef>\n", ""))


@pytest.fixture
def three_cases(org, clock, deployed):
    """Version 1 in force with three running cases: at Tiếp nhận, at Thẩm định, at Phê duyệt."""
    catalog_with_test_procedure(org, clock, deployed)
    at_reception = start_case(org, clock)
    at_check = start_case(org, clock)
    work(org, clock, "motcua", RECEIVE, at_check.instance_id)
    at_approval = start_case(org, clock)
    work(org, clock, "motcua", RECEIVE, at_approval.instance_id)
    work(org, clock, "cv.ktht", CHECK_OK, at_approval.instance_id)
    return org, at_reception, at_check, at_approval


def _new_version(db, clock, xml: str) -> None:
    versions.save_draft(db, clock, ISO, CODE, xml, "Sửa quy trình")
    approve(db, clock, CODE, 2)


def _by_key(result: dict) -> dict[str, dict]:
    return {v["business_key"]: v for v in result["instances"]}


def test_dry_run_lists_who_can_move_and_why_the_others_cannot(three_cases, clock):
    db, reception, check, approval = three_cases
    _new_version(db, clock, RESTRUCTURED)
    result = migration.dry_run(db, clock, ISO, CODE, 1, 2)
    found = _by_key(result)
    assert (result["movable"], result["blocked"]) == (2, 1)
    assert found[reception.business_key]["can_move"] and found[check.business_key]["can_move"]
    blocked = found[approval.business_key]
    assert blocked["steps"] == [{"element_id": "Task_PheDuyet", "name": "Phê duyệt"}]
    assert blocked["reasons"] == ["the step it is in, 'Phê duyệt', was removed in version 2"]
    assert blocked["why"] == [{"code": "move_step_removed", "params": {"step": "Phê duyệt", "target": 2}}]
    assert instance_row(db, reception.instance_id).definition_id == instance_row(db, approval.instance_id).definition_id


def test_migrate_moves_cases_in_unchanged_steps_logs_each_and_leaves_the_rest(three_cases, clock):
    db, reception, check, approval = three_cases
    _new_version(db, clock, RESTRUCTURED)
    old_def = instance_row(db, approval.instance_id).definition_id
    tasks_before = {i: task_rows(db, i) for i in (reception.instance_id, check.instance_id)}
    result = migration.migrate(db, clock, ISO, CODE, 1, 2)
    outcomes = {k: v["outcome"] for k, v in _by_key(result).items()}
    assert outcomes == {reception.business_key: "migrated", check.business_key: "migrated",
                        approval.business_key: "kept"}
    new_def = versions.list_versions(db, CODE)[1]["definition_id"]
    assert instance_row(db, check.instance_id).definition_id == new_def
    assert instance_row(db, approval.instance_id).definition_id == old_def
    moved = [e for e in history(db, check.instance_id) if e["lifecycle"] == "migrate"]
    assert [(e["payload"]["from_version"], e["payload"]["to_version"], e["actor"]) for e in moved] == [(1, 2, ISO)]
    assert not [e for e in history(db, approval.instance_id) if e["lifecycle"] == "migrate"]
    assert verify(db) == []
    # The open steps (and their inbox rows) are the same; the case goes on along the new version.
    assert {i: task_rows(db, i) for i in tasks_before} == tasks_before
    nxt = work(db, clock, "cv.ktht", CHECK_OK, check.instance_id)
    assert [s.element_id for s in nxt.opened] == ["Task_KiemTra"]
    done = work(db, clock, "tp.ktht", {}, check.instance_id)
    assert (done.status, done.end_event) == ("completed", "EndEvent_Done")
    listed = migration.list_migrations(db, CODE)
    assert [i["outcome"] for i in listed[0]["items"]] == ["migrated", "migrated", "kept"]


def test_revert_restores_the_moved_cases_exactly(three_cases, clock):
    db, reception, check, _approval = three_cases
    _new_version(db, clock, RESTRUCTURED)
    before = {i: instance_row(db, i) for i in (reception.instance_id, check.instance_id)}
    done = migration.migrate(db, clock, ISO, CODE, 1, 2)
    result = migration.revert(db, clock, ISO, CODE, done["migration"])
    assert result["reverted"] == 2
    for instance_id, old in before.items():
        now = instance_row(db, instance_id)
        assert (now.state, now.definition_id) == (old.state, old.definition_id)
        assert [e["lifecycle"] for e in history(db, instance_id)][-2:] == ["migrate", "migrate_revert"]
    assert verify(db) == []
    # Back on version 1: after Thẩm định comes Phê duyệt again.
    nxt = work(db, clock, "cv.ktht", CHECK_OK, check.instance_id)
    assert [s.element_id for s in nxt.opened] == ["Task_PheDuyet"]


def test_revert_leaves_a_case_that_moved_on_since(three_cases, clock):
    db, reception, check, _approval = three_cases
    _new_version(db, clock, RESTRUCTURED)
    done = migration.migrate(db, clock, ISO, CODE, 1, 2)
    work(db, clock, "cv.ktht", CHECK_OK, check.instance_id)
    outcomes = {r["business_key"]: r for r in migration.revert(db, clock, ISO, CODE, done["migration"])["instances"]}
    assert outcomes[reception.business_key]["outcome"] == "reverted"
    assert outcomes[check.business_key]["outcome"] == "kept"
    assert "moved on" in outcomes[check.business_key]["reasons"][0]


def test_a_changed_step_blocks_and_a_passed_removed_step_blocks(three_cases, clock):
    db, reception, check, approval = three_cases
    _new_version(db, clock, RENAMED)
    found = _by_key(migration.dry_run(db, clock, ISO, CODE, 1, 2))
    assert found[check.business_key]["reasons"] == [
        "the step it is in, 'Thẩm định hồ sơ', changed in version 2 (name, time_limit)"]
    assert found[reception.business_key]["can_move"] and found[approval.business_key]["can_move"]


def test_a_case_that_passed_a_removed_step_is_kept(three_cases, clock):
    db, reception, check, _approval = three_cases
    _new_version(db, clock, NO_RECEPTION)
    found = _by_key(migration.dry_run(db, clock, ISO, CODE, 1, 2))
    assert "was removed" in found[reception.business_key]["reasons"][0]
    assert found[check.business_key]["reasons"] == [
        "it has passed 'Tiếp nhận hồ sơ', which version 2 removed: its history would not fit"]


def test_filters_choose_the_cases(three_cases, clock):
    db, reception, check, _approval = three_cases
    _new_version(db, clock, RESTRUCTURED)
    only = migration.dry_run(db, clock, ISO, CODE, 1, 2, {"business_keys": [reception.business_key]})
    assert [v["business_key"] for v in only["instances"]] == [reception.business_key]
    at_step = migration.dry_run(db, clock, ISO, CODE, 1, 2, {"steps": ["Task_ThamDinh"]})
    assert [v["business_key"] for v in at_step["instances"]] == [check.business_key]
    assert len(migration.dry_run(db, clock, ISO, CODE, 1, 2, {"unit": "H01"})["instances"]) == 3
    assert migration.dry_run(db, clock, ISO, CODE, 1, 2, {"unit": "X01"})["instances"] == []
    with pytest.raises(InvalidInput):
        migration.dry_run(db, clock, ISO, CODE, 1, 2, {"everything": True})


def test_only_forward_to_the_version_in_force_and_only_by_the_quality_manager(three_cases, clock):
    db = three_cases[0]
    _new_version(db, clock, RESTRUCTURED)
    with pytest.raises(InvalidInput):
        migration.dry_run(db, clock, ISO, CODE, 2, 1)
    with pytest.raises(PermissionDenied):
        migration.migrate(db, clock, "tp.ktht", CODE, 1, 2)
    with db.read() as conn:
        from processes.schema import migrations

        assert conn.execute(select(migrations)).first() is None


def test_a_case_whose_state_cannot_be_read_is_blocked_with_the_reason_and_the_others_are_judged(three_cases, clock):
    db, reception, check, approval = three_cases
    _new_version(db, clock, RESTRUCTURED)
    state = json.loads(instance_row(db, check.instance_id).state)
    state["v"] = "quytrinh-0/spiff-0.9"  # written by a release this one has no converter from
    with db.write() as conn:
        conn.execute(update(instances_table).where(instances_table.c.id == check.instance_id)
                     .values(state=json.dumps(state)))
    db.live = LiveWorkflows()
    found = _by_key(migration.dry_run(db, clock, ISO, CODE, 1, 2))
    assert found[check.business_key]["can_move"] is False
    assert found[check.business_key]["reasons"] == [
        "its stored state cannot be read: no converter from state version 'quytrinh-0/spiff-0.9'"]
    assert found[reception.business_key]["can_move"] and not found[approval.business_key]["can_move"]
    moved = _by_key(migration.migrate(db, clock, ISO, CODE, 1, 2))
    assert moved[reception.business_key]["outcome"] == "migrated"
    assert instance_row(db, check.instance_id).definition_id == instance_row(db, approval.instance_id).definition_id
