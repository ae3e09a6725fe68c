"""Camunda serviceTask support: a task spec that calls ``script_engine.call_service``.

SpiffWorkflow 3.2.0's CamundaParser has no serviceTask entry, so the base BpmnParser maps it to
``bpmn.parser.TaskParser`` + ``bpmn.specs.defaults.ServiceTask``: ``camunda:topic`` is ignored,
the spec's ``_execute`` is a no-op returning None, so the task is left STARTED forever without
calling the script engine, and DEFAULT_CONFIG/CAMUNDA_CONFIG have no converter for it (serialising
fails with "Object of type ServiceTask is not JSON serializable").  This module replaces all three.

Register with a CamundaParser subclass and the serializer:
    OVERRIDE_PARSER_CLASSES[full_tag("serviceTask")] = SERVICE_TASK_PARSER
    BpmnWorkflowSerializer.configure({**CAMUNDA_CONFIG, **SERIALIZER_CONFIG_ADDITIONS})
"""

from __future__ import annotations

import re
from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import SendTaskParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import SendTask, ServiceTask
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser

from .errors import CodedValueError

# camunda:delegateExpression="${gui_sms}" names a bean; we read the bare identifier as the handler.
_DELEGATE = re.compile(r"[$#]\{\s*([A-Za-z_]\w*)\s*\}")
_HANDLER_ATTRIBUTES = ("topic", "class", "delegateExpression")


class HandlerServiceTask(ServiceTask):
    """A serviceTask that runs the quytrinh handler registered under ``handler``."""

    def __init__(self, wf_spec: Any, bpmn_id: str, handler: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler

    def _execute(self, task: Any) -> bool:
        # The engine merges the handler's result into task.data and raises WorkflowTaskException
        # on failure, which SpiffWorkflow turns into an ERROR state on this task.
        task.workflow.script_engine.call_service(task, topic=self.handler)
        return True


class HandlerServiceTaskParser(CamundaTaskParser):
    """Reads the handler name from camunda:topic, camunda:class or camunda:delegateExpression."""

    def create_task(self) -> HandlerServiceTask:
        """Build the spec; a service task without a handler name is a validation error."""
        return self.spec_class(self.spec, self.bpmn_id, handler=self.handler_name(), **self.bpmn_attributes)

    def handler_name(self) -> str:
        """The handler name written on the element."""
        try:
            return handler_name_of(self.node)
        except ValueError as exc:
            raise self._invalid(str(exc)) from None

    def _invalid(self, message: str) -> ValidationException:
        return ValidationException(message, node=self.node, file_name=self.filename)


def handler_name_of(node) -> str:
    """The handler a serviceTask element names (topic, class or ${delegate}); ValueError says why not."""
    if node.get(f"{{{CAMUNDA_MODEL_NS}}}expression") is not None:
        raise CodedValueError("service_expression_not_supported")
    for attribute in _HANDLER_ATTRIBUTES:
        value = (node.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}") or "").strip()
        if attribute == "delegateExpression" and value:
            match = _DELEGATE.fullmatch(value)
            if match is None:
                raise CodedValueError("bad_delegate_expression", value=value)
            value = match.group(1)
        if value:
            return value
    raise CodedValueError("service_without_handler")


class HandlerServiceTaskConverter(BpmnTaskSpecConverter):
    """Serialises HandlerServiceTask: the default attributes plus the handler name."""

    def to_dict(self, spec: HandlerServiceTask) -> dict[str, Any]:
        """The spec as a JSON-ready dict."""
        dct = self.get_default_attributes(spec)
        dct["handler"] = spec.handler
        return dct


class HandlerSendTaskParser(SendTaskParser):
    """A sendTask naming a handler (Camunda 7's external send task) calls it; otherwise it sends a message."""

    def create_task(self) -> Any:
        """A HandlerServiceTask when a handler is named, else SpiffWorkflow's message-sending task."""
        if not any(self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{a}") for a in (*_HANDLER_ATTRIBUTES, "expression")):
            return super().create_task()
        try:
            handler = handler_name_of(self.node)
        except ValueError as exc:
            raise ValidationException(str(exc), node=self.node, file_name=self.filename) from None
        return HandlerServiceTask(self.spec, self.bpmn_id, handler=handler, **self.bpmn_attributes)


SERVICE_TASK_PARSER = (HandlerServiceTaskParser, HandlerServiceTask)
SEND_TASK_PARSER = (HandlerSendTaskParser, SendTask)
SERIALIZER_CONFIG_ADDITIONS = {HandlerServiceTask: HandlerServiceTaskConverter}
