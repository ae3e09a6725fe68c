"""RestrictedScriptEngine and the service task spec, run through SpiffWorkflow 3.2.0 itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask as StockServiceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.task import TaskState

from engine.expressions import ExpressionError, UnsafeExpression
from engine.scripting import (
    SERIALIZER_CONFIG_ADDITIONS,
    SERVICE_TASK_PARSER,
    RestrictedEnvironment,
    RestrictedScriptEngine,
)
from engine.service_tasks import HandlerServiceTask

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="urn:test">'
    '<bpmn:process id="P" isExecutable="true">'
)
TAIL = "</bpmn:process></bpmn:definitions>"


class QuytrinhTestParser(CamundaParser):
    """CamundaParser with our service task, as engine.parsing registers it."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): SERVICE_TASK_PARSER,
    }


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    cond = ""
    if condition is not None:
        cond = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
                "</bpmn:conditionExpression>")
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{cond}'
            "</bpmn:sequenceFlow>")


def spec_of(body: str, parser_class: type[CamundaParser] = QuytrinhTestParser):
    parser = parser_class()
    parser.add_bpmn_str((HEAD + body + TAIL).encode("utf-8"))
    return parser.get_spec("P")


def start(body: str, data: dict | None = None, handlers: dict | None = None,
          run: bool = True) -> BpmnWorkflow:
    workflow = BpmnWorkflow(spec_of(body), script_engine=RestrictedScriptEngine(handlers))
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data or {})
    if run:
        workflow.do_engine_steps()
    return workflow


def completed(workflow: BpmnWorkflow) -> set[str]:
    return {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def gateway(yes: str, no: str | None) -> str:
    """start -> gateway -> end_yes (condition yes) | end_no (condition no, or the default flow)."""
    default = ' default="f_no"' if no is None else ""
    return (
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:exclusiveGateway id="gw"{default}/>'
        '<bpmn:endEvent id="end_yes"/><bpmn:endEvent id="end_no"/>'
        + flow("f0", "start", "gw")
        + flow("f_yes", "gw", "end_yes", escape(yes))
        + flow("f_no", "gw", "end_no", None if no is None else escape(no))
    )


# --- gateways -------------------------------------------------------------------------------


@pytest.mark.parametrize(("yes", "no"), [
    ("${approved}", "#{!approved}"),
    ("${approved == true}", "${not approved}"),
    ("approved", "not approved"),
    ("${approved}", None),
])
@pytest.mark.parametrize("approved", [True, False])
def test_exclusive_gateway_routes_both_ways(yes, no, approved):
    workflow = start(gateway(yes, no), {"approved": approved})
    assert workflow.is_completed()
    ends = completed(workflow) & {"end_yes", "end_no"}
    assert ends == ({"end_yes"} if approved else {"end_no"})


@pytest.mark.parametrize(("data", "expected"), [
    ({"amount": 1500, "kind": "A"}, "end_yes"),
    ({"amount": 1500, "kind": "B"}, "end_no"),
    ({"amount": 900, "kind": "A"}, "end_no"),
])
def test_python_style_condition(data, expected):
    workflow = start(gateway("amount > 1000 and kind == 'A'", "not (amount > 1000 and kind == 'A')"), data)
    assert completed(workflow) & {"end_yes", "end_no"} == {expected}


def test_juel_condition_with_operators_inside_a_string_literal():
    model = gateway("${note == 'a && b' || amount > 1000}", "${note != 'a && b'}")
    workflow = start(model, {"note": "a && b"})
    assert "end_yes" in completed(workflow)


def test_unknown_name_in_condition_is_a_clear_task_error():
    workflow = start(gateway("amout > 1000", None), {"amount": 5}, run=False)
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    message = str(info.value)
    assert "name 'amout' is not defined" in message
    assert "amout > 1000" in message
    assert "Did you mean 'amount'" in message
    assert info.value.task.task_spec.name == "gw"
    assert isinstance(info.value.__cause__, ExpressionError)


def test_unsafe_condition_is_refused_when_evaluated():
    workflow = start(gateway("().__class__.__bases__[0].__subclasses__()", None), {}, run=False)
    with pytest.raises(WorkflowTaskException, match="attribute access is not allowed"):
        workflow.do_engine_steps()


def test_environment_used_directly_by_spiffworkflow_is_restricted_too():
    # BpmnProcessSpec and message correlation call script_engine.environment.evaluate directly.
    environment = RestrictedScriptEngine().environment
    assert environment.evaluate("a + b", {"a": 1}, {"b": 2}) == 3
    assert environment.evaluate("a", {"a": 1}, {"a": 2}) == 1  # task data wins over data objects
    with pytest.raises(UnsafeExpression):
        environment.evaluate("__import__('os').system('id')", {})
    with pytest.raises(UnsafeExpression):
        environment.execute("x = 1", {})


# --- script tasks ---------------------------------------------------------------------------

SCRIPT_TASK = (
    '<bpmn:startEvent id="start"/>'
    '<bpmn:scriptTask id="script" scriptFormat="python"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "script") + flow("f2", "script", "end")
)


def test_script_task_is_refused_when_run():
    workflow = start(SCRIPT_TASK, run=False)
    with pytest.raises(WorkflowTaskException, match="script tasks are not allowed"):
        workflow.do_engine_steps()
    [task] = workflow.get_tasks(spec_name="script")
    assert task.state == TaskState.ERROR
    assert "x" not in task.data


# --- service tasks --------------------------------------------------------------------------


TOPIC = 'camunda:type="external" camunda:topic="gui_sms"'


def service_model(attributes: str = TOPIC, before: str = "") -> str:
    """start -> [before ->] svc -> end."""
    first = "before" if before else "svc"
    return (
        '<bpmn:startEvent id="start"/>' + before
        + f'<bpmn:serviceTask id="svc" name="Gửi tin nhắn" {attributes}/>'
        '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", first) + (flow("f0", "before", "svc") if before else "")
        + flow("f2", "svc", "end")
    )


def test_stock_camunda_parser_leaves_a_service_task_started_without_calling_the_engine():
    # Pins SpiffWorkflow 3.2.0 behaviour that the service task spec below exists to fix.
    spec = spec_of(service_model(), CamundaParser)
    assert type(spec.task_specs["svc"]) is StockServiceTask
    called = []
    workflow = BpmnWorkflow(spec, script_engine=RestrictedScriptEngine({"gui_sms": called.append}))
    workflow.do_engine_steps()
    [task] = workflow.get_tasks(spec_name="svc")
    assert task.state == TaskState.STARTED
    assert not called and not workflow.is_completed()
    with pytest.raises(TypeError, match="not JSON serializable"):
        BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)).serialize_json(workflow)


