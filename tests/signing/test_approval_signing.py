"""Issue 16: the approver (pct) signs the ISO procedure document when he approves a version (QT-ISO-01's
Task_PheDuyet carries sign="procedure", sign_if the decision approves). The signed copy is kept beside the unsigned
document at the step; each refusal stores nothing and leaves the step open."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import quoteattr

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select, update

from documents.procedure import render_procedure_document
from processes import approval_signing, attachments, instances, procedures, version_views, versions
from processes.errors import InvalidInput, NotFound
from processes.keys import VN
from processes.schema import human_tasks, procedure_versions
from processes.schema import instances as instance_rows
from signing.keys import Pkcs12Key
from signing.verify import VALID, verify_pdf
from tests.conftest import BPMN_DIR
from tests.documents.sample import pdf_text
from tests.processes.conftest import BPMN, CODE
from tests.processes.quality_helpers import (
    LEADER,
    RENAMED,
    approval_task,
    catalog_with_test_procedure,
    review,
    status_of,
)

from .ca import Pki, issue, make_root
from .conftest import PASSWORD

APPROVER = "Nguyễn Văn Thành (Phó Chủ tịch UBND huyện)"
APPROVE = {"ket_qua_phe_duyet": "phe_duyet"}


@pytest.fixture
def at_approval(org, clock, deployed, tmp_path, pki: Pki, monkeypatch):
    """Version 2 of the test procedure waiting at the approval step; the test CA trusted; (db, root, task)."""
    monkeypatch.setenv("QUYTRINH_TRUST_ROOTS", str(pki.root_file))
    org.attachments_root = tmp_path / "attachments"
    catalog_with_test_procedure(org, clock, deployed)
    versions.save_draft(org, clock, "iso", CODE, RENAMED)
    versions.submit(org, clock, "iso", CODE, 2, "Rút ngắn thời hạn thẩm định")
    review(org, clock, CODE, 2, "dong_y")
    return org, org.attachments_root, approval_task(org, CODE, 2, LEADER)


@pytest.fixture(scope="module")
def approver_p12(pki: Pki) -> bytes:
    return issue(pki.root, APPROVER).p12(PASSWORD)


def _case_files(db, task: str) -> list[attachments.Attachment]:
    """The files of the approval case the step belongs to."""
    with db.read() as conn:
        case = conn.execute(select(human_tasks.c.instance_id).where(human_tasks.c.task_uuid == task)).scalar_one()
    return attachments.of_case(db, case)


def test_approving_signs_the_iso_document_beside_the_unsigned_one(at_approval, clock, approver_p12, pdfsig,
                                                                   tmp_path):
    db, root, task = at_approval
    approval_signing.decide(db, root, task, APPROVE, LEADER, clock, key=lambda: Pkcs12Key(approver_p12, PASSWORD))
    assert status_of(db, CODE, 2) == "effective"
    unsigned, signed = _case_files(db, task)
    assert (unsigned.filename, signed.filename) == (f"{CODE}-lan-02.pdf", f"{CODE}-lan-02-da-ky-so.pdf")
    assert unsigned.task_uuid == signed.task_uuid == task
    body = attachments.blob_path(root, signed.sha256).read_bytes()
    original = attachments.blob_path(root, unsigned.sha256).read_bytes()
    assert body.startswith(original)  # an incremental update: the unsigned bytes are kept as they were
    [report] = verify_pdf(body, approval_signing.signatures.configured_trust())
    assert (report.status, report.signer) == (VALID, APPROVER)
    found = approval_signing.signed_document(db, root, CODE, 2, clock)
    assert found is not None and (found.attachment_id, found.status) == (signed.id, VALID)
    path = tmp_path / "signed.pdf"
    path.write_bytes(body)
    [checked] = pdfsig.check(path)
    assert checked["Signature Validation"] == "Signature is Valid."
    assert checked["Certificate Validation"] == "Certificate is Trusted."
    assert checked["whole"] == "yes"
    # visible, on the first page, in the approver's (last) column of the approval table
    page = PdfFileReader(io.BytesIO(body)).root["/Pages"]["/Kids"][0].get_object()
    [widget] = [a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    # the approver's column is wide enough for the block's text at its own size (~56 mm, not ~45 mm)
    assert x1 > 390 and x2 < 560 and 540 < y1 < y2 < 680 and x2 - x1 > 150


def test_the_signed_copy_is_the_document_the_approval_issues(at_approval, clock, approver_p12):
    """Its revision table has the version's own row (its effective date as the approver typed it, its note) and
    its issue date is the approval's day: the same text as the version's document once approved."""
    db, root, task = at_approval
    effective = clock.now().astimezone(VN).date() + dt.timedelta(days=10)
    approval_signing.decide(db, root, task, {**APPROVE, "ngay_hieu_luc": effective.isoformat()}, LEADER, clock,
                            key=lambda: Pkcs12Key(approver_p12, PASSWORD))
    _unsigned, signed = _case_files(db, task)
    text = pdf_text(attachments.blob_path(root, signed.sha256).read_bytes())
    revisions = text[text.index("BẢNG THEO DÕI SỬA ĐỔI"):]
    assert f"2 {effective:%d/%m/%Y} " in revisions and "Rút ngắn thời hạn thẩm định 2 " in revisions
    meta = version_views.printed_metadata(db, CODE, 2, clock.now().astimezone(VN).date())
    page = pdf_text(render_procedure_document(meta["bpmn_xml"], meta, "pdf"))
    assert page.split("BẢNG THEO DÕI SỬA ĐỔI")[1].split("1. MỤC ĐÍCH")[0] == \
        revisions.split("BẢNG THEO DÕI SỬA ĐỔI")[1].split("1. MỤC ĐÍCH")[0]


def test_an_effective_date_before_the_approval_day_is_the_approval_day_in_the_version_and_its_signed_copy(
        at_approval, clock, approver_p12):
    """The chosen date, never before today: the version is recorded in force from the approval's day, and the
    signed copy's row of the version says that day too (not the past day typed)."""
    db, root, task = at_approval
    today = clock.now().astimezone(VN).date()
    past = today - dt.timedelta(days=3)
    approval_signing.decide(db, root, task, {**APPROVE, "ngay_hieu_luc": past.isoformat()}, LEADER, clock,
                            key=lambda: Pkcs12Key(approver_p12, PASSWORD))
    assert version_views.document_metadata(db, CODE, 2)["effective_date"] == today
    _unsigned, signed = _case_files(db, task)
    revisions = pdf_text(attachments.blob_path(root, signed.sha256).read_bytes()).split("BẢNG THEO DÕI SỬA ĐỔI")[1]
    assert f"2 {today:%d/%m/%Y} " in revisions and f"{past:%d/%m/%Y}" not in revisions


