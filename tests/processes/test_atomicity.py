"""A use case that fails half-way leaves the database exactly as it was, and the next try works."""

from __future__ import annotations

import pytest

import processes.instances
from processes import instances
from processes.schema import instances as instances_table

from .conftest import (
    APPROVE,
    CHECK_OK,
    RECEIVE,
    dump_all,
    history,
    instance_row,
    single_task,
    start_case,
    task_rows,
    verify,
    work,
)


class Injected(RuntimeError):
    """The failure a test injects between the engine step and the commit."""


def _boom(*_args, **_kwargs):
    raise Injected("injected failure")


# Every step of a use case's write path after the workflow has moved in memory.
INJECTION_POINTS = ("append", "sync_tasks", "dump_state")


def _fails_without_a_trace(db, monkeypatch, where: str, action) -> None:
    """Run `action` with `where` in processes.instances raising; the database must not change."""
    before = dump_all(db)
    with monkeypatch.context() as patch:
        patch.setattr(processes.instances, where, _boom)
        with pytest.raises(Injected):
            action()
    after = dump_all(db)
    for table in before:
        assert after[table] == before[table], f"table {table} changed (failure injected at {where})"


def _lock_version(dump: dict, instance_id: int) -> int:
    position = [c.name for c in instances_table.columns].index("lock_version")
    [row] = [r for r in dump["instances"] if r[0] == instance_id]
    return row[position]


def test_failed_completion_changes_nothing_and_can_be_retried(proc, clock, monkeypatch):
    for where in INJECTION_POINTS:
        moved = start_case(proc, clock)
        iid = moved.instance_id
        work(proc, clock, "motcua", RECEIVE, iid)  # the live cache now holds this case's workflow
        task = single_task(proc, "cv.ktht", iid)
        before = dump_all(proc)

        _fails_without_a_trace(proc, monkeypatch, where,
                               lambda task=task: instances.complete(proc, task.id, CHECK_OK, "cv.ktht", clock))

        # The next real completion works on the state as stored (no half-moved workflow kept in memory).
        again = instances.complete(proc, task.id, CHECK_OK, "cv.ktht", clock)
        assert [s.element_id for s in again.opened] == ["Task_PheDuyet"], where
        assert [(r.element_id, r.state) for r in task_rows(proc, iid)] == [
            ("Task_TiepNhan", "completed"), ("Task_ThamDinh", "completed"), ("Task_PheDuyet", "ready")], where
        completes = [e for e in history(proc, iid) if e["lifecycle"] == "complete" and e["activity"] == "Task_ThamDinh"]
        assert len(completes) == 1, where
        assert instance_row(proc, iid).lock_version == _lock_version(before, iid) + 1, where
        assert work(proc, clock, "tp.ktht", APPROVE, iid).status == "completed", where
    assert verify(proc) == []


def test_failure_on_the_last_step_does_not_complete_the_case(proc, clock, monkeypatch):
    for where in INJECTION_POINTS:
        moved = start_case(proc, clock)
        iid = moved.instance_id
        work(proc, clock, "motcua", RECEIVE, iid)
        work(proc, clock, "cv.ktht", CHECK_OK, iid)
        task = single_task(proc, "tp.ktht", iid)

        _fails_without_a_trace(proc, monkeypatch, where,
                               lambda task=task: instances.complete(proc, task.id, APPROVE, "tp.ktht", clock))

        assert instance_row(proc, iid).status == "running", where
        done = instances.complete(proc, task.id, APPROVE, "tp.ktht", clock)
        assert (done.status, done.end_event) == ("completed", "EndEvent_Done"), where
    assert verify(proc) == []


def test_failed_start_stores_nothing_and_uses_no_number(proc, clock, monkeypatch):
    first = start_case(proc, clock)
    for where in (*INJECTION_POINTS, "next_business_key"):
        _fails_without_a_trace(proc, monkeypatch, where, lambda: start_case(proc, clock))
    second = start_case(proc, clock)
    assert (first.business_key, second.business_key) == ("H01-260105-0001", "H01-260105-0002")
    assert verify(proc) == []


def test_failed_cancel_leaves_the_case_running(proc, clock, monkeypatch):
    for where in INJECTION_POINTS:
        moved = start_case(proc, clock)
        iid = moved.instance_id
        work(proc, clock, "motcua", RECEIVE, iid)

        _fails_without_a_trace(proc, monkeypatch, where,
                               lambda iid=iid: instances.cancel(proc, iid, "motcua", clock, "thử"))

        # The workflow in memory was cancelled before the failure: it must not be the one used next.
        done = work(proc, clock, "cv.ktht", CHECK_OK, iid)
        assert [s.element_id for s in done.opened] == ["Task_PheDuyet"], where
    assert verify(proc) == []


def test_failure_after_the_state_is_written_rolls_back_too(proc, clock, monkeypatch):
    """The last statement of the transaction (the instance update) fails: everything before it is undone."""
    moved = start_case(proc, clock)
    iid = moved.instance_id
    task = single_task(proc, "motcua", iid)
    before = dump_all(proc)
    real_dump = processes.instances.dump_state
    calls = []

    def dump_then_break_the_update(workflow):
        calls.append(1)
        text = real_dump(workflow)
        return text + "\x00" if not proc.is_sqlite else None  # NOT NULL (SQLite) / NUL byte (PostgreSQL)

    with monkeypatch.context() as patch:
        patch.setattr(processes.instances, "dump_state", dump_then_break_the_update)
        with pytest.raises(Exception):  # noqa: B017 - the database's own error
            instances.complete(proc, task.id, RECEIVE, "motcua", clock)
    assert calls == [1]
    assert dump_all(proc) == before
    work(proc, clock, "motcua", RECEIVE, iid)
    assert [r.state for r in task_rows(proc, iid)] == ["completed", "ready"]
    assert verify(proc) == []