def test_service_task_calls_the_registered_handler_and_merges_its_output():
    seen = []

    def gui_sms(data: dict) -> dict:
        seen.append(data)
        data["owner"]["name"] = "changed"  # a copy: must not leak into the task data
        return {"sms_sent": True, "sms_to": data["phone"]}

    workflow = start(service_model(), {"phone": "0900", "owner": {"name": "An"}}, {"gui_sms": gui_sms})
    assert workflow.is_completed()
    assert seen[0]["phone"] == "0900"
    [end] = workflow.get_tasks(spec_name="end")
    assert end.data["sms_sent"] is True and end.data["sms_to"] == "0900"
    assert end.data["owner"] == {"name": "An"}


def test_handler_returning_none_changes_nothing():
    workflow = start(service_model(), {"a": 1}, {"gui_sms": lambda data: None})
    assert workflow.is_completed()
    assert workflow.get_tasks(spec_name="end")[0].data == {"a": 1}


@pytest.mark.parametrize(("handlers", "message"), [
    ({}, "no service handler is registered under the name 'gui_sms'"),
    ({"gui_sms": lambda data: 1 / 0}, "service handler 'gui_sms' failed: ZeroDivisionError"),
    ({"gui_sms": lambda data: ["not", "a", "dict"]}, "returned list; expected a dict or None"),
])
def test_service_task_failures_are_task_errors(handlers, message):
    workflow = start(service_model(), {}, handlers, run=False)
    with pytest.raises(WorkflowTaskException, match=message) as info:
        workflow.do_engine_steps()
    assert info.value.task.task_spec.name == "svc"
    assert workflow.get_tasks(spec_name="svc")[0].state == TaskState.ERROR


@pytest.mark.parametrize(("attributes", "handler"), [
    ('camunda:type="external" camunda:topic="gui_sms"', "gui_sms"),
    ('camunda:class="vn.gov.GuiSms"', "vn.gov.GuiSms"),
    ('camunda:delegateExpression="${gui_sms}"', "gui_sms"),
    ('camunda:delegateExpression="#{ gui_sms }"', "gui_sms"),
])
def test_service_task_parser_reads_the_handler_name(attributes, handler):
    task_spec = spec_of(service_model(attributes)).task_specs["svc"]
    assert isinstance(task_spec, HandlerServiceTask)
    assert task_spec.handler == handler
    assert task_spec.bpmn_name == "Gửi tin nhắn"


@pytest.mark.parametrize(("attributes", "message"), [
    ('camunda:type="external"', "service task has no handler"),
    ('camunda:expression="${sms.send(phone)}"', "camunda:expression service tasks are not supported"),
    ('camunda:delegateExpression="${sms.sender}"', "must be"),
])
def test_service_task_parser_rejects_tasks_without_a_plain_handler_name(attributes, message):
    with pytest.raises(ValidationException, match=message):
        spec_of(service_model(attributes))


