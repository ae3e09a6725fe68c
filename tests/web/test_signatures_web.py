"""Digital signatures in the browser (issue 16): the key on the personal page, signing at the signing step,
the verdict beside each file and in the API."""

from __future__ import annotations

import io

import pytest

from processes import attachments, instances
from tests.processes.conftest import APPROVE, CHECK_OK, RECEIVE, single_task, start_case, work
from tests.signing.ca import Pki, issue, make_pki
from tests.signing.test_step_signature import with_sign

from .conftest import csrf_of

PASSWORD = "mật khẩu ký số"


@pytest.fixture
def pki(tmp_path) -> Pki:
    return make_pki(tmp_path)


@pytest.fixture
def signing_app(app, deployed, org, clock, tmp_path, monkeypatch, pki, apology_pdf):
    """The app, a case of the test procedure waiting at its signing step (tp.ktht), a draft PDF attached."""
    root = tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = str(root)
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    org.attachments_root = root  # where the completion check looks (create_app sets it from ATTACHMENTS_DIR)
    monkeypatch.setenv("QUYTRINH_TRUST_ROOTS", str(pki.root_file))
    monkeypatch.setenv("QUYTRINH_SIGNING_KEYS_DIR", str(tmp_path / "keys"))
    deployed(with_sign("result"))
    moved = start_case(org, clock)
    work(org, clock, "motcua", RECEIVE, moved.instance_id)
    work(org, clock, "cv.ktht", CHECK_OK, moved.instance_id)
    task = single_task(org, "tp.ktht", moved.instance_id).id
    draft = attachments.attach(org, root, moved.instance_id, "giay-phep.pdf", apology_pdf, "cv.ktht", clock)
    return moved.business_key, moved.instance_id, task, draft


@pytest.fixture
def apology_pdf() -> bytes:
    import datetime as dt

    from documents.forms import render_form
    from tests.documents.sample import sample_dossier

    return render_form("apology", sample_dossier(), on_date=dt.date(2026, 1, 5))


def upload_key(client, data: bytes, password: str):
    token = csrf_of(client.get("/signing-key").data)
    return client.post("/signing-key", data={"p12": (io.BytesIO(data), "hung.p12"), "password": password,
                                             "csrf_token": token}, content_type="multipart/form-data")


def test_key_kept_then_used_to_sign_at_the_step(signing_app, user, pki: Pki, org, clock):
    code, case, task, draft = signing_app
    head = user("tp.ktht")
    assert "Chưa lưu chứng thư số nào." in head.get("/signing-key").get_data(as_text=True)
    p12 = issue(pki.root, "ĐẶNG QUỐC HÙNG").p12(PASSWORD)

    wrong = upload_key(head, p12, "sai")
    assert wrong.status_code == 422
    assert "Không mở được tệp chứng thư số PKCS#12: sai mật khẩu hoặc tệp hỏng." in wrong.get_data(as_text=True)
    assert upload_key(head, p12, PASSWORD).status_code == 302
    page = head.get("/signing-key").get_data(as_text=True)
    assert "ĐẶNG QUỐC HÙNG" in page and "quytrinh Test Root CA" in page

    task_page = head.get(f"/tasks/{task}").get_data(as_text=True)  # at the step: a form to sign each PDF
    assert f"/dossiers/{code}/attachments/{draft.id}/sign" in task_page and "Mật khẩu chứng thư số" in task_page
    token = csrf_of(head.get(f"/dossiers/{code}").data)
    signed = head.post(f"/dossiers/{code}/attachments/{draft.id}/sign",
                       data={"password": PASSWORD, "task": task, "title": "TRƯỞNG PHÒNG", "csrf_token": token})
    assert signed.status_code == 302
    dossier = head.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "giay-phep-da-ky-so.pdf" in dossier
    assert "Chữ ký số hợp lệ" in dossier and "Tệp không có chữ ký số" in dossier  # the copy and the draft
    moved = instances.complete(org, task, APPROVE, "tp.ktht", clock)  # the signing step may now complete
    assert moved.status == "completed"


def test_the_token_form_shows_only_on_a_server_with_a_token_library(signing_app, user, monkeypatch):
    """A server without a PKCS#11 library offers no token form; a token recorded there anyway is refused with
    a text for the officer (call the administrator), not the name of the server's setting."""
    head = user("tp.ktht")
    monkeypatch.delenv("QUYTRINH_PKCS11_MODULE", raising=False)
    page = head.get("/signing-key").get_data(as_text=True)
    assert "Chưa lưu chứng thư số nào." in page and 'id="token-form"' not in page
    refused = head.post("/signing-key/token", data={"token": "VNPT-CA", "key": "khoa", "pin": "123456",
                                                   "csrf_token": csrf_of(page.encode())})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "hãy báo quản trị hệ thống" in text and "QUYTRINH_" not in text
    monkeypatch.setenv("QUYTRINH_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
    assert 'id="token-form"' in head.get("/signing-key").get_data(as_text=True)


def test_completion_without_signature_is_refused_in_vietnamese(signing_app, user):
    code, case, task, draft = signing_app
    head = user("tp.ktht")
    token = csrf_of(head.get(f"/tasks/{task}").data)
    page = head.post(f"/tasks/{task}", data={**APPROVE, "csrf_token": token})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "cần kết quả giải quyết (tệp PDF) có chữ ký số của người thực hiện" in text  # nothing signed at the step
    assert "signature" not in text.lower()  # not the English of processes/error_codes.py


def test_api_gives_each_signature(signing_app, user, pki: Pki, org, clock, tmp_path):
    from processes.signed_documents import sign_attachment
    from signing.keys import Pkcs12Key
    from signing.trust import Trust

    code, case, task, draft = signing_app
    key = Pkcs12Key(issue(pki.root, "ĐẶNG QUỐC HÙNG").p12(PASSWORD), PASSWORD)
    signed = sign_attachment(org, tmp_path / "attachments", draft.id, key, "tp.ktht", clock,
                             trust=Trust.from_paths([pki.root_file]))
    head = user("tp.ktht")
    body = head.get(f"/api/attachments/{signed.id}/signatures").get_json()
    assert body["valid"] is True and body["summary"] == "Chữ ký số hợp lệ"
    assert [(s["status"], s["signer"]) for s in body["signatures"]] == [("valid", "ĐẶNG QUỐC HÙNG")]
    assert head.get(f"/api/attachments/{draft.id}/signatures").get_json()["signatures"] == []
    assert user("cv.tckh").get(f"/api/attachments/{signed.id}/signatures").status_code == 403
