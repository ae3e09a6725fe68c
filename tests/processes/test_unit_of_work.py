"""Composite use cases are one unit of work: a failure at their last step leaves no trace, in the
database or in the caches, and two submissions of one draft cannot both go through.

Each test injects a failure *after* every write of the use case has been made (at its last step), so
that anything not in the one transaction, or any cache filled before the commit, would show.
"""

from __future__ import annotations

import threading

import pytest

from processes import apology, dossier_actions, instances, migration, reception, timers, versions
from processes.errors import ConflictError
from processes.reception import Applicant, Counter
from tests.processes.conftest import RECEIVE, start_case, verify, work
from tests.processes.quality_helpers import ISO, RENAMED, RESTRUCTURED, approve, catalog_with_test_procedure
from tests.processes.sla_helpers import step, vn
from tests.processes.test_timers import DUE, timer_bpmn, waiting_case
from tests.uow_helpers import Injected, caches, leaves_no_trace
from tests.xd_data import XD_RECEPTION

CODE = "QT-TEST-01"


def test_receiving_a_dossier_is_one_unit_of_work(org, deployed, clock, monkeypatch):
    deployed("QT-XD-01.bpmn")
    counter = Counter(Applicant("Nguyễn Văn An", "001203004567", "Thôn Đông", "0912345678"), form=XD_RECEPTION,
                      documents=[{"name": "Đơn đề nghị cấp giấy phép xây dựng", "kind": "original", "sets": 1}])
    db_caches = caches(org)
    assert db_caches == (set(), set())
    leaves_no_trace(org, monkeypatch, reception, "insert",
                     lambda: reception.receive(org, "QT-XD-01", counter, "accepted", "motcua", clock))
    done = reception.receive(org, "QT-XD-01", counter, "accepted", "motcua", clock)
    assert done.instance_id is not None and verify(org) == []
    # Started (lock version 2) and its reception step completed (3) in one unit of work: the workflow
    # staged by the start was handed to the completion, and only the committed one is cached.
    assert (done.instance_id, 3) in caches(org)[0]


@pytest.fixture
def catalog_db(org, clock, deployed):
    catalog_with_test_procedure(org, clock, deployed)
    return org


def test_submitting_a_draft_for_approval_is_one_unit_of_work(catalog_db, clock, monkeypatch):
    versions.save_draft(catalog_db, clock, ISO, CODE, RENAMED, "Rút ngắn thời hạn")
    leaves_no_trace(catalog_db, monkeypatch, instances, "complete_in",
                     lambda: versions.submit(catalog_db, clock, ISO, CODE, 2))
    assert versions.submit(catalog_db, clock, ISO, CODE, 2)["status"] == "in_review"


def test_two_submissions_of_one_draft_at_once_exactly_one_goes_through(catalog_db, clock):
    versions.save_draft(catalog_db, clock, ISO, CODE, RENAMED, "Rút ngắn thời hạn")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        start.wait()
        try:
            versions.submit(catalog_db, clock, ISO, CODE, 2)
            outcomes.append("sent")
        except ConflictError as exc:
            outcomes.append(exc.code or "conflict")

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["only_draft_sent", "sent"]
    listed = {v["version"]: v for v in versions.list_versions(catalog_db, CODE)}
    assert listed[2]["status"] == "in_review" and listed[2]["approval_case"]
    assert len(versions.approval_tasks(catalog_db, CODE, 2)) == 1  # one approval case, at one step


def test_signing_an_apology_is_one_unit_of_work(org, deployed, clock, monkeypatch):
    deployed("QT-XD-01.bpmn")
    from tests.processes.sla_helpers import start_xd
    case = start_xd(org, clock, at=vn(2026, 1, 5, 8, 0))
    step(org, clock, case, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))
    clock.set(vn(2026, 1, 21, 9, 0))
    asked = apology.request(org, case, "cv.ktht", clock, "Chờ ý kiến của Sở Xây dựng", vn(2026, 1, 30, 17, 0))
    leaves_no_trace(org, monkeypatch, apology, "notify", lambda: apology.sign(org, asked.id, "tp.ktht", clock))
    assert apology.sign(org, asked.id, "tp.ktht", clock).state == "signed"


def test_firing_a_timer_is_one_unit_of_work(org, deployed, clock, monkeypatch):
    deployed(timer_bpmn())
    case = waiting_case(org, clock)
    clock.set(DUE)
    job = timers.claim_due(org, clock, "w1")[0]
    leaves_no_trace(org, monkeypatch, instances, "save_case", lambda: timers.fire_job(org, clock, "w1", job))
    assert timers.fire_job(org, clock, "w1", job) == 1
    assert verify(org, case) == []


@pytest.mark.parametrize("close", [dossier_actions.withdraw, dossier_actions.stop])
def test_withdrawing_or_stopping_a_dossier_is_one_unit_of_work(org, deployed, clock, monkeypatch, close):
    deployed("QT-XD-01.bpmn")
    from tests.processes.sla_helpers import start_xd
    case = start_xd(org, clock, at=vn(2026, 1, 5, 8, 0))
    step(org, clock, case, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))
    leaves_no_trace(org, monkeypatch, instances, "save_case", lambda: close(org, case, "pct", clock, "Xin rút"))
    assert close(org, case, "pct", clock, "Xin rút").status_code in (7, 8)


def test_a_bulk_migration_and_its_revert_are_each_one_unit_of_work(catalog_db, clock, monkeypatch):
    db = catalog_db
    cases = [start_case(db, clock).instance_id for _ in range(3)]
    work(db, clock, "motcua", RECEIVE, cases[1])
    versions.save_draft(db, clock, ISO, CODE, RESTRUCTURED, "Sửa quy trình")
    approve(db, clock, CODE, 2)
    # The summary is built after the last case moved: every move is made when the failure comes.
    leaves_no_trace(db, monkeypatch, migration, "_summary", lambda: migration.migrate(db, clock, ISO, CODE, 1, 2))
    done = migration.migrate(db, clock, ISO, CODE, 1, 2)
    assert sum(v["outcome"] == "migrated" for v in done["instances"]) == 3
    real_update = migration.update

    def header_update_fails(table):  # the revert's last write: marking the migration reverted
        if table is migration.migrations:
            raise Injected("injected failure at the last step")
        return real_update(table)

    leaves_no_trace(db, monkeypatch, migration, "update",
                     lambda: migration.revert(db, clock, ISO, CODE, done["migration"]), header_update_fails)
    assert migration.revert(db, clock, ISO, CODE, done["migration"])["reverted"] == 3
    assert verify(db) == []


def test_a_case_that_cannot_move_is_kept_without_undoing_the_others(catalog_db, clock, monkeypatch):
    db = catalog_db
    first, second = (start_case(db, clock).instance_id for _ in range(2))
    versions.save_draft(db, clock, ISO, CODE, RESTRUCTURED, "Sửa quy trình")
    approve(db, clock, CODE, 2)
    real = instances.save_case

    def refuse_second(uow, case, *args, **kwargs):
        result = real(uow, case, *args, **kwargs)
        if case.row.id == second:
            raise ConflictError.of("case_changed", case=case.row.business_key)
        return result

    monkeypatch.setattr(instances, "save_case", refuse_second)
    done = migration.migrate(db, clock, ISO, CODE, 1, 2)
    monkeypatch.undo()
    outcomes = {v["instance_id"]: v["outcome"] for v in done["instances"]}
    assert outcomes == {first: "migrated", second: "kept"}
    assert work(db, clock, "motcua", RECEIVE, second).status == "running"  # its stored state still works
    assert verify(db) == []
