"""Pinned verdicts of compile_procedure on the third-party models in /work/shared/external,
and the small driver the executable-model tests share.

A verdict is ``("loads", process_id)`` or ``("rejected", (substring, ...))``: every substring must
occur in the ModelInvalid summary.  Reasons are pinned only where the engine's message is readable;
known engine bugs are pinned as strict xfails in the tests, not here.  See the READMEs next to the
models for what each file contains and what upstream expects.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from SpiffWorkflow.task import TaskState

from engine.parsing import compile_procedure
from engine.runner import advance, clean_step_data, complete_step, new_workflow, ready_steps
from engine.scripting import RestrictedScriptEngine
from engine.state import dump_state, load_state

# tests/engine/<file> -> parents[3] is the folder holding the repo (/work), shared is beside it.
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external"
MIWG = EXTERNAL / "bpmn-miwg"
SPIFF = EXTERNAL / "spiff-tests"
CAMUNDA = EXTERNAL / "camunda"

NOT_EXECUTABLE = 'isExecutable="false"'
DATA_STORES = "data stores are not supported"
NO_HANDLER = "service task has no handler"
NOT_IN_FILE = "which is not in this file"
EXPRESSION_BEAN = "camunda:expression service tasks are not supported"
SCRIPTS = "script tasks are not allowed"
RULE_TASKS = "business rule tasks (DMN decisions) are not supported"
CRON = "cron timer expressions are not supported"

# The 21 OMG MIWG reference models (file -> verdict), compiled with no handlers and no process id.
MIWG_VERDICTS: dict[str, tuple] = {
    "A.1.0.bpmn": ("rejected", (NOT_EXECUTABLE,)),
    "A.2.0.bpmn": ("rejected", (NOT_EXECUTABLE,)),
    "A.2.1.bpmn": ("rejected", (NOT_EXECUTABLE, "expression language 'http://www.w3.org/1999/XPath' is not "
                                "supported", "condition is empty")),
    "A.3.0.bpmn": ("rejected", (NOT_EXECUTABLE,)),
    "A.4.0.bpmn": ("rejected", (NOT_EXECUTABLE,)),
    "A.4.1.bpmn": ("rejected", (NOT_EXECUTABLE,)),
    "B.1.0.bpmn": ("rejected", (NOT_EXECUTABLE, DATA_STORES, "timer has an empty timeDate", NO_HANDLER,
                                "calls process 'global-task', " + NOT_IN_FILE)),
    "B.2.0.bpmn": ("rejected", (NOT_EXECUTABLE, DATA_STORES, "timer has an empty timeDate")),
    # camunda: is bound to the old Activiti namespace here, so the delegateExpression is not seen.
    "C.1.0.bpmn": ("rejected", ("[archiveInvoice] " + NO_HANDLER,)),
    "C.1.1.bpmn": ("rejected", ("[archiveInvoice] " + NO_HANDLER,
                                "expression 'bpmn:getDataObject('approved')' refused")),
    "C.2.0.bpmn": ("rejected", (NOT_EXECUTABLE,)),
    "C.3.0.bpmn": ("rejected", ("expression 'Service Level == 'Premium'' refused",)),
    # isExecutable is absent, so all four processes count as executable.
    "C.4.0.bpmn": ("rejected", ("several executable processes", "say which one to deploy", DATA_STORES)),
    "C.5.0.bpmn": ("rejected", (DATA_STORES,)),
    "C.6.0.bpmn": ("rejected", ("compensation is not supported", "timer has an empty timeDate")),
    "C.7.0.bpmn": ("rejected", (RULE_TASKS, NO_HANDLER)),
    "C.8.0.bpmn": ("rejected", (NOT_EXECUTABLE, RULE_TASKS)),
    "C.8.1.bpmn": ("rejected", (RULE_TASKS, "expression language 'https://www.omg.org/spec/DMN/20191111/FEEL/' "
                                "is not supported")),
    "C.9.0.bpmn": ("rejected", (RULE_TASKS, "FEEL expressions (Camunda 8, '= approved') are not supported",
                                "[Activity_ManualCheck] calls process 'ManualCheck', " + NOT_IN_FILE)),
    "C.9.1.bpmn": ("rejected", ("unknown service handler 'emailService'",)),
    "C.9.2.bpmn": ("rejected", ("FEEL expressions (Camunda 8, '=fraud') are not supported", NO_HANDLER,
                                "[CallActivity_RequestDocument] calls process 'requestDocument_en', " + NOT_IN_FILE)),
}

C40_PROCESSES = (
    "_42cba3a9-a8ab-40b5-b9a4-2e8f32be364e", "_f0035388-f829-470c-b82b-0b15c3da3399",
    "_da743a6f-d9e5-4fcf-8a96-d2fd5cfb73d4", "_3486bf55-0a7f-4ff1-be15-1555669f58ad",
)

# Further cases: (path under EXTERNAL, handlers, process_id, verdict).
EXTRA_VERDICTS: list[tuple[str, tuple[str, ...], str | None, tuple]] = [
    ("bpmn-miwg/C.9.1.bpmn", ("emailService",), None, ("loads", "requestDocument_en")),
    ("bpmn-miwg/A.1.0.bpmn", (), "WFP-6-", ("rejected", ("process 'WFP-6-' is marked " + NOT_EXECUTABLE,))),
    ("bpmn-miwg/A.1.0.bpmn", (), "nope", ("rejected", ("process 'nope' is not in this file",))),
    ("bpmn-miwg/C.1.0.bpmn", (), "sid-5FBB6CB3-8A7C-42B5-9024-15BB2684EC57", ("rejected", (NOT_EXECUTABLE,))),
    # Every C.4.0 process holds a data store, so naming one does not make the file deployable.
    *[("bpmn-miwg/C.4.0.bpmn", (), pid, ("rejected", (DATA_STORES,))) for pid in C40_PROCESSES],
    # SpiffWorkflow's own test models that quytrinh refuses by design or for a stated reason.
    ("spiff-tests/bpmn/ScriptTest.bpmn", (), None, ("rejected", ("[Activity_1y303ko] " + SCRIPTS,))),
    ("spiff-tests/bpmn/gateway_loop_input.bpmn", (), None, ("rejected", ("[set] " + SCRIPTS, "[increment] "))),
    ("spiff-tests/bpmn/inclusive_gateway.bpmn", (), None, ("rejected", (SCRIPTS,))),
    ("spiff-tests/bpmn/timer-date-start.bpmn", (), None, ("rejected", (SCRIPTS,))),
    ("spiff-tests/bpmn/transaction.bpmn", (), None, ("rejected", ("transactions are not supported", SCRIPTS))),
    ("spiff-tests/camunda/random_fact.bpmn", (), None, ("rejected", ("[Task_Get_Fact_From_API] " + SCRIPTS,))),
    ("spiff-tests/camunda/ExclusiveGatewayIfElseAndDecision.bpmn", (), None, ("rejected", (RULE_TASKS,))),
    ("spiff-tests/bpmn/conditional_event.bpmn", (), None,
     ("rejected", ("several executable processes (intermediate, boundary)",))),
    ("spiff-tests/bpmn/conditional_event.bpmn", (), "intermediate", ("loads", "intermediate")),
    ("spiff-tests/bpmn/conditional_event.bpmn", (), "boundary", ("loads", "boundary")),
    ("spiff-tests/bpmn/collaboration.bpmn", (), None, ("loads", "process_buddy")),
    ("spiff-tests/bpmn/parallel_multiinstance_loop_input.bpmn", (), None,
     ("rejected", ("[any_task] multi-instance input data references are not supported",))),
    ("spiff-tests/bpmn/Test-Workflows/Nested-Subprocesses.bpmn20.xml", (), None,
     ("rejected", ("[sid-C014B4B9-889F-4EE9-9949-C89502C35CF0] calls process "
                   "'sid-c7ccc144-a90c-4a5b-973d-a9d67bc9aae7', " + NOT_IN_FILE,))),
    ("spiff-tests/bpmn/Test-Workflows/Test-Workflows.bpmn20.xml", (), None,
     ("rejected", ("[MESSAGES_SUB] calls process 'sid-4a1f10ab-316f-4cd8-836d-65aa3d178fff', " + NOT_IN_FILE,))),
    # Signavio export: its gateways rely on upstream's test-only parser that adds `choice == '<name>'`.
    ("spiff-tests/bpmn/Test-Workflows/Parallel-Looping-After-Join.bpmn20.xml", (), None,
     ("rejected", ("Non-default exclusive outgoing sequence flow without condition",))),
    ("spiff-tests/bpmn/Test-Workflows/Parallel.camunda.bpmn20.xml", (), None,
     ("rejected", ("enum form field 'FormField_10j8bsd' has no values",))),
    ("spiff-tests/bpmn/Test-Workflows/CallActivity-Escalation-Test-Sub.bpmn20.xml", (), None,
     ("rejected", ("calling 'vars' is not allowed",))),
    ("spiff-tests/bpmn/Invalid-Workflows/No-Start-Event.bpmn20.xml", (), None,
     ("rejected", ("cannot be reached from a start event",))),
    # Camunda / bpmn.io / flowing-retail examples.
    ("camunda/camunda-bpm-examples/camunda-testing-job-announcement.bpmn", (), None,
     ("rejected", ("[mail] " + EXPRESSION_BEAN,
                   "[publication] calls process 'camunda-testing-job-announcement-publication', " + NOT_IN_FILE))),
    ("camunda/camunda-bpm-examples/camunda-testing-job-announcement-publication.bpmn", (), None,
     ("rejected", ("[publish_announcement_website] " + EXPRESSION_BEAN, "[publish_announcement_facebook] "))),
    ("camunda/camunda-bpm-examples/TwitterDemoProcess.bpmn", (), None,
     ("rejected", ("[service_task_publish_on_twitter] unknown service handler 'tweetAdapter'",))),
    ("camunda/camunda-bpm-examples/TwitterDemoProcess.bpmn", ("emailAdapter", "tweetAdapter"), None,
     ("loads", "TwitterDemoProcess")),
    ("camunda/camunda-bpm-examples/invoicePayment.bpmn", (), None, ("loads", "embeddedFormsBpmnEvents")),
    ("camunda/camunda-bpm-examples/loan-granting.bpmn", ("creditScoreChecker", "loanGranter", "requestRejecter"),
     None, ("rejected", ("[StartEvent_1] timer '0/5 0/1 * 1/1 * ?' refused: " + CRON,))),
    ("camunda/camunda-bpm-examples/order-handling.bpmn", ("invoiceCreator", "invoiceArchiver"), None,
     ("rejected", ("[StartEvent_1] timer '0/5 0/1 * 1/1 * ?' refused: " + CRON,))),
    ("camunda/camunda-bpm-platform/invoice.v1.bpmn", (), None,
     ("rejected", ("[DataStoreReference_1] " + DATA_STORES, "[assignApprover] " + RULE_TASKS,
                   "[reviewInvoice] calls process 'ReviewInvoice', " + NOT_IN_FILE))),
    ("camunda/camunda-bpm-platform/invoice.v2.bpmn", (), None,
     ("rejected", ("[DataStoreReference_1] " + DATA_STORES, "[assignApprover] " + RULE_TASKS,
                   "[reviewInvoice] calls process 'ReviewInvoice', " + NOT_IN_FILE))),
    # camunda:dueDate is a duration in the quytrinh dialect, not a Camunda date expression.
    ("camunda/camunda-bpm-platform/reviewInvoice.bpmn", (), None,
     ("rejected", ("[reviewInvoice] time limit camunda:dueDate: invalid duration",))),
    ("camunda/camunda-bpm-platform/testInvoiceProcessSignavio.bpmn", (), None,
     ("rejected", (NOT_EXECUTABLE, DATA_STORES, "attribute access is not allowed (.equals)"))),
    ("camunda/bpmn-js-examples/pizza-collaboration.bpmn", (), None,
     ("rejected", (NOT_EXECUTABLE, "timer has an empty timeDate"))),
    # One process is executable; it is refused for what it contains.
    ("camunda/bpmn-js-examples/kitchen-sink.bpmn", (), None,
     ("rejected", ("complex gateways are not supported", "transactions are not supported",
                   "compensation is not supported", SCRIPTS, RULE_TASKS, DATA_STORES))),
    # Zeebe (Camunda 8) FEEL conditions are refused by name.
    ("camunda/flowing-retail/payment.bpmn", (), None,
     ("rejected", ("[SequenceFlow_1irsftt] FEEL expressions (Camunda 8, '=true') are not supported",
                   "[SequenceFlow_0gx4352] FEEL expressions (Camunda 8, '=false')", NO_HANDLER))),
]


# --- driving executable models ------------------------------------------------------------

ENGINE = RestrictedScriptEngine()


def load(rel: str, handlers=(), process_id=None, xml: bytes | None = None):
    path = EXTERNAL / rel
    return compile_procedure(xml or path.read_bytes(), handlers=handlers, process_id=process_id,
                             filename=path.name)


MI_DATA = re.compile(rb"\s*<bpmn:(loopDataInputRef|loopDataOutputRef)>[^<]*</bpmn:\1>"
                     rb"|\s*<bpmn:(inputDataItem|outputDataItem)\b[^>]*?(/>|>.*?</bpmn:\2>)", re.S)


def without_mi_data(rel: str) -> bytes:
    """A multi-instance model with its (refused) BPMN data references removed, for running the loop itself."""
    return MI_DATA.sub(b"", (EXTERNAL / rel).read_bytes())


def drive(proc, data=None, answers=None, *, engine=ENGINE, roundtrip=False, clean=True, wf=None):
    """Complete the first ready step until none is left; return the workflow and [(step, task data)]."""
    if wf is None:
        wf, _ = new_workflow(proc, dict(data or {}), engine)
    trace = []
    for _ in range(30):
        if roundtrip:
            wf = load_state(dump_state(wf), proc, engine)
        ready = ready_steps(proc, wf)
        if not ready:
            return wf, trace
        step = ready[0]
        trace.append((step, dict(wf.get_task_from_id(step.task_id).data)))
        values = (answers or {}).get(step.element_id, {})
        if clean:
            values = clean_step_data(proc, wf, step.task_id, values)
        complete_step(proc, wf, step.task_id, values)
    raise AssertionError("the workflow did not finish in 30 steps")


def ids(trace) -> list[str]:
    return [step.element_id for step, _ in trace]


def wait_until(proc, wf, condition, timeout=3.0) -> float:
    """Poll timers like a scheduler would; return the seconds waited."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timer did not fire"
        time.sleep(0.02)
        wf.refresh_timers()
        advance(proc, wf)
    return time.monotonic() - start


def state_of(wf, name: str) -> str | None:
    states = {TaskState.get_name(t.state) for t in wf.get_tasks() if t.task_spec.name == name}
    return states.pop() if len(states) == 1 else None
