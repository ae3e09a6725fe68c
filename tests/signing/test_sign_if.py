"""`sign_if` (issue 16): whether a completion must be signed is decided once (processes/signatures.must_sign) and
fails closed: a condition that cannot be evaluated when the step completes (a name in neither the form nor the
case's data, an evaluation error) asks for the signature instead of letting the step complete unsigned. A
condition that cannot even be compiled is refused at deploy.

The three-step test procedure of tests/processes, its approval step (Phê duyệt, tp.ktht) signing the result.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest

from engine.errors import ModelInvalid
from engine.parsing import compile_procedure
from processes import instances
from processes.errors import InvalidInput
from processes.handlers import registered
from tests.processes.conftest import APPROVE, CHECK_OK, RECEIVE, SEND_BACK, single_task, start_case, work

from .test_step_signature import with_sign


def with_sign_if(condition: str) -> str:
    sign = '<camunda:property name="sign" value="result" />'
    return with_sign("result").replace(sign, f'{sign}<camunda:property name="sign_if" value={quoteattr(condition)} />')


@pytest.fixture
def waiting(org, deployed, clock):
    """A case of the procedure signing when `condition` holds, waiting at the approval step: (case, task)."""
    def at(condition: str) -> tuple[int, str]:
        deployed(with_sign_if(condition))
        case = start_case(org, clock).instance_id
        work(org, clock, "motcua", RECEIVE, case)
        work(org, clock, "cv.ktht", CHECK_OK, case)
        return case, single_task(org, "tp.ktht", case).id
    return at


@pytest.mark.parametrize("condition", [
    "quyet_dinh_cuoi == 'duyet'",  # a misspelt name: in neither the form nor the case's data
    "${quyet_dinh_cuoi == 'duyet'}",  # the same in JUEL, which would read the unknown name as null
    "int(y_kien) > 0",  # the assessor's comment is words: ValueError when evaluated
    "so_ban / 0 > 1",  # ZeroDivisionError
])
def test_a_condition_that_cannot_be_evaluated_asks_for_the_signature(waiting, org, clock, condition):
    case, task = waiting(condition)
    with pytest.raises(InvalidInput) as caught:
        instances.complete(org, task, SEND_BACK, "tp.ktht", clock)
    assert caught.value.code == "signature_required"
    assert single_task(org, "tp.ktht", case).id == task  # the step is still open


def test_a_condition_over_the_form_and_the_case_signs_only_when_it_holds(waiting, org, clock):
    """The condition reads the case's data (the assessment) and this form; it holds only on approving."""
    case, task = waiting("ket_qua == 'dat' and quyet_dinh == 'duyet'")
    with pytest.raises(InvalidInput) as caught:
        instances.complete(org, task, APPROVE, "tp.ktht", clock)
    assert caught.value.code == "signature_required"
    instances.complete(org, task, SEND_BACK, "tp.ktht", clock)  # sending back signs nothing
    assert single_task(org, "cv.ktht", case).name == "Thẩm định hồ sơ"


@pytest.mark.parametrize(("condition", "code"), [
    ("quyet_dinh ==", "expression_syntax_error"),
    ("__import__('os')", "expression_refused"),
])
def test_a_condition_that_cannot_be_compiled_is_refused_at_deploy(condition, code):
    with pytest.raises(ModelInvalid) as caught:
        compile_procedure(with_sign_if(condition), registered())
    [problem] = [p for p in caught.value.problems if p.element_id == "Task_PheDuyet"]
    assert (problem.code, problem.params["text"]) == (code, condition)
