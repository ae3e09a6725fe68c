"""Signing through the use cases: a receipt and an apology rendered for a case, a permit attached at the
signing step; the signed copy is attached beside the original, and that is what lets the step complete."""

from __future__ import annotations

import pytest

from processes import attachments, instances, signatures
from processes.errors import InvalidInput
from processes.signed_documents import sign_attachment, sign_form
from processes.uow import unit_of_work
from signing.keys import Pkcs12Key
from signing.verify import VALID, verify_pdf

from .ca import Pki, issue
from .conftest import PASSWORD, Token
from .test_step_signature import at_approval  # noqa: F401  (the fixture)

VICE = "KT. TRƯỞNG PHÒNG / PHÓ TRƯỞNG PHÒNG"


@pytest.fixture(scope="module")
def head_key(pki: Pki) -> Pkcs12Key:
    return Pkcs12Key(issue(pki.root, "ĐẶNG QUỐC HÙNG").p12(PASSWORD), PASSWORD)


def stored(db, case: int) -> list[attachments.Attachment]:
    return attachments.of_case(db, case)


def test_receipt_and_apology_signed_and_attached(at_approval, clock, trust, pki: Pki, head_key):  # noqa: F811
    db, case, task, root = at_approval
    clerk = Pkcs12Key(issue(pki.root, "Nguyễn Thị Hoa").p12(PASSWORD), PASSWORD)
    receipt = sign_form(db, root, case, "receipt", clerk, "motcua", clock, title="CÁN BỘ TIẾP NHẬN", trust=trust)
    apology = sign_form(db, root, case, "apology", head_key, "tp.ktht", clock, title=VICE, trust=trust)
    assert (receipt.filename, apology.filename) == ("giay-tiep-nhan-ho-so-da-ky-so.pdf", "van-ban-xin-loi-da-ky-so.pdf")
    for found, signer in ((receipt, "Nguyễn Thị Hoa"), (apology, "ĐẶNG QUỐC HÙNG")):
        data = attachments.blob_path(root, found.sha256).read_bytes()
        assert [(r.status, r.signer) for r in verify_pdf(data, trust)] == [(VALID, signer)]
    assert [a.id for a in stored(db, case)] == [receipt.id, apology.id]


def test_permit_signed_at_the_step_lets_it_complete(at_approval, clock, trust, head_key, apology):  # noqa: F811
    db, case, task, root = at_approval
    permit = attachments.attach(db, root, case, "giay-phep.pdf", apology, "cv.ktht", clock)  # the draft
    signed = sign_attachment(db, root, permit.id, head_key, "tp.ktht", clock, title=VICE, task_uuid=task,
                             trust=trust)
    assert signed.filename == "giay-phep-da-ky-so.pdf" and signed.task_uuid == task
    assert attachments.get(db, permit.id).sha256 == permit.sha256  # the unsigned file is still there
    with unit_of_work(db) as uow:
        workflow = instances.open_case(uow, case, clock).workflow
        ok = signatures.check_signed(uow.conn, workflow, case, task, "tp.ktht", root=root, trust=trust)
    assert ok is not None and ok.attachment_id == signed.id


def refused(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


def test_refusals_store_nothing(at_approval, clock, trust, pki: Pki, head_key, apology, softhsm: Token):  # noqa: F811
    db, case, task, root = at_approval
    permit = attachments.attach(db, root, case, "giay-phep.pdf", apology, "cv.ktht", clock)
    scan = attachments.attach(db, root, case, "scan.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "cv.ktht", clock)
    before = stored(db, case)

    def sign(key, attachment_id=permit.id):
        return lambda: sign_attachment(db, root, attachment_id, key, "tp.ktht", clock, trust=trust)

    someone_else = refused(sign(Pkcs12Key(pki.signer.p12(PASSWORD), PASSWORD)))  # Đỗ Minh Khôi's
    assert someone_else.code == "signing_not_performer"
    assert str(someone_else) == ("Chứng thư số dùng để ký là của Đỗ Minh Khôi, không phải của người ký (Đặng Quốc "
                                 "Hùng): hãy ký bằng chứng thư số của mình.")
    wrong_password = refused(sign(Pkcs12Key(head_key.data, "sai")))
    assert (wrong_password.code, str(wrong_password)) == (
        "signing_p12_unreadable", "Không mở được tệp chứng thư số PKCS#12: sai mật khẩu hoặc tệp hỏng.")
    expired = issue(pki.root, "Đặng Quốc Hùng", not_after=pki.expired.cert.not_valid_after_utc,
                    not_before=pki.expired.cert.not_valid_before_utc)
    assert refused(sign(Pkcs12Key(expired.p12(PASSWORD), PASSWORD))).code == "signing_certificate_expired"
    assert refused(sign(Pkcs12Key(pki.stranger.p12(PASSWORD), PASSWORD))).code == "signing_certificate_untrusted"
    assert refused(sign(softhsm.key(token="khong-cam"))).code == "signing_token_not_found"
    assert refused(sign(head_key, scan.id)).code == "signing_not_pdf"
    assert stored(db, case) == before


def test_statuses_of_a_case_files(at_approval, clock, trust, head_key, apology):  # noqa: F811
    from .test_agreement import flip_signed_byte

    db, case, task, root = at_approval
    draft = attachments.attach(db, root, case, "du-thao.pdf", apology, "cv.ktht", clock)
    signed = sign_attachment(db, root, draft.id, head_key, "tp.ktht", clock, trust=trust)
    changed = attachments.attach(db, root, case, "sua.pdf",
                                 flip_signed_byte(attachments.blob_path(root, signed.sha256).read_bytes()),
                                 "cv.ktht", clock)
    attachments.attach(db, root, case, "anh.png", b"\x89PNG\r\n\x1a\n" + bytes(16), "cv.ktht", clock)
    found = signatures.statuses_of_case(db, root, case, "tp.ktht", clock, trust)
    assert {k: (v.status, v.label) for k, v in found.items()} == {
        draft.id: ("", "Tệp không có chữ ký số"),
        signed.id: ("valid", "Chữ ký số hợp lệ"),
        changed.id: ("invalid", "Chữ ký số không hợp lệ: nội dung đã bị thay đổi hoặc chữ ký bị hỏng")}
    assert found[signed.id].signers == ("ĐẶNG QUỐC HÙNG",)
    with pytest.raises(Exception, match="may not see"):
        signatures.statuses_of_case(db, root, case, "cv.tckh", clock, trust)  # not their department's case
