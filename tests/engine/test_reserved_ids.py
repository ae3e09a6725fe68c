"""BPMN written by people or other modelers may use ids SpiffWorkflow keeps for itself; they must just work."""

from __future__ import annotations

import pytest

from engine.parsing import compile_procedure
from engine.runner import complete_step, finished_ends, new_workflow, ready_steps
from engine.scripting import RestrictedScriptEngine
from engine.state import dump_state, load_state

DI = """
  <bpmndi:BPMNDiagram id="D1"><bpmndi:BPMNPlane id="PL1" bpmnElement="P">
    <bpmndi:BPMNShape id="S_Start" bpmnElement="Start">
      <dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_End" bpmnElement="End">
      <dc:Bounds x="200" y="80" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_Root" bpmnElement="Root">
      <dc:Bounds x="350" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="E_f1" bpmnElement="f1">
      <di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"""

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="defs" targetNamespace="http://example.org">
  <bpmn:process id="P" name="Ids a person chose" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="End"/>
    <bpmn:userTask id="End" name="Bước tên End"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="End" targetRef="P.EndJoin"/>
    <bpmn:userTask id="P.EndJoin" name="Bước tên EndJoin"/>
    <bpmn:sequenceFlow id="f3" sourceRef="P.EndJoin" targetRef="Root"/>
    <bpmn:endEvent id="Root" name="Kết thúc"/>
  </bpmn:process>{di}
</bpmn:definitions>"""


@pytest.mark.parametrize("diagram", [DI, ""], ids=["with-DI", "without-DI"])
def test_reserved_ids_deploy_and_run_under_their_own_names(diagram):
    proc = compile_procedure(MODEL.replace("{di}", diagram))
    engine = RestrictedScriptEngine(handlers={})
    wf, _ = new_workflow(proc, {}, engine)
    seen = []
    while not wf.is_completed():
        wf = load_state(dump_state(wf), proc, engine)  # and across a save/restore
        [step] = ready_steps(proc, wf)
        seen.append((step.element_id, step.name))
        complete_step(proc, wf, step.task_id, {})
    assert seen == [("End", "Bước tên End"), ("P.EndJoin", "Bước tên EndJoin")]
    assert finished_ends(proc, wf) == ["Root"]
