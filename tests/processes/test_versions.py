"""Versions under document control, driven by the real approval procedure QT-ISO-01 (iso → head → leader)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from processes import catalog, instances, versions
from processes.approval import APPROVAL_CODE
from processes.errors import ConflictError, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from processes.lint import LintFailed
from processes.lookup import find_instance
from processes.schema import definitions, procedure_versions
from processes.schema import instances as instances_table
from processes.version_status import VERSION_TRANSITIONS, VersionStatus, check_version_transition
from tests.processes.conftest import BPMN, CODE, history, start_case, verify
from tests.processes.quality_helpers import (
    HEAD,
    ISO,
    LEADER,
    RENAMED,
    approval_task,
    approve,
    catalog_with_test_procedure,
    decide,
    review,
    status_of,
)

BROKEN = RENAMED.replace('<bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_ktht">',
                         '<bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_khong_co">')


@pytest.fixture
def catalog_db(org, clock, deployed):
    """The demo database with QT-ISO-01 and the test procedure under document control (version 1 in force)."""
    catalog_with_test_procedure(org, clock, deployed)
    return org


def _definition_of(db, instance_id: int) -> int:
    with db.read() as conn:
        return conn.execute(select(instances_table.c.definition_id).where(instances_table.c.id == instance_id)).scalar()


def _version(db, number: int) -> dict:
    return next(v for v in versions.list_versions(db, CODE) if v["version"] == number)


def test_full_lifecycle_new_version_in_force_old_superseded(catalog_db, clock):
    db = catalog_db
    before = start_case(db, clock)
    saved = versions.save_draft(db, clock, ISO, CODE, RENAMED, "Rút ngắn thời hạn thẩm định")
    assert saved == {"version": 2, "status": "draft", "problems": saved["problems"]}
    assert not [p for p in saved["problems"] if p["severity"] == "error"]
    sent = versions.submit(db, clock, ISO, CODE, 2)
    assert sent["status"] == "in_review"
    review(db, clock, CODE, 2, "dong_y")
    assert status_of(db, CODE, 2) == "in_review" and _version(db, 2)["reviewed_by"] == HEAD
    decide(db, clock, CODE, 2, "phe_duyet")
    new, old = _version(db, 2), _version(db, 1)
    assert (new["status"], new["issue_number"], new["obsolete"]) == ("effective", 2, False)
    assert (new["drafted_by"], new["reviewed_by"], new["approved_by"]) == (ISO, HEAD, LEADER)
    assert new["effective_date"] == new["issue_date"] == dt.date(2026, 1, 5)
    assert (old["status"], old["obsolete"]) == ("superseded", True)
    with db.read() as conn:
        statuses = dict(conn.execute(select(definitions.c.id, definitions.c.status)
                                     .where(definitions.c.code == CODE)).all())
        assert statuses == {old["definition_id"]: "superseded", new["definition_id"]: "active"}
        assert catalog.active_definition(conn, CODE).id == new["definition_id"]
    after = start_case(db, clock)
    assert _definition_of(db, after.instance_id) == new["definition_id"]
    assert after.opened[0].element_id == "Task_TiepNhan"
    # A case started before keeps running on the version it started on.
    assert _definition_of(db, before.instance_id) == old["definition_id"]
    log = history(db, find_instance(db, _version(db, 2)["approval_case"]).id)
    moves = [(e["payload"]["from"], e["payload"]["to"]) for e in log if e["lifecycle"] == "version_status"]
    assert moves == [("draft", "in_review"), ("in_review", "approved"), ("approved", "effective")]
    assert verify(db) == []


def test_nothing_starts_on_a_superseded_version(catalog_db, clock):
    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    approve(db, clock, CODE, 2)
    old = _version(db, 1)["definition_id"]
    for ref in (CODE, "QT_TEST_01"):
        moved = instances.start(db, ref, {}, "motcua", clock)
        assert _definition_of(db, moved.instance_id) != old
    with db.write() as conn:
        conn.execute(definitions.update().where(definitions.c.code == CODE, definitions.c.status == "active")
                     .values(status="withdrawn"))
    with pytest.raises(NotFound):
        instances.start(db, CODE, {}, "motcua", clock)


def test_sent_back_by_head_then_by_leader_then_approved_in_the_same_case(catalog_db, clock):
    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    first = versions.submit(db, clock, ISO, CODE, 2)["approval_case"]
    review(db, clock, CODE, 2, "tra_lai")
    assert status_of(db, CODE, 2) == "draft" and _version(db, 2)["reviewed_by"] is None
    assert versions.save_draft(db, clock, ISO, CODE, RENAMED + "\n", "Sửa theo ý kiến")["version"] == 2
    assert versions.submit(db, clock, ISO, CODE, 2)["approval_case"] == first
    review(db, clock, CODE, 2, "dong_y")
    decide(db, clock, CODE, 2, "tra_lai")
    assert status_of(db, CODE, 2) == "draft" and _version(db, 2)["approved_by"] is None
    versions.submit(db, clock, ISO, CODE, 2)
    review(db, clock, CODE, 2, "dong_y")
    decide(db, clock, CODE, 2, "phe_duyet")
    assert status_of(db, CODE, 2) == "effective" and _version(db, 2)["revision_note"] == "Sửa theo ý kiến"


def test_a_draft_with_errors_cannot_be_sent_and_no_case_starts(catalog_db, clock):
    db = catalog_db
    saved = versions.save_draft(db, clock, ISO, CODE, BROKEN)
    assert {(p["element_id"], p["code"]) for p in saved["problems"]} >= {("Lane_ChuyenVien", "unknown_role")}
    with pytest.raises(LintFailed) as caught:
        versions.submit(db, clock, ISO, CODE, 2)
    assert any(p["element_id"] == "Lane_ChuyenVien" for p in caught.value.problems)
    assert status_of(db, CODE, 2) == "draft" and _version(db, 2)["approval_case"] is None


def test_the_drafting_step_itself_refuses_a_draft_with_errors(catalog_db, clock):
    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    versions.submit(db, clock, ISO, CODE, 2)
    review(db, clock, CODE, 2, "tra_lai")
    versions.save_draft(db, clock, ISO, CODE, BROKEN)
    with pytest.raises(LintFailed):  # completing the step from the inbox goes through the same check
        instances.complete(db, approval_task(db, CODE, 2, ISO), {"hanh_dong": "trinh_duyet"}, ISO, clock)
    assert status_of(db, CODE, 2) == "draft"


def test_one_open_draft_and_no_edits_while_in_review(catalog_db, clock):
    db = catalog_db
    assert versions.save_draft(db, clock, ISO, CODE, RENAMED)["version"] == 2
    assert versions.save_draft(db, clock, ISO, CODE, BPMN)["version"] == 2
    assert versions.version_xml(db, CODE, 2) == BPMN
    with pytest.raises(ConflictError):
        versions.new_draft_from(db, clock, ISO, CODE, 1)
    versions.submit(db, clock, ISO, CODE, 2)
    with pytest.raises(ConflictError):
        versions.save_draft(db, clock, ISO, CODE, RENAMED)
    with pytest.raises(ConflictError):
        versions.submit(db, clock, ISO, CODE, 2)


def test_a_later_effective_date_waits_then_takes_effect(catalog_db, clock):
    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    approve(db, clock, CODE, 2, effective="2026-01-12")
    assert (status_of(db, CODE, 2), status_of(db, CODE, 1)) == ("approved", "effective")
    assert versions.activate_due(db, clock) == []
    clock.set(dt.datetime(2026, 1, 12, 1, 0, tzinfo=dt.UTC))
    assert versions.activate_due(db, clock) == [(CODE, 2)]
    assert (status_of(db, CODE, 2), status_of(db, CODE, 1)) == ("effective", "superseded")


def test_withdrawing_a_draft_in_its_case_and_abolishing_the_version_in_force(catalog_db, clock):
    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    versions.submit(db, clock, ISO, CODE, 2)
    review(db, clock, CODE, 2, "tra_lai")
    assert versions.withdraw(db, clock, ISO, CODE, 2) == "withdrawn"
    assert _version(db, 2)["obsolete"] is True
    case = _version(db, 2)["approval_case"]
    with db.read() as conn:
        row = conn.execute(select(instances_table).where(instances_table.c.business_key == case)).one()
    assert (row.status, row.end_event) == ("completed", "End_DaHuy")
    versions.withdraw(db, clock, ISO, CODE, 1)
    with pytest.raises(NotFound):
        start_case(db, clock)


def test_cancelling_the_approval_case_returns_the_version_to_draft(catalog_db, clock):
    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    first = versions.submit(db, clock, ISO, CODE, 2)["approval_case"]
    with db.read() as conn:
        case_id = conn.execute(select(procedure_versions.c.approval_instance_id)
                               .where(procedure_versions.c.version == 2)).scalar()
    instances.cancel(db, case_id, ISO, clock, "Rút lại để sửa")
    assert status_of(db, CODE, 2) == "draft"
    again = versions.submit(db, clock, ISO, CODE, 2)
    assert again["status"] == "in_review" and again["approval_case"] != first


def test_only_the_quality_manager_edits_and_only_the_lanes_decide(catalog_db, clock):
    db = catalog_db
    for outsider in ("cv.ktht", "tp.nv", "pct"):
        with pytest.raises(PermissionDenied):
            versions.save_draft(db, clock, outsider, CODE, RENAMED)
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    with pytest.raises(PermissionDenied):
        versions.submit(db, clock, "tp.ktht", CODE, 2)
    versions.submit(db, clock, ISO, CODE, 2)
    task = versions.approval_tasks(db, CODE, 2)[0].id
    for outsider in (ISO, LEADER, "tp.ktht"):
        with pytest.raises(PermissionDenied):
            instances.complete(db, task, {"ket_qua_xem_xet": "dong_y"}, outsider, clock)
    review(db, clock, CODE, 2, "dong_y")
    task = versions.approval_tasks(db, CODE, 2)[0].id
    for outsider in (ISO, HEAD):
        with pytest.raises(PermissionDenied):
            instances.complete(db, task, {"ket_qua_phe_duyet": "phe_duyet"}, outsider, clock)


def test_an_approval_case_needs_the_procedure_and_version_it_carries(catalog_db, clock):
    with pytest.raises(InvalidInput):
        instances.start(catalog_db, APPROVAL_CODE, {}, ISO, clock)
    with pytest.raises(NotFound):
        instances.start(catalog_db, APPROVAL_CODE, {"ma_quy_trinh": CODE, "phien_ban": 9}, ISO, clock)
    with pytest.raises(ConflictError):  # version 1 is in force, not a draft
        instances.start(catalog_db, APPROVAL_CODE, {"ma_quy_trinh": CODE, "phien_ban": 1}, ISO, clock)


def test_the_transition_table():
    assert VERSION_TRANSITIONS[VersionStatus.IN_REVIEW] == {VersionStatus.DRAFT, VersionStatus.APPROVED,
                                                            VersionStatus.WITHDRAWN}
    assert check_version_transition("approved", "effective") is VersionStatus.EFFECTIVE
    for current, new in (("effective", "draft"), ("superseded", "effective"), ("draft", "approved"),
                         ("withdrawn", "draft"), ("in_review", "effective")):
        with pytest.raises(InvalidTransition):
            check_version_transition(current, new)


def test_the_worker_makes_a_version_effective_on_its_date(catalog_db, clock):
    from processes.scheduler import Scheduler

    db = catalog_db
    versions.save_draft(db, clock, ISO, CODE, RENAMED)
    approve(db, clock, CODE, 2, effective="2026-01-12")
    worker = Scheduler(db, clock, sweep=lambda *a, **k: None)
    assert worker.tick(force_sweep=True).activated == []
    clock.set(dt.datetime(2026, 1, 12, 1, 0, tzinfo=dt.UTC))
    tick = worker.tick(force_sweep=True)
    assert tick.activated == [(CODE, 2)] and tick.errors == []
    assert (status_of(db, CODE, 2), status_of(db, CODE, 1)) == ("effective", "superseded")


def test_internal_cases_are_numbered_apart_from_citizens_dossiers(catalog_db, clock):
    first = start_case(catalog_db, clock)
    versions.save_draft(catalog_db, clock, ISO, CODE, RENAMED, "Rút ngắn thời hạn thẩm định")
    approval_case = versions.submit(catalog_db, clock, ISO, CODE, 2)["approval_case"]
    second = start_case(catalog_db, clock)
    assert approval_case.startswith("H01-NB-")  # the approval case (level noi_bo) takes no dossier number
    assert int(second.business_key[-4:]) == int(first.business_key[-4:]) + 1
