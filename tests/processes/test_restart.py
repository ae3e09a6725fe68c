"""A case survives process restarts: started in one process, continued in another, finished in a third."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from processes import instances, tasks
from processes.db import Database

from .conftest import (
    APPROVE,
    CHECK_OK,
    CODE,
    RECEIVE,
    current_schema,
    history,
    instance_row,
    single_task,
    start_case,
    task_rows,
    verify,
    work,
)

QUYTRINH = Path(sys.executable).with_name("quytrinh")

# Runs in a fresh interpreter: start a case and do its first step; print what the next step is.
START_AND_RECEIVE = """
import datetime as dt, json, sys
from processes import instances, tasks
from processes.clock import FixedClock
from processes.db import Database

url, schema, code, data = sys.argv[1], sys.argv[2] or None, sys.argv[3], json.loads(sys.argv[4])
db = Database(url, schema=schema)
clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
moved = instances.start(db, code, {}, "motcua", clock)
[task] = tasks.list_tasks(db, user="motcua", instance_id=moved.instance_id)
after = instances.complete(db, task.id, data, "motcua", clock)
print(json.dumps({"instance": moved.instance_id, "key": moved.business_key,
                  "next": [str(s.task_id) for s in after.opened]}))
"""


def _cli_url(db: Database) -> str:
    schema = current_schema(db)
    if schema is None:
        return db.url
    return db.engine.url.render_as_string(hide_password=False) + "?options=" + quote(f"-csearch_path={schema}")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "QUYTRINH_DATABASE_URL"}
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, check=False)


def _python(db: Database, script: str, *args: str) -> dict:
    result = _run([sys.executable, "-c", script, db.url, current_schema(db) or "", *args])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _cli(db: Database, *args: str) -> subprocess.CompletedProcess:
    return _run([str(QUYTRINH), "--database", _cli_url(db), *args])


def test_a_case_continues_across_three_processes(proc, clock):
    # Process 1: start and receive.
    out = _python(proc, START_AND_RECEIVE, CODE, json.dumps(RECEIVE))
    iid = out["instance"]
    assert out["key"] == "H01-260105-0001"
    assert len(out["next"]) == 1

    # Process 2 (this one, with fresh caches): the specialist's step.
    fresh = Database(proc.url, schema=current_schema(proc))
    try:
        task = single_task(fresh, "cv.ktht", iid)
        assert task.id == out["next"][0]
        moved = instances.complete(fresh, task.id, CHECK_OK, "cv.ktht", clock)
        [approve] = [str(s.task_id) for s in moved.opened]
    finally:
        fresh.dispose()

    # Process 3: the leader approves through the command line.
    result = _cli(proc, "complete", approve, "--data", json.dumps(APPROVE), "--as", "tp.ktht", "--json")
    assert result.returncode == 0, result.stderr
    done = json.loads(result.stdout)
    assert (done["status"], done["end_event"], done["opened"]) == ("completed", "EndEvent_Done", [])

    row = instance_row(proc, iid)
    assert (row.status, row.end_event) == ("completed", "EndEvent_Done")
    assert [(r.element_id, r.completed_by) for r in task_rows(proc, iid)] == [
        ("Task_TiepNhan", "motcua"), ("Task_ThamDinh", "cv.ktht"), ("Task_PheDuyet", "tp.ktht")]
    assert [e["actor"] for e in history(proc, iid) if e["lifecycle"] == "complete" and e["actor"]] == [
        "motcua", "cv.ktht", "tp.ktht"]
    assert verify(proc) == []
    check = _cli(proc, "verify-log", "--json")
    assert (check.returncode, json.loads(check.stdout)) == (0, [])


def test_a_stale_in_memory_workflow_is_not_used_after_another_process_moved_the_case(proc, clock):
    moved = start_case(proc, clock)
    iid = moved.instance_id
    work(proc, clock, "motcua", RECEIVE, iid)  # this process now caches the workflow at the step "Thẩm định"

    # Another process does the specialist's step and sends nothing back to this one.
    task = single_task(proc, "cv.ktht", iid)
    result = _cli(proc, "complete", task.id, "--data", json.dumps(CHECK_OK), "--as", "cv.ktht", "--json")
    assert result.returncode == 0, result.stderr

    # This process must read the newer state, not its cached copy.
    done = work(proc, clock, "tp.ktht", {"quyet_dinh": "tra_lai"}, iid)
    assert [s.element_id for s in done.opened] == ["Task_ThamDinh"]
    assert [(r.element_id, r.state) for r in task_rows(proc, iid)] == [
        ("Task_TiepNhan", "completed"), ("Task_ThamDinh", "completed"), ("Task_PheDuyet", "completed"),
        ("Task_ThamDinh", "ready")]
    assert verify(proc) == []


def test_cli_errors_are_clean_and_change_nothing(proc, clock):
    moved = start_case(proc, clock)
    task = single_task(proc, "motcua", moved.instance_id)
    refused = _cli(proc, "complete", task.id, "--data", json.dumps(RECEIVE), "--as", "cv.ktht")
    assert refused.returncode == 4
    assert "cv.ktht may not do 'Tiếp nhận hồ sơ'" in refused.stderr
    assert "Traceback" not in refused.stderr
    invalid = _cli(proc, "complete", task.id, "--data", '{"so_ban": "x"}', "--as", "motcua")
    assert invalid.returncode == 6
    assert "so_ban: must be a whole number" in invalid.stderr
    assert [r.state for r in task_rows(proc, moved.instance_id)] == ["ready"]
    assert tasks.list_tasks(proc, user="motcua")[0].id == task.id


def test_cli_revokes_a_role_and_says_why_it_cannot(proc, clock):
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    task = single_task(proc, "cv.ktht", moved.instance_id)
    tasks.claim(proc, task.id, "cv.ktht", clock)
    busy = _cli(proc, "user", "revoke", "cv.ktht", "--role", "chuyen_vien_ktht", "--unit", "H01.KTHT")
    assert busy.returncode == 5 and "release or reassign them first" in busy.stderr
    tasks.unclaim(proc, task.id, "cv.ktht", clock)
    done = _cli(proc, "user", "revoke", "cv.ktht", "--role", "chuyen_vien_ktht", "--unit", "H01.KTHT", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"user": "cv.ktht", "role": "chuyen_vien_ktht", "unit": "H01.KTHT",
                                       "revoked": True}
    assert tasks.list_tasks(proc, user="cv.ktht", instance_id=moved.instance_id) == []
    again = _cli(proc, "user", "revoke", "cv.ktht", "--role", "chuyen_vien_ktht", "--unit", "H01.KTHT")
    assert again.returncode == 3 and "does not hold" in again.stderr
