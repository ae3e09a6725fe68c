"""Issue 12 defect 3: checking a model is for those who edit procedures, and a model too large to check is
refused at once with a Vietnamese message instead of costing the server seconds of CPU per request."""

from __future__ import annotations

import time

import pytest

from engine.xml import MAX_BPMN_IDS


def _chain(tasks: int) -> str:
    """A valid-looking process of `tasks` user tasks in a row (the probe's 20,000-task model, smaller)."""
    parts = ['<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
             'id="D"><bpmn:process id="QT-XX-01" isExecutable="true"><bpmn:startEvent id="s"/>']
    before = "s"
    for i in range(tasks):
        parts.append(f'<bpmn:userTask id="t{i}"/><bpmn:sequenceFlow id="f{i}" sourceRef="{before}" '
                     f'targetRef="t{i}"/>')
        before = f"t{i}"
    parts.append(f'<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="fe" sourceRef="{before}" targetRef="e"/>'
                 '</bpmn:process></bpmn:definitions>')
    return "".join(parts)


@pytest.mark.parametrize("username", ["cv.ktht", "tp.ktht", "motcua", "pct"])
def test_only_procedure_editors_may_validate(user, username):
    answer = user(username).post("/api/procedures/validate", json={"xml": _chain(2)})
    assert answer.status_code == 403


def test_a_quality_manager_validates(user):
    answer = user("iso").post("/api/procedures/validate", json={"xml": _chain(2)})
    assert answer.status_code == 200
    assert isinstance(answer.get_json()["problems"], list)


def test_a_huge_model_is_refused_quickly_in_vietnamese(user):
    started = time.monotonic()
    answer = user("iso").post("/api/procedures/validate", json={"xml": _chain(MAX_BPMN_IDS)})
    assert answer.status_code == 413
    assert "phần tử" in answer.get_json()["error"]
    assert time.monotonic() - started < 5


def test_an_oversized_body_is_413(user):
    answer = user("iso").post("/api/procedures/validate", json={"xml": "<x/>" + " " * (11 * 1024 * 1024)})
    assert answer.status_code == 413