def test_the_block_names_the_approver_without_the_bracketed_title():
    assert approval_signing.personal_name(APPROVER) == "Nguyễn Văn Thành"
    assert approval_signing.personal_name("Lê Văn B") == "Lê Văn B"


def test_the_block_says_the_title_of_a_vice_chair():
    assert approval_signing.signer_title(APPROVER, "Lãnh đạo UBND huyện") == "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    assert approval_signing.signer_title("Lê Văn A (Chủ tịch UBND huyện)") == "CHỦ TỊCH"
    assert approval_signing.signer_title("Lê Văn B", "Lãnh đạo Phòng Nội vụ") == "LÃNH ĐẠO PHÒNG NỘI VỤ"


def _refusal(db, root, task, clock, key) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        approval_signing.decide(db, root, task, APPROVE, LEADER, clock, key=key)
    return caught.value


@pytest.mark.parametrize("case", ["wrong_password", "other_person", "expired", "untrusted", "no_password"])
def test_a_refused_signature_stores_nothing_and_the_step_stays_open(at_approval, clock, pki: Pki, approver_p12,
                                                                   case):
    db, root, task = at_approval
    keys = {
        "wrong_password": lambda: Pkcs12Key(approver_p12, "sai mật khẩu"),
        "other_person": lambda: Pkcs12Key(issue(pki.root, "Lý Văn Phúc").p12(PASSWORD), PASSWORD),
        "expired": lambda: Pkcs12Key(issue(pki.root, APPROVER, not_before=pki.expired.cert.not_valid_before_utc,
                                           not_after=pki.expired.cert.not_valid_after_utc).p12(PASSWORD), PASSWORD),
        "untrusted": lambda: Pkcs12Key(issue(make_root("CA lạ"), APPROVER).p12(PASSWORD), PASSWORD),
        "no_password": None,
    }
    error = _refusal(db, root, task, clock, keys[case])
    assert error.code == {"wrong_password": "signing_p12_unreadable", "other_person": "signing_not_performer",
                          "expired": "signing_certificate_expired", "untrusted": "signing_certificate_untrusted",
                          "no_password": "approval_signature_password"}[case]
    assert _case_files(db, task) == []
    assert status_of(db, CODE, 2) == "in_review"
    assert approval_task(db, CODE, 2, LEADER) == task


def test_approving_without_the_signing_use_case_is_refused(at_approval, clock):
    db, _root, task = at_approval
    with pytest.raises(InvalidInput) as caught:
        instances.complete(db, task, APPROVE, LEADER, clock)
    assert caught.value.code == "signature_required"
    assert status_of(db, CODE, 2) == "in_review"


def test_sending_back_signs_nothing(at_approval, clock):
    db, root, task = at_approval
    approval_signing.decide(db, root, task, {"ket_qua_phe_duyet": "tra_lai", "y_kien_phe_duyet": "Sửa lại"},
                            LEADER, clock, key=None)
    assert status_of(db, CODE, 2) == "draft" and _case_files(db, task) == []


