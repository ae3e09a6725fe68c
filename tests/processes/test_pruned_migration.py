"""A migration still refuses a version that removed a step the case passed long ago, after pruning took
that step's task out of the workflow's tree (engine/pruning.py keeps the steps passed in a summary)."""

from __future__ import annotations

from engine.parsing import compile_procedure
from engine.runner import complete_step, new_workflow, ready_steps
from engine.scripting import RestrictedScriptEngine
from processes.migration import check_case


def _model(steps: list[str]) -> bytes:
    flow = ["start", *steps, "end"]
    tasks = "".join(f'<bpmn:userTask id="{s}" name="Bước {s}"/>' for s in steps)
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(flow, flow[1:], strict=False)))
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
            f'<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>{tasks}'
            f'<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>').encode()


def test_a_step_passed_and_pruned_still_blocks_a_version_that_removed_it():
    old, new = compile_procedure(_model(["x", "z", "y"])), compile_procedure(_model(["z", "y"]))
    engine = RestrictedScriptEngine()
    wf, _ = new_workflow(old, {}, engine)
    for _ in range(2):  # x, then z: the case waits at y, and x's task is no longer in the tree
        [step] = ready_steps(old, wf)
        complete_step(old, wf, step.task_id, {})
    assert [s.element_id for s in ready_steps(old, wf)] == ["y"]
    assert not [t for t in wf.tasks.values() if t.task_spec.name == "x"]
    reasons, moved = check_case(old, new, wf, {}, 2)
    assert moved is None
    assert [str(r) for r in reasons] == ["it has passed 'Bước x', which version 2 removed: its history would not fit"]
    assert [r.as_dict() for r in reasons] == [{"code": "move_passed_removed",
                                               "params": {"step": "Bước x", "target": 2}}]
