"""Many people acting at once: one winner per step, no lost or doubled work, distinct dossier codes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event

from processes import instances, tasks
from processes.errors import ConflictError, PermissionDenied

from .conftest import (
    CHECK_OK,
    RECEIVE,
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


def race(n: int, action: Callable[[int], Any], timeout: float = 60) -> list[tuple[str, Any]]:
    """Run `action(i)` in n threads released together; return ("ok", result) or ("error", exc) each."""
    barrier = threading.Barrier(n)
    results: list[tuple[str, Any]] = [("missing", None)] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout)
            results[i] = ("ok", action(i))
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = ("error", exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread is still running (deadlock?)"
    return results


def test_twenty_people_completing_the_same_step_one_wins(proc, clock):
    moved = start_case(proc, clock)
    iid = moved.instance_id
    task = single_task(proc, "motcua", iid)
    users = ["motcua", "motcua2"] * 10

    results = race(20, lambda i: instances.complete(proc, task.id, dict(RECEIVE, ho_ten=f"Người {i}"),
                                                    users[i], clock))

    kinds = Counter(kind for kind, _ in results)
    assert kinds == {"ok": 1, "error": 19}, results
    errors = [value for kind, value in results if kind == "error"]
    assert all(isinstance(e, ConflictError) for e in errors), [repr(e) for e in errors]
    winner = next(value for kind, value in results if kind == "ok")
    assert [s.element_id for s in winner.opened] == ["Task_ThamDinh"]

    # The next step exists exactly once, in the database and in the inbox.
    rows = task_rows(proc, iid)
    assert [(r.element_id, r.state) for r in rows] == [("Task_TiepNhan", "completed"), ("Task_ThamDinh", "ready")]
    assert [t.element_id for t in open_tasks_of(proc, "cv.ktht", iid)] == ["Task_ThamDinh"]
    completes = [e for e in history(proc, iid) if e["lifecycle"] == "complete" and e["activity"] == "Task_TiepNhan"]
    assert len(completes) == 1
    assert completes[0]["payload"]["data"]["ho_ten"] == f"Người {results.index(('ok', winner))}"
    assert completes[0]["actor"] == rows[0].completed_by
    assert instance_row(proc, iid).lock_version == 3
    assert verify(proc) == []

    # The stored state loads in a fresh process (new caches) and the case runs to the end.
    proc.live.clear()
    proc.procedures.clear()
    work(proc, clock, "cv.ktht", CHECK_OK, iid)
    assert work(proc, clock, "tp.ktht", {"quyet_dinh": "duyet"}, iid).status == "completed"
    assert verify(proc) == []


def test_claim_race_has_one_winner(proc, clock):
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    task = single_task(proc, "cv.ktht", moved.instance_id)
    users = ["cv.ktht", "cv.ktht2"] * 4

    results = race(8, lambda i: tasks.claim(proc, task.id, users[i], clock))

    winners = {users[i] for i, (kind, _) in enumerate(results) if kind == "ok"}
    assert len(winners) == 1, results
    losers = [v for (kind, v), u in zip(results, users, strict=True) if kind == "error"]
    assert all(isinstance(e, ConflictError) for e in losers), [repr(e) for e in losers]
    [row] = [r for r in task_rows(proc, moved.instance_id) if r.task_uuid == task.id]
    assert (row.state, row.assignee) == ("claimed", winners.pop())
    assert verify(proc) == []


def test_ten_claims_at_once_by_the_same_user_write_one_claim(proc, clock):
    """Issue 12 defect 8: ten concurrent claims of one step by its user all succeed and write one claim event."""
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    task = single_task(proc, "cv.ktht", moved.instance_id)

    results = race(10, lambda i: tasks.claim(proc, task.id, "cv.ktht", clock))

    assert [kind for kind, _ in results] == ["ok"] * 10, results
    assert [e["lifecycle"] for e in history(proc, moved.instance_id)].count("claim") == 1
    [row] = [r for r in task_rows(proc, moved.instance_id) if r.task_uuid == task.id]
    assert (row.state, row.assignee) == ("claimed", "cv.ktht")
    assert verify(proc) == []


def test_eight_people_working_eight_cases_end_to_end(proc, clock):
    started = [start_case(proc, clock, actor="motcua" if i % 2 else "motcua2") for i in range(8)]

    results = race(8, lambda i: run_to_end(proc, clock, started[i].instance_id))

    assert [kind for kind, _ in results] == ["ok"] * 8, results
    for moved in started:
        row = instance_row(proc, moved.instance_id)
        assert (row.status, row.end_event) == ("completed", "EndEvent_Done")
        assert [r.state for r in task_rows(proc, moved.instance_id)] == ["completed"] * 3
    assert verify(proc) == []


def test_concurrent_starts_get_distinct_dossier_codes(proc, clock):
    results = race(12, lambda i: start_case(proc, clock, actor="motcua" if i % 2 else "motcua2"))

    assert [kind for kind, _ in results] == ["ok"] * 12, results
    keys = sorted(moved.business_key for _, moved in results)
    assert keys == [f"H01-260105-{n:04d}" for n in range(1, 13)]
    assert len(open_tasks_of(proc, "motcua")) == 12
    assert verify(proc) == []


# --- PostgreSQL row locks: every use case must take them in the same order -----------------


def _interleave(db, first: Callable[[], Any], second: Callable[[], Any], first_pauses_before: str):
    """Run `first` until it is about to execute a statement starting with `first_pauses_before` (it
    holds its locks by then), start `second`, let it reach its locking query and block, then go on."""
    first_holds, second_locking = threading.Event(), threading.Event()
    roles = threading.local()

    def hook(conn, cursor, statement, parameters, context, executemany):
        role = getattr(roles, "name", None)
        if role == "first" and statement.lstrip().upper().startswith(first_pauses_before):
            first_holds.set()
            second_locking.wait(5)
            time.sleep(0.3)  # let the second transaction block on the lock
        elif role == "second" and "FOR UPDATE" in statement.upper():
            second_locking.set()

    results: dict[str, tuple[str, Any]] = {}

    def run(name: str, action: Callable[[], Any]) -> None:
        roles.name = name
        try:
            results[name] = ("ok", action())
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[name] = ("error", exc)

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        one = threading.Thread(target=run, args=("first", first))
        one.start()
        assert first_holds.wait(10), "the first use case never reached the statement"
        two = threading.Thread(target=run, args=("second", second))
        two.start()
        one.join(30)
        two.join(30)
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)
    return results["first"], results["second"]


def test_claim_and_complete_at_once_do_not_deadlock(proc, clock):
    if proc.is_sqlite:
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE; no row locks to order")
    moved = start_case(proc, clock)
    task = single_task(proc, "motcua", moved.instance_id)

    claim, complete = _interleave(
        proc, lambda: tasks.claim(proc, task.id, "motcua2", clock),
        lambda: instances.complete(proc, task.id, RECEIVE, "motcua", clock), "UPDATE HUMAN_TASKS")

    assert claim == ("ok", None)
    assert complete[0] == "error" and isinstance(complete[1], ConflictError | PermissionDenied), complete
    assert verify(proc) == []


def test_cancel_and_complete_at_once_do_not_deadlock(proc, clock):
    if proc.is_sqlite:
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE; no row locks to order")
    moved = start_case(proc, clock)
    task = single_task(proc, "motcua", moved.instance_id)

    cancel, complete = _interleave(
        proc, lambda: instances.cancel(proc, moved.instance_id, "motcua", clock, "rút hồ sơ"),
        lambda: instances.complete(proc, task.id, RECEIVE, "motcua", clock), "UPDATE HUMAN_TASKS")

    assert cancel == ("ok", None)
    assert complete[0] == "error" and isinstance(complete[1], ConflictError), complete
    assert instance_row(proc, moved.instance_id).status == "cancelled"
    assert verify(proc) == []