def test_workflow_with_a_service_task_survives_a_json_round_trip():
    calls = []
    handlers = {"gui_sms": lambda data: calls.append(data) or {"sms_sent": True}}
    model = service_model(before='<bpmn:userTask id="before" name="Tiếp nhận"/>')
    workflow = start(model, {"phone": "0900"}, handlers)
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY)] == ["before"]
    serializer = BpmnWorkflowSerializer(
        BpmnWorkflowSerializer.configure({**CAMUNDA_CONFIG, **SERIALIZER_CONFIG_ADDITIONS}))

    text = serializer.serialize_json(workflow)
    spec_dict = json.loads(text)["spec"]["task_specs"]["svc"]
    assert spec_dict["typename"] == "HandlerServiceTask" and spec_dict["handler"] == "gui_sms"

    restored = serializer.deserialize_json(text)
    assert isinstance(restored.spec.task_specs["svc"], HandlerServiceTask)
    restored.script_engine = RestrictedScriptEngine(handlers)  # the serializer restores the default engine
    [user_task] = restored.get_tasks(state=TaskState.READY)
    user_task.run()
    restored.do_engine_steps()
    assert restored.is_completed()
    assert calls == [{"phone": "0900"}]
    assert restored.get_tasks(spec_name="end")[0].data["sms_sent"] is True
    assert serializer.serialize_json(restored)  # and it serialises again after running


# --- timers ---------------------------------------------------------------------------------


def timer_model(kind: str, text: str, cancel: bool = True) -> str:
    return (
        '<bpmn:startEvent id="start"/><bpmn:userTask id="ut"/><bpmn:endEvent id="end"/>'
        f'<bpmn:boundaryEvent id="timer" attachedToRef="ut" cancelActivity="{str(cancel).lower()}">'
        f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{escape(text)}'
        f'</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        '<bpmn:endEvent id="late"/>'
        + flow("f1", "start", "ut") + flow("f2", "ut", "end") + flow("f3", "timer", "late")
    )


def waiting_timer(workflow: BpmnWorkflow):
    [event] = workflow.waiting_events()
    [task] = workflow.get_tasks(spec_name="timer")
    assert task.state == TaskState.WAITING
    return event


@pytest.mark.parametrize("text", ["PT1H", '"PT1H"', "'PT1H'", " PT1H\n", "${limit}", "limit", "#{limit}"])
def test_duration_timer_forms_all_produce_a_waiting_timer(text):
    before = datetime.now(UTC)
    workflow = start(timer_model("timeDuration", text), {"limit": "PT1H"})
    event = waiting_timer(workflow)
    assert event.event_type == "DurationTimerEventDefinition"
    due = datetime.fromisoformat(event.value)
    assert timedelta(minutes=59) < due - before < timedelta(minutes=61)


def test_date_timer_waits_for_its_date():
    workflow = start(timer_model("timeDate", "2099-03-01T08:00:00+07:00"))
    event = waiting_timer(workflow)
    assert event.event_type == "TimeDateEventDefinition"
    assert event.value == "2099-03-01T08:00:00+07:00"


def test_cycle_timer_waits():
    workflow = start(timer_model("timeCycle", '"R3/PT4H"', cancel=False))
    event = waiting_timer(workflow)
    assert event.event_type == "CycleTimerEventDefinition"
    due = datetime.fromisoformat(event.value)
    assert timedelta(hours=3, minutes=59) < due - datetime.now(UTC) < timedelta(hours=4, minutes=1)


@pytest.mark.parametrize(("text", "message"), [
    ("0/5 0/1 * 1/1 * ?", "cron timer expressions are not supported"),
    ("limit", "is not an ISO 8601 duration"),
])
def test_bad_timers_are_task_errors(text, message):
    workflow = start(timer_model("timeDuration", text), {"limit": "tomorrow"}, run=False)
    with pytest.raises(WorkflowTaskException, match=message):
        workflow.do_engine_steps()


def test_iso_literal_is_only_special_for_timers():
    # In a condition, P2D is just an (undefined) name, not a timer literal.
    workflow = start(gateway("P2D", None), {}, run=False)
    with pytest.raises(WorkflowTaskException, match="name 'P2D' is not defined"):
        workflow.do_engine_steps()


def test_engine_validate_uses_the_restricted_compiler():
    engine = RestrictedScriptEngine({"a": lambda d: None})
    assert engine.handler_names == frozenset({"a"})
    engine.validate("${x > 1}")
    with pytest.raises(UnsafeExpression):
        engine.validate("open('/etc/passwd').read()")
    assert isinstance(engine.environment, RestrictedEnvironment)
