"""Workflow state as JSON, without the spec: the spec comes from the procedure's compiled cache."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from .errors import EngineError
from .procedure import Procedure
from .service_tasks import SERIALIZER_CONFIG_ADDITIONS
from .timers import TIMER_SERIALIZER_CONFIG

STATE_VERSION = f"quytrinh-1/spiff-{VERSION}"


class StateVersionError(EngineError):
    """The stored state was written by a serializer version this engine cannot read."""


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Converts a workflow without its specs; they are given back on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The workflow's runtime state only (tasks, data, subprocesses, events)."""
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
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


def load_state(text: str, procedure: Procedure, script_engine: Any) -> BpmnWorkflow:
    """Rebuild a workflow from stored JSON, the procedure it runs on, and a script engine."""
    dct = json.loads(text)
    version = dct.pop("v", None)
    if version != STATE_VERSION:
        raise StateVersionError(
            f"stored workflow state has version {version!r}; this engine reads {STATE_VERSION!r}"
        )
    workflow = _SERIALIZER.registry.restore(
        dct, spec=procedure.spec, subprocess_specs=procedure.subprocess_specs
    )
    workflow.script_engine = script_engine
    return workflow


def registry() -> Any:
    """The serializer registry states are written with (SpiffWorkflow's diff utilities compare specs with it)."""
    return _SERIALIZER.registry
