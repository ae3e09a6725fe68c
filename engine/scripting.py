"""The SpiffWorkflow script engine quytrinh runs workflows with.

Expressions (gateway conditions, timers, multi-instance cardinality, ...) go through the
restricted evaluator in engine.expressions; script tasks are refused; service tasks call Python
handlers registered by name.  SpiffWorkflow also calls ``script_engine.environment.evaluate``
directly (ad-hoc completion conditions, message correlations), so the environment is restricted
too: no path reaches Python's eval/exec.

After ``BpmnWorkflowSerializer.deserialize_json`` the workflow has SpiffWorkflow's default
PythonScriptEngine: set ``workflow.script_engine`` to a RestrictedScriptEngine before running it.
"""

from __future__ import annotations

import copy
from collections import ChainMap
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine import expressions
from engine.calendar import WorkingCalendar
from engine.expressions import ExpressionError, UnsafeExpression
from engine.service_tasks import SERIALIZER_CONFIG_ADDITIONS, SERVICE_TASK_PARSER
from engine.timers import Clock

__all__ = [
    "SERIALIZER_CONFIG_ADDITIONS", "SERVICE_TASK_PARSER", "Handler", "RestrictedEnvironment",
    "RestrictedScriptEngine", "UnknownHandler",
]

Handler = Callable[[dict], dict | None]
NO_SCRIPTS = ("script tasks are not allowed: quytrinh runs no code from a model "
              "(use a serviceTask with camunda:topic naming a registered handler)")


class UnknownHandler(LookupError):
    """No service handler is registered under the name a service task asks for."""


def _merged(context: Mapping[str, Any], external_context: Mapping[str, Any] | None) -> Mapping[str, Any]:
    # Task data wins over data objects, as in SpiffWorkflow's TaskDataEnvironment.
    return ChainMap(dict(context), dict(external_context)) if external_context else context


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Script environment that evaluates with the restricted evaluator and runs no scripts."""

    def __init__(self, handlers: Mapping[str, Handler] | None = None) -> None:
        super().__init__({})
        self.handlers: dict[str, Handler] = dict(handlers or {})

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        """Evaluate an expression over the task data (plus data objects)."""
        return expressions.evaluate(expression, _merged(context, external_context))

    def execute(self, script: str, context: Any, external_context: Any = None) -> bool:
        """Always refuses: no code from a model is run."""
        raise UnsafeExpression(NO_SCRIPTS)

    def call_service(self, context: Mapping[str, Any], topic: str | None = None, **kwargs: Any) -> Any:
        """Run the handler registered as ``topic`` on a deep copy of the task data."""
        handler = self.handlers.get(topic or "")
        if handler is None:
            raise UnknownHandler(f"no service handler is registered under the name {topic!r}")
        return handler(copy.deepcopy(dict(context)))


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose expressions are restricted, scripts refused and services registered."""

    def __init__(self, handlers: Mapping[str, Handler] | None = None, clock: Clock | None = None,
                 calendar: WorkingCalendar | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(handlers))
        # Read by engine.timers: when a timer starts and fires (None: system clock), and the working
        # calendar its durations count on (None: plain elapsed time).
        self.clock = clock
        self.calendar = calendar

    @property
    def handler_names(self) -> frozenset[str]:
        """Names of the registered service handlers."""
        return frozenset(self.environment.handlers)

    def validate(self, expression: str) -> None:
        """Raise ExpressionError if the expression would be refused."""
        expressions.compile_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        """Evaluate a condition or a timer over the task's data; failures become WorkflowTaskException."""
        try:
            if _is_timer_expression(task, expression):
                return expressions.timer_value(expression, _merged(task.data, external_context))
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as err:
            raise _task_error(task, err) from err

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        """Refuse every script (script tasks and any pre/post scripts)."""
        raise WorkflowTaskException(NO_SCRIPTS, task=task)

    def call_service(self, task: Any, topic: str | None = None, **kwargs: Any) -> dict | None:
        """Run the handler named ``topic`` and merge what it returns into the task data."""
        try:
            updates = self.environment.call_service(task.data, topic=topic, **kwargs)
        except UnknownHandler as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
        except Exception as err:  # a handler may fail any way; report it against the task
            message = f"service handler {topic!r} failed: {type(err).__name__}: {err}"
            raise WorkflowTaskException(message, task=task, exception=err) from err
        if updates is None:
            return None
        if not isinstance(updates, Mapping):
            message = f"service handler {topic!r} returned {type(updates).__name__}; expected a dict or None"
            raise WorkflowTaskException(message, task=task)
        task.data.update(updates)
        return dict(updates)


def _is_timer_expression(task: Any, expression: str) -> bool:
    """True if the expression is the time text of a timer event on this task."""
    definition = getattr(task.task_spec, "event_definition", None)
    definitions = getattr(definition, "event_definitions", None) or [definition]  # MultipleEventDefinition
    return any(isinstance(d, TimerEventDefinition) and d.expression == expression for d in definitions)


def _task_error(task: Any, err: ExpressionError) -> WorkflowTaskException:
    error = WorkflowTaskException(str(err), task=task, exception=err)
    if err.name is not None:  # SpiffWorkflow only suggests names for a real NameError
        hint = WorkflowTaskException.did_you_mean_from_name_error(
            NameError(f"name '{err.name}' is not defined"), list(task.data))
        if hint:
            error.add_note(hint.strip())
    return error
