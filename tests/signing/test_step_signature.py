"""A step marked `sign` completes only with a PDF attached at it, validly signed by its performer.

The three-step test procedure of tests/processes with `sign="result"` on its approval step (Phê duyệt,
role lanh_dao_phong_ktht: tp.ktht, Đặng Quốc Hùng in the demo organisation).
"""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.parsing import compile_procedure
from processes import attachments, instances, signatures
from processes.errors import InvalidInput
from processes.handlers import registered
from processes.uow import unit_of_work
from signing.appearance import Appearance
from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from signing.verify import VALID, verify_pdf
from tests.processes.conftest import APPROVE, BPMN, CHECK_OK, RECEIVE, single_task, start_case, work

from .ca import Pki, issue
from .test_agreement import flip_signed_byte

_END_OF_APPROVAL = """        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_PheDuyet\""""
assert BPMN.count(_END_OF_APPROVAL) == 1


def with_sign(value: str) -> str:
    return BPMN.replace(_END_OF_APPROVAL, f"""        </camunda:formData>
        <camunda:properties><camunda:property name="sign" value="{value}" /></camunda:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_PheDuyet\"""")


def test_unknown_sign_value_is_a_deploy_problem():
    with pytest.raises(ModelInvalid) as caught:
        compile_procedure(with_sign("chu_ky_tay"), registered())
    [problem] = [p for p in caught.value.problems if p.params.get("prop") == "sign"]
    assert (problem.code, problem.element_id, problem.params["value"]) == (
        "unknown_property_value", "Task_PheDuyet", "chu_ky_tay")
    compile_procedure(with_sign("result"), registered())  # a known value deploys


@pytest.fixture
def at_approval(org, deployed, clock, tmp_path):
    """A case waiting at the signing step: (db, instance id, task id, attachments root)."""
    deployed(with_sign("result"))
    case = start_case(org, clock).instance_id
    work(org, clock, "motcua", RECEIVE, case)
    work(org, clock, "cv.ktht", CHECK_OK, case)
    return org, case, single_task(org, "tp.ktht", case).id, tmp_path / "attachments"


@pytest.fixture(scope="module")
def head(pki: Pki):
    """A certificate for the head of department as a Vietnamese CA writes it (the name in capitals)."""
    return issue(pki.root, "ĐẶNG QUỐC HÙNG", "hung.dq@donganh.gov.vn")


def check(db, clock, case: int, task: str, actor: str, root, trust):
    with unit_of_work(db) as uow:
        opened = instances.open_case(uow, case, clock)
        return signatures.check_signed(uow.conn, opened.workflow, case, task, actor, root=root, trust=trust)


def refusal(db, clock, case, task, root, trust) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check(db, clock, case, task, "tp.ktht", root, trust)
    return caught.value


def attach(db, clock, case, task, root, data: bytes, name: str = "giay-phep.pdf"):
    return attachments.attach(db, root, case, name, data, "tp.ktht", clock, task)


def test_no_file_at_the_step(at_approval, clock, trust):
    db, case, task, root = at_approval
    err = refusal(db, clock, case, task, root, trust)
    assert (err.code, err.params["step"], err.params["what_label"]) == ("signature_required", "Phê duyệt",
                                                                        "kết quả giải quyết")
    assert err.errors == {}  # no form field is wrong: the page says the whole message (web/error_text.py)


def test_unsigned_file(at_approval, clock, trust, receipt):
    db, case, task, root = at_approval
    attach(db, clock, case, task, root, receipt)
    err = refusal(db, clock, case, task, root, trust)
    assert (err.code, err.params) == ("signature_missing", {"file": "giay-phep.pdf"})


def test_signed_by_someone_else(at_approval, clock, trust, receipt, p12_key):
    db, case, task, root = at_approval
    attach(db, clock, case, task, root, sign_pdf(receipt, p12_key, trust))  # Đỗ Minh Khôi's certificate
    err = refusal(db, clock, case, task, root, trust)
    assert (err.code, err.params) == ("signature_not_performer", {"file": "giay-phep.pdf", "signer": "Đỗ Minh Khôi",
                                                                  "performer": "Đặng Quốc Hùng"})


