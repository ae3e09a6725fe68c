"""States stored by release 0.1.0 load in today's engine and the cases finish; older versions are converted.

tests/fixtures/states/*.json were written by 0.1.0's engine (make_states.py says how): a case stopped
mid-flight, with its BPMN, the steps open, the answers that finish it and the end events 0.1.0 reached.
Each is compiled afresh, as after a restart, so nothing of the writing process survives but the text.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from engine.calendar import default_calendar
from engine.parsing import compile_procedure
from engine.runner import clean_step_data, complete_step, finished_ends, ready_steps
from engine.scripting import RestrictedScriptEngine
from engine.state import STATE_VERSION, STATE_VERSIONS, StateVersionError, dump_state, load_state
from engine.state_versions import StateVersions
from engine.timers import advance_timers

STATES = Path(__file__).resolve().parents[1] / "fixtures" / "states"
FIXTURES = sorted(p.stem for p in STATES.glob("*.json"))
OLD = "quytrinh-0/test"  # a synthetic older version: "tasks" was called "task_map"
OLDER = "quytrinh-00/test"  # older still: the root task id sat under "root_task"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def fixture(name: str) -> dict:
    return json.loads((STATES / f"{name}.json").read_text(encoding="utf-8"))


def finish(case: dict, state: str, versions: StateVersions | None = None) -> list[str]:
    """Load `state` for the fixture's procedure, check the open steps, work it to the end; return its ends."""
    procedure = compile_procedure(case["bpmn"])
    clock = Clock(datetime.fromisoformat(case["clock"]))
    engine = RestrictedScriptEngine(clock=clock, calendar=default_calendar())
    workflow = load_state(state, procedure, engine, versions)
    assert sorted(s.element_id for s in ready_steps(procedure, workflow)) == case["open"]
    if case["fire_timers_at"]:
        clock.at = datetime.fromisoformat(case["fire_timers_at"])
        advance_timers(procedure, workflow)
    for _ in range(40):
        ready = ready_steps(procedure, workflow)
        if not ready:
            break
        step = ready[0]
        data = clean_step_data(procedure, workflow, step.task_id, case["answers"].get(step.element_id, {}))
        complete_step(procedure, workflow, step.task_id, data)
        # and through a save and a load after every step, as the service layer does
        workflow = load_state(dump_state(workflow), procedure, engine)
    assert workflow.is_completed()
    return finished_ends(procedure, workflow)


def test_the_fixtures_cover_a_subprocess_a_multi_instance_step_a_timer_and_the_building_permit():
    assert FIXTURES == ["multi_instance_one_of_three", "subprocess_inside", "timer_waiting", "xd_sent_back",
                        "xd_supplement"]
    assert {fixture(n)["state_version"] for n in FIXTURES} == {STATE_VERSION}


@pytest.mark.parametrize("name", FIXTURES)
def test_a_state_stored_by_0_1_0_loads_and_the_case_finishes_where_0_1_0_finished_it(name):
    case = fixture(name)
    assert finish(case, case["state"]) == case["ends"]


def _as_old(state: str) -> str:
    """The fixture's state as the synthetic older version would have stored it."""
    dct = json.loads(state)
    dct["task_map"] = dct.pop("tasks")
    dct["v"] = OLD
    return json.dumps(dct)


def _old_to_current(dct: dict) -> dict:
    out = dict(dct)
    out["tasks"] = out.pop("task_map")
    return out


def _older_to_old(dct: dict) -> dict:
    out = dict(dct)
    out["root"] = out.pop("root_task")
    return out


CONVERTERS = StateVersions(STATE_VERSION, {OLD: (STATE_VERSION, _old_to_current), OLDER: (OLD, _older_to_old)})


def test_todays_registry_reads_only_the_current_version():
    assert STATE_VERSIONS.current == STATE_VERSION and STATE_VERSIONS.path(STATE_VERSION) == [STATE_VERSION]
    case = fixture("xd_sent_back")
    with pytest.raises(StateVersionError) as caught:
        load_state(_as_old(case["state"]), compile_procedure(case["bpmn"]), RestrictedScriptEngine())
    assert caught.value.version == OLD and "no converter from state version 'quytrinh-0/test'" in caught.value.reason


@pytest.mark.parametrize("name", ["xd_sent_back", "timer_waiting", "multi_instance_one_of_three"])
def test_an_older_state_is_converted_on_load_and_the_case_finishes(name):
    case = fixture(name)
    assert finish(case, _as_old(case["state"]), CONVERTERS) == case["ends"]


def test_converters_run_in_order_from_the_oldest_version():
    case = fixture("subprocess_inside")
    dct = json.loads(_as_old(case["state"]))
    dct["root_task"] = dct.pop("root")
    dct["v"] = OLDER
    assert CONVERTERS.path(OLDER) == [OLDER, OLD, STATE_VERSION]
    assert finish(case, json.dumps(dct), CONVERTERS) == case["ends"]


def test_a_state_the_converter_cannot_take_is_refused_with_the_reason():
    case = fixture("xd_supplement")
    broken = json.loads(case["state"])
    broken["v"] = OLD  # says it is old but has no "task_map"
    with pytest.raises(StateVersionError) as caught:
        load_state(json.dumps(broken), compile_procedure(case["bpmn"]), RestrictedScriptEngine(), CONVERTERS)
    assert caught.value.version == OLD and "task_map" in caught.value.reason


@pytest.mark.parametrize("text,reason", [('{"tasks": {}}', "no version"), ("[1]", "not a JSON object"),
                                         ("{", "not JSON")])
def test_a_state_without_a_version_or_not_json_is_refused(text, reason):
    case = fixture("xd_supplement")
    with pytest.raises(StateVersionError) as caught:
        load_state(text, compile_procedure(case["bpmn"]), RestrictedScriptEngine())
    assert reason in caught.value.reason


def test_a_chain_that_loops_or_ends_nowhere_is_refused_when_the_registry_is_built():
    with pytest.raises(ValueError, match="loop"):
        StateVersions("c", {"a": ("b", _old_to_current), "b": ("a", _old_to_current)})
    with pytest.raises(StateVersionError):
        StateVersions("c", {"a": ("b", _old_to_current)})
