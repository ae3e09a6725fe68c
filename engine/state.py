"""Workflow state as JSON, without the spec: the spec comes from the procedure's compiled cache."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from .procedure import Procedure
from .pruning import PrunedHistory, history
from .service_tasks import SERIALIZER_CONFIG_ADDITIONS
from .state_versions import StateVersionError, StateVersions, converters
from .timers import TIMER_SERIALIZER_CONFIG

STATE_VERSION = f"quytrinh-1/spiff-{VERSION}"
# Older states are converted on load (engine/state_versions.py says why and how to add a converter).
STATE_VERSIONS = converters(STATE_VERSION)

__all__ = ["STATE_VERSION", "STATE_VERSIONS", "StateVersionError", "dump_state", "load_state", "registry",
           "state_version"]


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Converts a workflow without its specs; they are given back on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The workflow's runtime state only (tasks, data, subprocesses, events)."""
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        pruned = history(workflow)
        if pruned.ends or pruned.passed:
            dct["pruned"] = pruned.to_dict()
        return dct

    def from_dict(self, dct: dict[str, Any], spec=None, subprocess_specs=None) -> BpmnWorkflow:
        """Rebuild a workflow from runtime state and the procedure's specs."""
        dct = dict(dct)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        # States written before pruning (or never pruned) have no summary: their tree still holds everything.
        workflow.pruned_history = PrunedHistory.from_dict(dct.get("pruned"))
        return workflow


def _uuid(text: str):
    from uuid import UUID

    return UUID(text)


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(CAMUNDA_CONFIG)
    config.update(SERIALIZER_CONFIG_ADDITIONS)
    config.update(TIMER_SERIALIZER_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialise a workflow's runtime state to JSON text."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
    finally:
        registry._encoder_mode = False
    dct["v"] = STATE_VERSION
    return json.dumps(dct, separators=(",", ":"), ensure_ascii=False, cls=_SERIALIZER._encoder_cls)


def state_version(text: str) -> str | None:
    """The version a stored state was written with (None when it has none or is not a JSON object)."""
    try:
        dct = json.loads(text)
    except ValueError:
        return None
    version = dct.get("v") if isinstance(dct, dict) else None
    return version if isinstance(version, str) else None


def load_state(text: str, procedure: Procedure, script_engine: Any,
               versions: StateVersions | None = None) -> BpmnWorkflow:
    """Rebuild a workflow from stored JSON, the procedure it runs on, and a script engine.

    A state of an older version is converted first (`versions`, default this release's converters);
    StateVersionError says why a state cannot be read.
    """
    versions = versions or STATE_VERSIONS
    try:
        dct = json.loads(text)
    except ValueError as exc:
        raise StateVersionError(f"stored workflow state is not JSON: {exc}", reason="not JSON") from exc
    if not isinstance(dct, dict):
        raise StateVersionError("stored workflow state is not a JSON object", reason="not a JSON object")
    version = dct.pop("v", None)
    converted = version != versions.current
    if converted:
        dct = versions.upgrade(dct, version)
    try:
        workflow = _SERIALIZER.registry.restore(dct, spec=procedure.spec, subprocess_specs=procedure.subprocess_specs)
    except Exception as exc:
        if not converted:  # a current state that does not restore is a bug, not a case for the administrator
            raise
        raise StateVersionError(f"stored workflow state of version {version!r} was converted but does not "
                                f"restore: {exc!r}", version=version, reason=f"restore failed: {exc!r}") from exc
    _connect_loop_children(procedure)
    workflow.script_engine = script_engine
    return workflow


def _connect_loop_children(procedure: Procedure) -> None:
    """Hook each multi-instance step's child spec to its parent, as SpiffWorkflow does when it makes a child.

    SpiffWorkflow connects a loop's merge_child to the child spec's completed_event only when it creates a
    child: a procedure compiled afresh (a new process, a cleared cache) that restores a case whose children
    already exist never gets the hook, and the parent step waits forever after its last child completes.
    """
    for spec in (procedure.spec, *procedure.subprocess_specs.values()):
        for task_spec in list(spec.task_specs.values()):
            if isinstance(task_spec, LoopTask) and isinstance(task_spec.task_spec, str):
                child = spec.task_specs.get(task_spec.task_spec)
                if child is not None and not child.completed_event.is_connected(task_spec.merge_child):
                    child.completed_event.connect(task_spec.merge_child)


def registry() -> Any:
    """The serializer registry states are written with (SpiffWorkflow's diff utilities compare specs with it)."""
    return _SERIALIZER.registry
