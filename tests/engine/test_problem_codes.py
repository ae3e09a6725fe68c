"""Problem codes: every problem and finding the engine builds names a registered code and fills its text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine import validation
from engine.errors import ModelInvalid, problem
from engine.findings import finding
from engine.lint import lint
from engine.parsing import compile_procedure
from engine.problem_codes import EXTRA_PARAMS, RULE, TEMPLATES, param_names, render, text_key
from processes.view_schemas import FindingSchema

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "engine").glob("*.py")) + [ROOT / "processes" / "lint.py"]
BUILDERS = {"problem", "finding", "CodedValueError", "_bad_form"}
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://t">
  <bpmn:process id="P" name="Thử" isExecutable="true">
    <bpmn:startEvent id="Start_1" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Task_1" />
    <bpmn:userTask id="Task_1" name="Thẩm định hồ sơ" camunda:candidateGroups="mot_cua" {due} />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_1" targetRef="End_1" />
    <bpmn:endEvent id="End_1" />
  </bpmn:process>
</bpmn:definitions>
"""


def _calls() -> list[tuple[str, ast.Call]]:
    """Every call of a problem or finding builder in the engine (and processes/lint.py), with its file."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILDERS:
                found.append((path.name, node))
    return found


def _key_of(call: ast.Call) -> str | None:
    """The literal text key a builder call names (its rule, else its code), None when computed."""
    rule = next((k.value for k in call.keywords if k.arg == RULE), None)
    chosen = rule if rule is not None else (call.args[0] if call.args else None)
    return chosen.value if isinstance(chosen, ast.Constant) else None


def test_every_literal_code_is_registered_and_given_the_params_its_text_uses():
    calls = _calls()
    assert len(calls) > 50
    for name, call in calls:
        key = _key_of(call)
        if key is None:
            continue
        assert key in TEMPLATES, f"{name}:{call.lineno} uses unregistered code {key!r}"
        given = {k.arg for k in call.keywords if k.arg}
        if not any(k.arg is None for k in call.keywords):  # no **params: every name must be passed here
            assert param_names(key) <= given, f"{name}:{call.lineno} misses params for {key!r}"


def test_no_engine_problem_is_built_from_bare_text():
    for path in sorted((ROOT / "engine").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Problem",
                                                                                                   "Finding"):
                at = 0 if node.func.id == "Problem" else 1  # where the message goes
                message = node.args[at] if len(node.args) > at else None
                assert not isinstance(message, ast.Constant | ast.JoinedStr), f"{path.name}:{node.lineno}"


def test_the_unsupported_elements_map_to_registered_codes():
    assert set(validation._UNSUPPORTED.values()) <= set(TEMPLATES)


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_renders_with_its_params(key):
    params = {name: f"<{name}>" for name in param_names(key)}
    text = render(key, params)
    shown = params.keys() - EXTRA_PARAMS.get(key, set())
    assert all(f"<{name}>" in text for name in shown) and "{" not in text.replace("${", "")


def test_a_problem_keeps_its_english_message_and_carries_code_and_params():
    found = problem("missing_time_limit", "Task_1", step="Thẩm định hồ sơ")
    assert found.message == "step 'Thẩm định hồ sơ' has no time limit (camunda:dueDate)"
    assert (found.code, found.params) == ("missing_time_limit", {"step": "Thẩm định hồ sơ"})
    assert hash(found) == hash(problem("missing_time_limit", "Task_1", step="Thẩm định hồ sơ"))
    shaped = finding("bad_form", "Task_1", "warning", rule="bad_form_repeated_value", field="loai")
    assert shaped.message == "enum form field 'loai' repeats a value id"
    assert text_key(shaped.code, shaped.params) == "bad_form_repeated_value"
    assert FindingSchema().dump(shaped)["params"] == {"rule": "bad_form_repeated_value", "field": "loai"}


def test_validator_and_lint_results_carry_codes_and_params():
    missing = [f for f in lint(HEAD.format(due=""), (), {"mot_cua"}) if f.code == "missing_time_limit"]
    assert [(f.element_id, f.params, f.message) for f in missing] == [
        ("Task_1", {"step": "Thẩm định hồ sơ"}, "step 'Thẩm định hồ sơ' has no time limit (camunda:dueDate)")]
    with pytest.raises(ModelInvalid) as bad:
        compile_procedure(HEAD.format(due='camunda:dueDate="P2M"'))
    [found] = bad.value.problems
    assert (found.code, found.params["value"]) == ("bad_due_date", "P2M")
    assert found.message.startswith("time limit camunda:dueDate: invalid duration 'P2M'")
    with pytest.raises(ModelInvalid) as broken:
        compile_procedure("<bpmn:definitions")
    assert broken.value.problems[0].code == "malformed_xml"
    engine = [f for f in lint(HEAD.format(due='camunda:dueDate="P2M"'), ()) if f.code == "engine"]
    assert engine and engine[0].params[RULE] == "bad_due_date" and engine[0].params["value"] == "P2M"
