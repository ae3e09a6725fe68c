"""The event log's hash chain: a normal run verifies; any edit, deletion or insertion is found."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, insert, select, update

from processes import eventlog, tasks
from processes.schema import events
from processes.schema import instances as instances_table

from .conftest import APPROVE, CHECK_OK, RECEIVE, SEND_BACK, history, run_to_end, single_task, start_case, verify, work


@pytest.fixture
def two_cases(proc, clock):
    """Two cases: one worked to the end (with a send-back, a claim), one still running."""
    first = start_case(proc, clock)
    a = first.instance_id
    work(proc, clock, "motcua", RECEIVE, a)
    tasks.claim(proc, single_task(proc, "cv.ktht", a).id, "cv.ktht", clock)
    work(proc, clock, "cv.ktht", CHECK_OK, a)
    work(proc, clock, "tp.ktht", SEND_BACK, a)
    work(proc, clock, "cv.ktht2", CHECK_OK, a)
    work(proc, clock, "tp.ktht", APPROVE, a)
    second = start_case(proc, clock, actor="motcua2")
    b = second.instance_id
    work(proc, clock, "motcua2", RECEIVE, b)
    return a, b


def _row(db, case_id: int, seq: int):
    with db.read() as conn:
        return conn.execute(select(events).where(events.c.case_id == case_id, events.c.seq == seq)).one()


def _tamper(db, statement) -> None:
    with db.write() as conn:
        result = conn.execute(statement)
        assert statement.is_insert or result.rowcount == 1


def _count(db, case_id: int) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(events).where(events.c.case_id == case_id)).scalar_one()


def test_a_normal_run_verifies_clean(proc, two_cases):
    a, b = two_cases
    assert verify(proc) == []
    assert verify(proc, a) == [] and verify(proc, b) == []
    log = history(proc, a)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    assert log[0]["prev_hash"] == eventlog.GENESIS
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(log, log[1:], strict=False))
    with proc.read() as conn:
        head = conn.execute(select(instances_table.c.event_count, instances_table.c.event_head)
                            .where(instances_table.c.id == a)).one()
    assert (head.event_count, head.event_head) == (len(log), log[-1]["hash"])


def test_run_to_end_logs_each_step_once(proc, clock):
    moved = start_case(proc, clock)
    run_to_end(proc, clock, moved.instance_id)
    steps = ("case_start", "schedule", "complete", "case_complete", "withdraw")
    log = [e for e in history(proc, moved.instance_id) if e["lifecycle"] in steps]
    assert [(e["activity"], e["lifecycle"]) for e in log] == [
        ("QT_TEST_01", "case_start"), ("StartEvent_1", "complete"), ("Task_TiepNhan", "schedule"),
        ("Task_TiepNhan", "complete"), ("Task_ThamDinh", "schedule"),
        ("Task_ThamDinh", "complete"), ("Task_PheDuyet", "schedule"),
        ("Task_PheDuyet", "complete"), ("EndEvent_Done", "complete"), ("QT_TEST_01", "case_complete"),
    ]


EDITS = [
    ("payload", lambda row: row.payload.replace("Hồ sơ đầy đủ", "Hồ sơ thiếu")),
    ("actor", lambda row: "cv.ktht2"),
    ("at", lambda row: row.at + dt.timedelta(minutes=5)),
    ("activity", lambda row: "Task_PheDuyet"),
    ("activity_name", lambda row: "Phê duyệt"),
    ("lifecycle", lambda row: "withdraw"),
]


def test_editing_one_column_of_one_row_is_found_at_that_row(proc, two_cases):
    a, b = two_cases
    target = next(e for e in history(proc, a) if e["lifecycle"] == "complete" and e["actor"] == "cv.ktht")
    row = _row(proc, a, target["seq"])
    for column, value in EDITS:
        new = value(row)
        assert new != getattr(row, column)
        _tamper(proc, update(events).where(events.c.id == row.id).values({column: new}))

        found = verify(proc)
        assert [(t.case_id, t.seq) for t in found] == [(a, target["seq"])], column
        assert "edited" in found[0].reason
        assert verify(proc, b) == []

        _tamper(proc, update(events).where(events.c.id == row.id).values({column: getattr(row, column)}))
        assert verify(proc) == [], f"restoring {column} did not restore the chain"


def test_recomputing_the_edited_rows_hash_breaks_the_next_link(proc, two_cases):
    a, _ = two_cases
    seq = next(e["seq"] for e in history(proc, a) if e["lifecycle"] == "complete" and e["actor"] == "motcua")
    row = _row(proc, a, seq)
    payload = row.payload.replace("Nguyễn Văn A", "Trần Văn B")
    assert payload != row.payload
    digest = eventlog.row_hash(a, seq, row.activity, row.activity_name, row.lifecycle, row.actor, row.at, payload,
                               row.prev_hash)
    _tamper(proc, update(events).where(events.c.id == row.id).values(payload=payload, hash=digest))
    found = verify(proc)
    assert [(t.case_id, t.seq) for t in found] == [(a, seq + 1)]
    assert "previous-hash link is broken" in found[0].reason


def test_deleting_a_middle_row_is_found(proc, two_cases):
    a, b = two_cases
    _tamper(proc, delete(events).where(events.c.case_id == a, events.c.seq == 5))
    found = verify(proc)
    assert found, "a deleted row went unnoticed"
    assert {t.case_id for t in found} == {a}
    assert found[0].seq == 5
    assert "row 5 is missing" in found[0].reason


def test_deleting_the_last_row_is_found(proc, two_cases):
    a, b = two_cases
    last = _count(proc, b)
    _tamper(proc, delete(events).where(events.c.case_id == b, events.c.seq == last))
    found = verify(proc)
    assert [(t.case_id, t.seq) for t in found] == [(b, last - 1)]
    assert f"recorded {last} rows" in found[0].reason


def test_deleting_a_whole_case_log_is_found(proc, two_cases):
    a, _ = two_cases
    with proc.write() as conn:
        conn.execute(delete(events).where(events.c.case_id == a))
    found = verify(proc)
    assert [t.case_id for t in found] == [a]


def test_a_forged_row_at_the_end_is_found_even_with_a_correct_hash(proc, two_cases):
    a, b = two_cases
    last = _row(proc, b, _count(proc, b))
    seq = last.seq + 1
    at = last.at + dt.timedelta(minutes=1)
    payload = eventlog.canonical_payload({"task": "forged", "data": {"ket_qua": "dat"}})
    digest = eventlog.row_hash(b, seq, "Task_ThamDinh", "Thẩm định hồ sơ", "complete", "cv.ktht", at, payload,
                               last.hash)
    _tamper(proc, insert(events).values(
        case_id=b, seq=seq, activity="Task_ThamDinh", activity_name="Thẩm định hồ sơ", lifecycle="complete",
        actor="cv.ktht", at=at, payload=payload, prev_hash=last.hash, hash=digest))
    found = verify(proc)
    assert [(t.case_id, t.seq) for t in found] == [(b, seq)]
    assert f"recorded {seq - 1} rows" in found[0].reason


def test_a_forged_row_before_the_first_is_found(proc, two_cases):
    a, _ = two_cases
    first = _row(proc, a, 1)
    _tamper(proc, insert(events).values(
        case_id=a, seq=0, activity="QT_TEST_01", activity_name="", lifecycle="case_start", actor="admin",
        at=first.at, payload="{}", prev_hash=eventlog.GENESIS, hash=first.hash))
    found = verify(proc)
    assert found and {t.case_id for t in found} == {a}


def test_a_row_moved_to_another_case_is_found_in_both(proc, two_cases):
    a, b = two_cases
    last_a = _count(proc, a)
    last_b = _count(proc, b)
    _tamper(proc, update(events).where(events.c.case_id == a, events.c.seq == last_a)
            .values(case_id=b, seq=last_b + 1))
    found = verify(proc)
    assert {t.case_id for t in found} == {a, b}


def test_new_events_after_tampering_do_not_hide_it(proc, clock, two_cases):
    _, b = two_cases
    row = _row(proc, b, 2)
    _tamper(proc, update(events).where(events.c.id == row.id).values(actor="admin"))
    work(proc, clock, "cv.ktht", CHECK_OK, b)
    found = verify(proc)
    assert [(t.case_id, t.seq) for t in found] == [(b, 2)]
