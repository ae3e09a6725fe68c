"""Stepping workflows: create, run to a wait state, list ready steps, complete a step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task, TaskState

from . import expressions, form_rules, pruning
from .errors import StepFailed, TaskNotReady
from .forms import Form, validate_free_data
from .procedure import Procedure


@dataclass(frozen=True)
class AutoStep:
    """Something the engine did by itself while advancing (an event, a service call)."""

    element_id: str
    name: str
    kind: str


_LOGGED_KINDS = ("ServiceTask", "EndEvent", "StartEvent", "BoundaryEvent", "IntermediateCatchEvent",
                 "IntermediateThrowEvent", "SendTask", "ReceiveTask", "CallActivity")


@dataclass(frozen=True)
class ReadyStep:
    """A human step waiting for someone: what the inbox and the task page need."""

    task_id: UUID
    element_id: str
    spec_name: str
    name: str
    roles: tuple[str, ...]
    lane: str | None
    assignee: str | None
    due: str | None
    form: Form | None


def new_workflow(
    procedure: Procedure, data: dict[str, Any], script_engine: Any,
) -> tuple[BpmnWorkflow, list[AutoStep]]:
    """Create an instance with start data, run it to its first wait state; say what ran by itself."""
    workflow = BpmnWorkflow(procedure.spec, procedure.subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data = dict(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return workflow, advance(procedure, workflow)


def advance(procedure: Procedure, workflow: BpmnWorkflow) -> list[AutoStep]:
    """Run engine steps until only humans, timers or messages can move the workflow on."""
    done: list[AutoStep] = []

    def record(task: Task) -> None:
        kind = type(task.task_spec).__name__
        if kind in _LOGGED_KINDS or kind.endswith(("ServiceTask", "Event")) and task.task_spec.bpmn_id:
            spec_name = task.task_spec.name
            done.append(AutoStep(procedure.element_id(spec_name), task.task_spec.bpmn_name or "", kind))

    try:
        workflow.do_engine_steps(did_complete_task=record)
    except SpiffWorkflowException as exc:
        raise StepFailed(_reason(exc), _element_of(procedure, exc)) from None
    # The next step must not cost more because of the ones before it (engine/pruning.py says why).
    pruning.prune(workflow)
    return done


def ready_steps(procedure: Procedure, workflow: BpmnWorkflow) -> list[ReadyStep]:
    """The human steps that are ready now, in the order the engine yields them."""
    return [_ready_step(procedure, t) for t in workflow.get_tasks(state=TaskState.READY, manual=True)]


def _step_of(procedure: Procedure, task_spec: Any):
    # Multi-instance children are named "<id> [child]"; their BPMN id finds the step.
    return procedure.steps.get(task_spec.name) or procedure.steps.get(getattr(task_spec, "bpmn_id", None) or "")


def _ready_step(procedure: Procedure, task: Task) -> ReadyStep:
    spec_name = task.task_spec.name
    step = _step_of(procedure, task.task_spec)
    lane = getattr(task.task_spec, "lane", None)
    return ReadyStep(
        task_id=task.id,
        element_id=step.element_id if step else procedure.element_id(task.task_spec.bpmn_id or spec_name),
        spec_name=spec_name,
        name=step.name if step else (task.task_spec.bpmn_name or spec_name),
        roles=step.roles if step else ((lane,) if lane else ()),
        lane=step.lane if step else lane,
        assignee=resolve_assignee(step.assignee if step else None, task.data),
        due=step.due if step else None,
        form=step.form if step else None,
    )


def resolve_assignee(text: str | None, data: dict[str, Any]) -> str | None:
    """A literal assignee, or the value of a `${var}` expression over the task data."""
    if not text:
        return None
    if "${" not in text and "#{" not in text:
        return text
    try:
        value = expressions.evaluate(text, data)
    except expressions.ExpressionError:
        return None
    return str(value) if value not in (None, "") else None


def needs_case_facts(procedure: Procedure, workflow: BpmnWorkflow, task_id: UUID) -> bool:
    """Whether the step's form compares a date with a case fact (received, notified, today)."""
    step = _step_of(procedure, ready_task(workflow, task_id).task_spec)
    return step is not None and step.form is not None and form_rules.needs_facts(step.form.fields)


def clean_step_data(procedure: Procedure, workflow: BpmnWorkflow, task_id: UUID, data: Any,
                    facts: dict[str, Any] | None = None) -> dict:
    """Validate completion data against the step's form (or the free-data rules).

    The form's conditional rules see the case data so far and the case `facts` (form_rules.FACTS).
    """
    task = ready_task(workflow, task_id)
    step = _step_of(procedure, task.task_spec)
    if step is not None and step.form is not None:
        return step.form.validate(data, {**task.data, **(facts or {})})
    return validate_free_data(data)


def form_field_ids(procedure: Procedure, workflow: BpmnWorkflow, task_id: UUID) -> list[str]:
    """The ids of the ready step's form fields ([] for a step without a form)."""
    step = _step_of(procedure, ready_task(workflow, task_id).task_spec)
    return [f.id for f in step.form.fields] if step is not None and step.form is not None else []


def ready_task(workflow: BpmnWorkflow, task_id: UUID) -> Task:
    """The ready human task with this id, or TaskNotReady."""
    try:
        task = workflow.get_task_from_id(task_id)
    except (WorkflowException, KeyError):
        raise TaskNotReady(f"task {task_id} does not belong to this instance") from None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        state = TaskState.get_name(task.state) if task is not None else "unknown"
        raise TaskNotReady(f"task {task_id} is not ready (state {state})")
    return task


def complete_step(procedure: Procedure, workflow: BpmnWorkflow, task_id: UUID, data: dict) -> list[AutoStep]:
    """Complete a ready human step with already-cleaned data and advance the workflow."""
    task = ready_task(workflow, task_id)
    task.set_data(**data)
    try:
        task.run()
    except SpiffWorkflowException as exc:
        raise StepFailed(_reason(exc), _element_of(procedure, exc)) from None
    return advance(procedure, workflow)


def finished_ends(procedure: Procedure, workflow: BpmnWorkflow) -> list[str]:
    """Element ids of the end events the workflow has completed, in completion order."""
    ends = [(t.last_state_change, t.task_spec.name) for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if isinstance(t.task_spec, EndEvent)]
    ends.extend((when, name) for name, when in pruning.history(workflow).ends.items())
    ends.sort(key=lambda end: end[0])
    return [procedure.element_id(name) for _, name in ends]


def _element_of(procedure: Procedure, exc: Exception) -> str | None:
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    return procedure.element_id(spec.name) if spec is not None else None


def _reason(exc: Exception) -> str:
    # SpiffWorkflow wraps the real cause; show the innermost message a modeller can act on.
    cause = getattr(exc, "error", None) or exc.__cause__ or exc
    text = str(getattr(exc, "message", "") or exc)
    if cause is not exc and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text.splitlines()[0] if text else type(exc).__name__