def test_a_case_at_approval_on_the_unsigned_version_still_completes(org, clock, deployed, tmp_path):
    """Upgrade: an approval case started on QT-ISO-01 without `sign` continues on its own version after the
    signing version is deployed, and its approver completes without signing."""
    org.attachments_root = tmp_path / "attachments"
    signing = (BPMN_DIR / "QT-ISO-01.bpmn").read_text(encoding="utf-8")
    old = "\n".join(line for line in signing.splitlines() if 'name="sign"' not in line and 'name="sign_if"' not in line)
    assert old != signing
    deployed(old)
    deployed(BPMN)
    procedures.adopt_deployed(org, clock)
    versions.save_draft(org, clock, "iso", CODE, RENAMED)
    versions.submit(org, clock, "iso", CODE, 2, "")
    review(org, clock, CODE, 2, "dong_y")
    task = approval_task(org, CODE, 2, LEADER)
    deployed(signing)  # the new QT-ISO-01 (a release of quytrinh) arrives while the case waits for pct
    instances.complete(org, task, APPROVE, LEADER, clock)
    assert status_of(org, CODE, 2) == "effective"


def _with_sign_if(condition: str) -> str:
    """QT-ISO-01 whose approval step signs when `condition` holds."""
    signing = (BPMN_DIR / "QT-ISO-01.bpmn").read_text(encoding="utf-8")
    changed = signing.replace("value=\"ket_qua_phe_duyet == 'phe_duyet'\"", f"value={quoteattr(condition)}")
    assert changed != signing
    return changed


@pytest.fixture
def at_approval_if(org, clock, deployed, tmp_path, pki: Pki, monkeypatch):
    """at_approval on a QT-ISO-01 whose approval step signs when the given condition holds."""
    def at(condition: str) -> tuple:
        monkeypatch.setenv("QUYTRINH_TRUST_ROOTS", str(pki.root_file))
        org.attachments_root = tmp_path / "attachments"
        catalog_with_test_procedure(org, clock, deployed)
        deployed(_with_sign_if(condition))
        versions.save_draft(org, clock, "iso", CODE, RENAMED)
        versions.submit(org, clock, "iso", CODE, 2, "")
        review(org, clock, CODE, 2, "dong_y")
        return org, org.attachments_root, approval_task(org, CODE, 2, LEADER)
    return at


def test_the_approval_decides_to_sign_over_the_case_data_as_the_completion_does(at_approval_if, clock,
                                                                                approver_p12):
    """A sign_if reading the case's data (the version number the approval case carries) is decided over the same
    data before signing as when the completion checks the signature: approving signs, not a refusal."""
    db, root, task = at_approval_if("phien_ban > 1 and ket_qua_phe_duyet == 'phe_duyet'")
    approval_signing.decide(db, root, task, APPROVE, LEADER, clock, key=lambda: Pkcs12Key(approver_p12, PASSWORD))
    assert status_of(db, CODE, 2) == "effective" and len(_case_files(db, task)) == 2


def test_a_sign_if_that_cannot_be_evaluated_does_not_complete_unsigned(at_approval_if, clock):
    """A misspelt name: whether the decision signs cannot be told, so it signs (here: asks the password)."""
    db, root, task = at_approval_if("ket_qua_phe_duyett == 'phe_duyet'")
    with pytest.raises(InvalidInput) as caught:
        approval_signing.decide(db, root, task, {"ket_qua_phe_duyet": "tra_lai", "y_kien_phe_duyet": "Sửa lại"},
                                LEADER, clock, key=None)
    assert caught.value.code == "approval_signature_password"
    assert status_of(db, CODE, 2) == "in_review" and _case_files(db, task) == []


def test_an_empty_form_field_reads_as_empty_not_unknown(at_approval_if, clock):
    """The effective date left empty on sending back is the step's own field, read as empty: the condition is
    false and the draft goes back unsigned, rather than 'unknown name' asking the password."""
    db, root, task = at_approval_if("ket_qua_phe_duyet == 'phe_duyet' or ngay_hieu_luc == '2099-01-01'")
    approval_signing.decide(db, root, task, {"ket_qua_phe_duyet": "tra_lai", "y_kien_phe_duyet": "Sửa lại"},
                            LEADER, clock, key=None)
    assert status_of(db, CODE, 2) == "draft" and _case_files(db, task) == []


def test_an_approval_case_of_no_version_is_named_by_its_case(at_approval, clock, approver_p12):
    """Not 'procedure ? has no version ?': the refusal names the approval case, which is all that is known."""
    db, root, task = at_approval
    with db.write() as conn:
        conn.execute(update(procedure_versions).values(approval_instance_id=None))
        case = conn.execute(select(instance_rows.c.business_key).join(
            human_tasks, human_tasks.c.instance_id == instance_rows.c.id).where(human_tasks.c.task_uuid == task)
        ).scalar_one()
    with pytest.raises(NotFound) as caught:
        approval_signing.decide(db, root, task, APPROVE, LEADER, clock, key=lambda: Pkcs12Key(approver_p12, PASSWORD))
    assert (caught.value.code, caught.value.params) == ("approval_case_without_version", {"case": case})
    assert _case_files(db, task) == []
