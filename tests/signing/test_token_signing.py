"""Issue 16, keys way 2 through the use cases: a head of division records on his personal page that he signs with a
PKCS#11 token (SoftHSM2 here; QUYTRINH_PKCS11_MODULE names the library), types the PIN at the signing step, and the
permit signed with the token's key lets the step complete; pdfsig agrees. A wrong PIN, a token not plugged in and a
server without the library configured are refused in Vietnamese and store nothing."""

from __future__ import annotations

import pytest

from processes import attachments, instances, signer_keys
from processes.errors import InvalidInput
from processes.signed_documents import sign_attachment
from signing.verify import VALID, verify_pdf
from tests.processes.conftest import APPROVE

from .ca import Pki, issue
from .conftest import PIN, TOKEN, Token
from .test_step_signature import at_approval  # noqa: F401  (the fixture)

HEAD, LABEL = "tp.ktht", "dang-quoc-hung"


@pytest.fixture(scope="module")
def head_on_token(softhsm: Token, pki: Pki) -> str:
    """The head of division's key and certificate (ĐẶNG QUỐC HÙNG) put on the test token under LABEL."""
    softhsm.put(LABEL, issue(pki.root, "ĐẶNG QUỐC HÙNG", "hung.dq@donganh.gov.vn"))
    return softhsm.module


@pytest.fixture
def configured(head_on_token: str, pki: Pki, tmp_path, monkeypatch):
    """The deployment's PKCS#11 library, the test CA trusted, a key store of the test's own."""
    monkeypatch.setenv(signer_keys.MODULE_ENV, head_on_token)
    monkeypatch.setenv("QUYTRINH_TRUST_ROOTS", str(pki.root_file))
    monkeypatch.setenv(signer_keys.DIR_ENV, str(tmp_path / "keys"))


def _permit(db, clock, case, task, root, apology: bytes) -> attachments.Attachment:
    db.attachments_root = root  # where the step's completion reads the files
    return attachments.attach(db, root, case, "giay-phep.pdf", apology, "cv.ktht", clock)  # the unsigned draft


def test_a_permit_signed_with_the_token_completes_the_step(configured, at_approval, clock, apology,  # noqa: F811
                                                           pdfsig, tmp_path):
    db, case, task, root = at_approval
    kept = signer_keys.store_token(db, HEAD, TOKEN, LABEL, PIN)
    assert (kept.token, kept.key_label, kept.subject) == (TOKEN, LABEL, "ĐẶNG QUỐC HÙNG")
    assert signer_keys.stored(HEAD) == kept and PIN.encode() not in b"".join(
        p.read_bytes() for p in (tmp_path / "keys").iterdir())  # the PIN is nowhere in the key store
    permit = _permit(db, clock, case, task, root, apology)
    signed = sign_attachment(db, root, permit.id, signer_keys.key_of(HEAD, PIN), HEAD, clock,
                             title="KT. TRƯỞNG PHÒNG / PHÓ TRƯỞNG PHÒNG", task_uuid=task)
    body = attachments.blob_path(root, signed.sha256).read_bytes()
    [report] = verify_pdf(body, signer_keys.configured_trust())
    assert (report.status, report.signer) == (VALID, "ĐẶNG QUỐC HÙNG")
    (tmp_path / "signed.pdf").write_bytes(body)
    [checked] = pdfsig.check(tmp_path / "signed.pdf")
    assert checked["Signature Validation"] == "Signature is Valid."
    assert checked["Certificate Validation"] == "Certificate is Trusted."
    instances.complete(db, task, APPROVE, HEAD, clock)


def test_recording_a_token_checks_it(configured, at_approval):  # noqa: F811
    db = at_approval[0]
    with pytest.raises(InvalidInput) as wrong_pin:
        signer_keys.store_token(db, HEAD, TOKEN, LABEL, "000000")
    with pytest.raises(InvalidInput) as absent:
        signer_keys.store_token(db, HEAD, "khong-cam", LABEL, PIN)
    with pytest.raises(InvalidInput) as not_mine:
        signer_keys.store_token(db, HEAD, TOKEN, "signer", PIN)  # Đỗ Minh Khôi's key on the same token
    assert (wrong_pin.value.code, absent.value.code, not_mine.value.code) == (
        "signing_token_login_failed", "signing_token_not_found", "signing_not_owner")
    assert "sai mã PIN" in str(wrong_pin.value) and "hãy cắm token" in str(absent.value)
    # said against the token form's fields, not the PKCS#12 upload's
    assert wrong_pin.value.errors.keys() == absent.value.errors.keys() == not_mine.value.errors.keys() == {"token"}
    with pytest.raises(InvalidInput) as unlabelled:
        signer_keys.store_token(db, HEAD, " ", LABEL, PIN)
    assert (unlabelled.value.code, unlabelled.value.errors.keys()) == ("signing_token_labels", {"token"})
    assert signer_keys.stored(HEAD) is None


@pytest.mark.parametrize("case", ["wrong_pin", "token_not_present", "module_not_configured"])
def test_a_refused_token_signing_stores_nothing(configured, at_approval, clock, apology, monkeypatch,  # noqa: F811
                                                case):
    db, instance, task, root = at_approval
    signer_keys.store_token(db, HEAD, TOKEN, LABEL, PIN)
    permit = _permit(db, clock, instance, task, root, apology)
    before = attachments.of_case(db, instance)
    pin = "000000" if case == "wrong_pin" else PIN
    if case == "token_not_present":  # the token recorded on the personal page is not plugged in now
        real = signer_keys.Pkcs11Key
        monkeypatch.setattr(signer_keys, "Pkcs11Key", lambda module, token, key, pin: real(
            module, "token-da-rut-ra", key, pin))
    if case == "module_not_configured":
        monkeypatch.delenv(signer_keys.MODULE_ENV)
    with pytest.raises(InvalidInput) as caught:
        sign_attachment(db, root, permit.id, signer_keys.key_of(HEAD, pin), HEAD, clock, task_uuid=task)
    assert caught.value.code == {"wrong_pin": "signing_token_login_failed",
                                 "token_not_present": "signing_token_not_found",
                                 "module_not_configured": "signing_token_not_configured"}[case]
    assert any(word in str(caught.value) for word in ("mã PIN", "hãy cắm token", "system administrator"))
    assert attachments.of_case(db, instance) == before
    with pytest.raises(InvalidInput) as step:
        instances.complete(db, task, APPROVE, HEAD, clock)
    assert step.value.code == "signature_required"  # nothing signed was attached at the step