def test_changed_after_signing(at_approval, clock, trust, receipt, head):
    db, case, task, root = at_approval
    signed = sign_pdf(receipt, Pkcs12Key(head.p12("x"), "x"), trust)
    attach(db, clock, case, task, root, flip_signed_byte(signed))
    err = refusal(db, clock, case, task, root, trust)
    assert (err.code, err.params["status"]) == ("signature_not_valid", "invalid")
    assert err.params["status_label"].startswith("Chữ ký số không hợp lệ")


def test_file_gone_from_the_store(at_approval, clock, trust, receipt, head):
    db, case, task, root = at_approval
    found = attach(db, clock, case, task, root, sign_pdf(receipt, Pkcs12Key(head.p12("x"), "x"), trust))
    attachments.blob_path(root, found.sha256).unlink()  # e.g. a restore that left the attachments behind
    err = refusal(db, clock, case, task, root, trust)
    assert (err.code, err.params) == ("signature_file_gone", {"file": "giay-phep.pdf"})


def test_signed_by_the_performer(at_approval, clock, trust, receipt, head):
    db, case, task, root = at_approval
    signed = sign_pdf(receipt, Pkcs12Key(head.p12("x"), "x"), trust, appearance=Appearance("TRƯỞNG PHÒNG", ""))
    attachments.attach(db, root, case, "giay-phep.pdf", signed, "tp.ktht", clock)  # to the case, not the step
    assert refusal(db, clock, case, task, root, trust).code == "signature_required"
    found = attach(db, clock, case, task, root, signed)
    attach(db, clock, case, task, root, receipt, "ban-chua-ky.pdf")  # an unsigned draft beside it is no harm
    ok = check(db, clock, case, task, "tp.ktht", root, trust)
    assert (ok.attachment_id, ok.kind, ok.report.status, ok.report.signer) == (found.id, "result", VALID,
                                                                               "ĐẶNG QUỐC HÙNG")


def test_step_without_sign_needs_nothing(org, deployed, clock, trust, tmp_path):
    deployed(with_sign("result"))
    case = start_case(org, clock).instance_id
    task = single_task(org, "motcua", case).id
    assert check(org, clock, case, task, "motcua", tmp_path, trust) is None


def test_performer_recognised_by_email_or_name(pki: Pki, receipt, trust):
    renamed = issue(pki.root, "HUNG DANG QUOC", "Hung.DQ@donganh.gov.vn")
    [report] = verify_pdf(sign_pdf(receipt, Pkcs12Key(renamed.p12("x"), "x"), trust), trust)
    assert signatures.is_performer(report, "Đặng Quốc Hùng", "hung.dq@donganh.gov.vn")
    assert not signatures.is_performer(report, "Đặng Quốc Hùng", None)
    assert not signatures.is_performer(report, "Đặng Quốc Hùng", "khac@donganh.gov.vn")


def test_completion_reads_the_databases_attachment_store(at_approval, clock, monkeypatch, tmp_path, pki, trust,
                                                         receipt, head):
    db, case, task, root = at_approval
    monkeypatch.setenv("QUYTRINH_TRUST_ROOTS", str(pki.root_file))  # the completion reads the deployment's trust
    attach(db, clock, case, task, root, sign_pdf(receipt, Pkcs12Key(head.p12("x"), "x"), trust))
    monkeypatch.setenv("QUYTRINH_ATTACHMENTS_DIR", str(tmp_path / "elsewhere"))  # not the database's store
    db.attachments_root = root  # as create_app sets it from the app's ATTACHMENTS_DIR
    assert instances.complete(db, task, APPROVE, "tp.ktht", clock).status == "completed"


def test_completion_refused_without_signature(at_approval, clock):
    db, case, task, root = at_approval
    db.attachments_root = root
    with pytest.raises(InvalidInput) as caught:
        instances.complete(db, task, APPROVE, "tp.ktht", clock)
    assert caught.value.code == "signature_required"
    assert single_task(db, "tp.ktht", case).id == task  # the step is still open: nothing was stored



def test_the_task_page_knows_what_a_step_signs(at_approval, clock):
    db, case, task, root = at_approval
    assert signatures.step_sign_kind(db, task) == ("result", "kết quả giải quyết")
    from processes import tasks

    [done] = [t for t in tasks.list_tasks(db, instance_id=case, include_closed=True) if t.state == "completed"][:1]
    assert signatures.step_sign_kind(db, done.id) is None  # Tiếp nhận signs nothing
    assert signatures.step_sign_kind(db, "00000000-0000-0000-0000-000000000000") is None
