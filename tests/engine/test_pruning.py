"""Pruning the task tree (engine/pruning.py): a long case costs and weighs what a short one does, and the
engine still finds what joins, loops and later steps need."""

from __future__ import annotations

from pathlib import Path

from engine import pruning
from engine.parsing import compile_procedure
from engine.runner import clean_step_data, complete_step, finished_ends, new_workflow, ready_steps
from engine.scripting import RestrictedScriptEngine
from engine.state import dump_state, load_state
from tests.xd_data import APPLICANT, XD_RECEPTION, XD_STEPS

ROOT = Path(__file__).resolve().parents[2]
ENGINE = RestrictedScriptEngine()

# Three parallel steps joined, then "again?" loops back to the split: a join in a loop, branches in any order.
PARALLEL_LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="a"/>
    <bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="b"/>
    <bpmn:sequenceFlow id="fc" sourceRef="split" targetRef="c"/>
    <bpmn:userTask id="a" name="A"/>
    <bpmn:userTask id="b" name="B"/>
    <bpmn:userTask id="c" name="C"/>
    <bpmn:sequenceFlow id="ja" sourceRef="a" targetRef="join"/>
    <bpmn:sequenceFlow id="jb" sourceRef="b" targetRef="join"/>
    <bpmn:sequenceFlow id="jc" sourceRef="c" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="again"/>
    <bpmn:exclusiveGateway id="again" default="done"/>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="split">
      <bpmn:conditionExpression>round &lt; 40</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="again" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_case_sent_back_600_times_still_has_its_next_step_and_a_small_tree():
    # Unpruned, the tree deepens by two tasks per completion and SpiffWorkflow stops looking at depth 1000.
    from processes.handlers import registered

    proc = compile_procedure((ROOT / "bpmn" / "QT-XD-01.bpmn").read_bytes(), registered())
    engine = RestrictedScriptEngine(handlers=registered())
    answers = {**XD_STEPS, "Task_TiepNhan": {**APPLICANT, **XD_RECEPTION}}
    answers["Task_XemXet"] = {"ket_qua_xem_xet": "tra_lai", "y_kien_lanh_dao_phong": "Cần thẩm định lại"}
    wf, _ = new_workflow(proc, {}, engine)
    sizes = []
    for _ in range(601):
        [step] = ready_steps(proc, wf)
        complete_step(proc, wf, step.task_id, clean_step_data(proc, wf, step.task_id, answers[step.element_id]))
        sizes.append(len(wf.tasks))
    assert [s.element_id for s in ready_steps(proc, wf)] == ["Task_ThamDinh"]
    assert max(sizes[10:]) <= 12
    # The pruned state reads back and the case goes on.
    wf = load_state(dump_state(wf), proc, engine)
    assert [s.element_id for s in ready_steps(proc, wf)] == ["Task_ThamDinh"]


def test_a_join_in_a_loop_waits_for_every_branch_each_round_whatever_the_order():
    proc = compile_procedure(PARALLEL_LOOP)
    wf, _ = new_workflow(proc, {"round": 0}, ENGINE)
    orders = [("a", "b", "c"), ("c", "b", "a"), ("b", "c", "a"), ("c", "a", "b")]
    for turn in range(40):
        order = orders[turn % len(orders)]
        if turn % 3 == 0:
            wf = load_state(dump_state(wf), proc, ENGINE)
        for done, element in enumerate(order):
            ready = {s.element_id: s for s in ready_steps(proc, wf)}
            # The join waits: the branches not yet done are still offered, no new round has started.
            assert sorted(ready) == sorted(order[done:]), (turn, element)
            complete_step(proc, wf, ready[element].task_id, {"round": turn + 1})
        assert len(wf.tasks) < 40
    assert wf.completed and finished_ends(proc, wf) == ["end"]


def test_the_steps_passed_and_ends_reached_outlive_their_tasks():
    proc = compile_procedure(PARALLEL_LOOP)
    wf, _ = new_workflow(proc, {"round": 0}, ENGINE)
    for turn in range(3):
        for element in ("a", "b", "c"):
            ready = {s.element_id: s for s in ready_steps(proc, wf)}
            complete_step(proc, wf, ready[element].task_id, {"round": turn + 1})
    restored = load_state(dump_state(wf), proc, ENGINE)
    assert {"a", "b", "c", "split", "join"} <= pruning.passed(restored)
