"""A case whose stored state this release cannot read is listed for the administrator with its business key
and the reason (processes.state_check, `quytrinh db check-states`); the officer gets a coded error that says
the case needs the administrator. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from cli.main import main
from engine.state import StateVersionError
from processes import instances, state_check, tasks
from processes.caches import LiveWorkflows
from processes.errors import ConflictError
from processes.schema import instances as instances_table

from .conftest import RECEIVE, current_schema, instance_row, start_case

OLD = "quytrinh-0/spiff-0.9"


def _age(db, instance_id: int, version: str = OLD) -> None:
    """Make a case's stored state look written by a release this one has no converter from."""
    row = instance_row(db, instance_id)
    state = json.loads(row.state)
    state["v"] = version
    with db.write() as conn:
        conn.execute(update(instances_table).where(instances_table.c.id == instance_id)
                     .values(state=json.dumps(state), state_version=version))
    db.live = LiveWorkflows()  # as after a restart: nothing of the case survives but its row


def test_an_unreadable_case_is_listed_with_its_business_key_and_reason_and_the_others_are_not(proc, clock):
    stuck = start_case(proc, clock)
    fine = start_case(proc, clock)
    assert state_check.unreadable_cases(proc) == []
    _age(proc, stuck.instance_id)
    [found] = state_check.unreadable_cases(proc)
    assert (found.instance_id, found.business_key, found.procedure, found.version) == \
        (stuck.instance_id, stuck.business_key, "QT-TEST-01", OLD)
    assert "no converter from state version 'quytrinh-0/spiff-0.9'" in found.reason
    assert fine.instance_id != found.instance_id


def test_the_officer_is_told_the_case_needs_the_administrator(proc, clock):
    stuck = start_case(proc, clock)
    _age(proc, stuck.instance_id)
    [task] = tasks.list_tasks(proc, "motcua", stuck.instance_id)
    with pytest.raises(ConflictError) as raised:
        instances.complete(proc, task.id, RECEIVE, "motcua", clock)
    told = raised.value
    assert told.code == "case_state_unreadable" and told.params["case"] == stuck.business_key
    assert "the administrator must check it" in str(told) and OLD in str(told)
    assert state_check.officer_error(StateVersionError(OLD)).code == "case_state_unreadable"  # reads, elsewhere


def test_check_states_cli_lists_the_case_and_exits_8(proc, clock):
    stuck = start_case(proc, clock)
    schema = current_schema(proc)  # the CLI reaches the test's PostgreSQL schema through libpq's PGOPTIONS
    runner = CliRunner(env={"PGOPTIONS": f"-csearch_path={schema}"} if schema else {})
    url = proc.engine.url.render_as_string(hide_password=False)
    assert runner.invoke(main, ["--database", url, "db", "check-states"]).exit_code == 0
    _age(proc, stuck.instance_id)
    listed = runner.invoke(main, ["--database", url, "db", "check-states", "--json"])
    assert listed.exit_code == 8
    [row] = json.loads(listed.output)
    assert row["business_key"] == stuck.business_key and row["version"] == OLD
