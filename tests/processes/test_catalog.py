"""Deploying procedures: unchanged XML is a no-op; a change is a new version; running cases keep theirs."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import event, select

from engine.errors import ModelInvalid
from processes import catalog, instances
from processes.db import Database
from processes.errors import ConflictError, InvalidInput
from processes.schema import definitions

from .conftest import (
    APPROVE,
    BPMN,
    CHECK_OK,
    CODE,
    PROCESS_ID,
    RECEIVE,
    counts,
    current_schema,
    instance_row,
    single_task,
    start_case,
    task_rows,
    verify,
    work,
)

# Version 2 renames the check step and adds a field to its form.
BPMN_V2 = BPMN.replace('name="Thẩm định hồ sơ"', 'name="Thẩm định hồ sơ (mẫu mới)"').replace(
    '<camunda:formField id="y_kien" label="Ý kiến" type="string">',
    '<camunda:formField id="so_quyet_dinh" label="Số quyết định" type="string" />'
    '<camunda:formField id="y_kien" label="Ý kiến" type="string">')


def _definitions(db) -> list[tuple]:
    with db.read() as conn:
        return [tuple(r) for r in conn.execute(
            select(definitions.c.id, definitions.c.code, definitions.c.version, definitions.c.status)
            .order_by(definitions.c.id))]


def test_deploying_the_same_xml_twice_is_a_no_op(org, clock):
    first = catalog.deploy(org, BPMN, clock, "iso")
    assert (first.code, first.version, first.process_id, first.created) == (CODE, 1, PROCESS_ID, True)
    assert first.name == "Cấp giấy phép thử nghiệm"
    clock.advance(days=1)
    again = catalog.deploy(org, BPMN.encode("utf-8"), clock, "admin")
    assert (again.definition_id, again.version, again.created) == (first.definition_id, 1, False)
    assert _definitions(org) == [(first.definition_id, CODE, 1, "active")]


def test_a_changed_xml_is_version_two_and_supersedes_version_one(org, clock):
    v1 = catalog.deploy(org, BPMN, clock, "iso")
    v2 = catalog.deploy(org, BPMN_V2, clock, "iso")
    assert (v2.code, v2.version, v2.created) == (CODE, 2, True)
    assert v2.definition_id != v1.definition_id
    assert _definitions(org) == [(v1.definition_id, CODE, 1, "superseded"), (v2.definition_id, CODE, 2, "active")]
    listed = [(d["code"], d["version"], d["status"]) for d in catalog.list_definitions(org)]
    assert listed == [(CODE, 2, "active"), (CODE, 1, "superseded")]
    # A whitespace-only change is a change of the file, hence a version too.
    v3 = catalog.deploy(org, BPMN_V2 + "\n", clock, "iso")
    assert (v3.version, v3.created) == (3, True)


def test_running_cases_continue_on_their_version_while_new_cases_use_the_new_one(org, clock):
    catalog.deploy(org, BPMN, clock, "iso")
    old = start_case(org, clock)
    work(org, clock, "motcua", RECEIVE, old.instance_id)
    old_definition = instance_row(org, old.instance_id).definition_id

    v2 = catalog.deploy(org, BPMN_V2, clock, "iso")
    new = start_case(org, clock)
    assert instance_row(org, new.instance_id).definition_id == v2.definition_id
    assert instance_row(org, old.instance_id).definition_id == old_definition != v2.definition_id

    # The old case's waiting step keeps its name and form; the v2 field is unknown to it.
    old_check = single_task(org, "cv.ktht", old.instance_id)
    assert old_check.name == "Thẩm định hồ sơ"
    work(org, clock, "motcua", RECEIVE, new.instance_id)
    new_check = single_task(org, "cv.ktht", new.instance_id)
    assert new_check.name == "Thẩm định hồ sơ (mẫu mới)"
    with pytest.raises(InvalidInput) as info:
        instances.complete(org, old_check.id, dict(CHECK_OK, so_quyet_dinh="12/QĐ"), "cv.ktht", clock)
    assert info.value.errors == {"so_quyet_dinh": "unknown field for this step"}
    work(org, clock, "cv.ktht", CHECK_OK, old.instance_id)
    work(org, clock, "cv.ktht", dict(CHECK_OK, so_quyet_dinh="12/QĐ"), new.instance_id)

    # After a restart (fresh caches) the old case still runs on v1.
    fresh = Database(org.url, schema=current_schema(org))
    try:
        assert work(fresh, clock, "tp.ktht", APPROVE, old.instance_id).status == "completed"
        assert work(fresh, clock, "tp.ktht", APPROVE, new.instance_id).status == "completed"
    finally:
        fresh.dispose()
    assert [r.name for r in task_rows(org, old.instance_id)][1] == "Thẩm định hồ sơ"
    assert [r.name for r in task_rows(org, new.instance_id)][1] == "Thẩm định hồ sơ (mẫu mới)"
    assert verify(org) == []


def test_a_refused_deploy_leaves_the_active_version_alone(org, clock):
    v1 = catalog.deploy(org, BPMN, clock, "iso")
    before = counts(org)
    with pytest.raises(ModelInvalid, match="__import__"):
        catalog.deploy(org, BPMN.replace("quyet_dinh == 'duyet'", "__import__('os')"), clock, "iso")
    assert counts(org) == before
    assert _definitions(org) == [(v1.definition_id, CODE, 1, "active")]
    assert start_case(org, clock).status == "running"


def test_a_start_by_process_id_uses_the_active_version(org, clock):
    catalog.deploy(org, BPMN, clock, "iso")
    v2 = catalog.deploy(org, BPMN_V2, clock, "iso")
    moved = start_case(org, clock, code=PROCESS_ID)
    assert instance_row(org, moved.instance_id).definition_id == v2.definition_id


def test_redeploying_an_older_xml_makes_it_the_procedure_new_cases_run(org, clock):
    catalog.deploy(org, BPMN, clock, "iso")
    catalog.deploy(org, BPMN_V2, clock, "iso")
    back = catalog.deploy(org, BPMN, clock, "iso")
    moved = start_case(org, clock)
    assert instance_row(org, moved.instance_id).definition_id == back.definition_id
    active = [row for row in _definitions(org) if row[3] == "active"]
    assert [row[0] for row in active] == [back.definition_id]


def test_concurrent_deploys_of_new_versions(org, clock):
    """Several people deploy changed versions at once: distinct versions or a clean conflict, one active."""
    catalog.deploy(org, BPMN, clock, "iso")
    n = 4
    barrier = threading.Barrier(n)

    def hold_before_superseding(conn, cursor, statement, parameters, context, executemany):
        # Everyone has read the current maximum version before anyone writes (PostgreSQL only:
        # SQLite deploys are serialised by BEGIN IMMEDIATE, a barrier there would only wait).
        if statement.lstrip().upper().startswith("UPDATE DEFINITIONS"):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(2)

    outcomes: list = [None] * n

    def run(i: int) -> None:
        try:
            outcomes[i] = catalog.deploy(org, BPMN.replace("Phê duyệt", f"Phê duyệt {i}"), clock, "iso")
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            outcomes[i] = exc

    if not org.is_sqlite:
        event.listen(org.engine, "before_cursor_execute", hold_before_superseding)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        if not org.is_sqlite:
            event.remove(org.engine, "before_cursor_execute", hold_before_superseding)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(e, ConflictError) for e in errors), [repr(e) for e in errors]
    done = [o for o in outcomes if not isinstance(o, Exception)]
    assert done and all(d.created for d in done)
    assert len({d.version for d in done}) == len(done)
    rows = _definitions(org)
    assert len(rows) == 1 + len(done)
    active = [row for row in rows if row[3] == "active"]
    assert len(active) == 1
    assert active[0][2] == max(row[2] for row in rows)
