"""Issue 16 in the web pages: the approver types his key's password on the approval page; approving signs the ISO
document, and the procedure page offers the signed PDF with its verification status. A refusal is said in
Vietnamese and stores nothing."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from demo.signing_keys import DEMO_KEY_PASSWORD, ensure_keys
from processes.signatures import configured_trust
from processes.workspace_schema import attachments
from signing.verify import VALID, verify_pdf
from tests.processes.conftest import CODE
from tests.processes.quality_helpers import (
    LEADER,
    RENAMED,
    approval_task,
    catalog_with_test_procedure,
    review,
    status_of,
)
from tests.web.conftest import csrf_of


@pytest.fixture
def at_approval(org, clock, deployed, login):
    """Version 2 of the test procedure reviewed and waiting for pct, who has a demo key; the approval task id."""
    catalog_with_test_procedure(org, clock, deployed)
    ensure_keys(org, [LEADER])
    iso = login("iso")
    assert iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"}).status_code == 200
    assert iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={}).status_code == 200
    review(org, clock, CODE, 2, "dong_y")
    return approval_task(org, CODE, 2, LEADER)


def _approve(client, task: str, **fields: str):
    token = csrf_of(client.get(f"/quality/review/{task}").data)
    return client.post(f"/quality/review/{task}", data={"csrf_token": token, "ket_qua_phe_duyet": "phe_duyet",
                                                        **fields}, follow_redirects=True)


def test_the_approver_signs_with_his_password_and_the_page_offers_the_signed_document(at_approval, login, org):
    pct = login(LEADER)
    page = html.unescape(pct.get(f"/quality/review/{at_approval}").get_data(as_text=True))
    assert 'name="signing_password"' in page and 'value="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"' in page
    done = _approve(pct, at_approval, signing_password=DEMO_KEY_PASSWORD)
    assert done.status_code == 200 and status_of(org, CODE, 2) == "effective"
    procedure = html.unescape(login("cv.ktht").get(f"/quality/procedures/{CODE}?v=2").get_data(as_text=True))
    link = f"/quality/procedures/{CODE}/versions/2/document-signed.pdf"
    assert link in procedure and "PDF đã ký số" in procedure and "Chữ ký số hợp lệ" in procedure
    body = login("cv.ktht").get(link).data
    [report] = verify_pdf(body, configured_trust())
    assert (report.status, report.signer) == (VALID, "Nguyễn Văn Thành (Phó Chủ tịch UBND huyện)")
    assert f"/quality/procedures/{CODE}/versions/1/document-signed.pdf" not in procedure  # v1: adopted unsigned


@pytest.mark.parametrize(("fields", "said"), [
    ({"signing_password": "sai mật khẩu"}, "sai mật khẩu hoặc tệp hỏng"),
    ({}, "hãy nhập mật khẩu của chứng thư số"),
])
def test_a_refusal_is_said_and_nothing_is_stored(at_approval, login, org, fields, said):
    pct = login(LEADER)
    page = html.unescape(_approve(pct, at_approval, **fields).get_data(as_text=True))
    assert said in page
    assert status_of(org, CODE, 2) == "in_review" and approval_task(org, CODE, 2, LEADER) == at_approval
    assert "document-signed.pdf" not in login("iso").get(f"/quality/procedures/{CODE}").get_data(as_text=True)


def test_without_a_stored_key_the_page_says_where_to_store_it(at_approval, login, tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_SIGNING_KEYS_DIR", str(tmp_path / "no-keys"))  # a key store where pct has none
    page = html.unescape(login(LEADER).get(f"/quality/review/{at_approval}").get_data(as_text=True))
    assert "bạn chưa lưu chứng thư số" in page and "/signing-key" in page


@pytest.mark.parametrize("fields", [{}, {"signing_password": "sai mật khẩu"}])
def test_the_api_and_the_page_refuse_alike_and_store_nothing(at_approval, login, org, fields):
    """One use case behind both (approval_signing.decide_with_stored_key): the same code, the same Vietnamese."""
    pct = login(LEADER)
    refused = pct.post(f"/api/tasks/{at_approval}/complete", json={"data": {"ket_qua_phe_duyet": "phe_duyet"},
                                                                   **fields})
    assert refused.status_code == 422
    assert refused.json["code"] == ("signing_p12_unreadable" if fields else "approval_signature_password")
    page = html.unescape(_approve(pct, at_approval, **fields).get_data(as_text=True))
    assert refused.json["error"] in page
    assert status_of(org, CODE, 2) == "in_review" and approval_task(org, CODE, 2, LEADER) == at_approval
    with org.read() as conn:
        assert conn.execute(select(func.count()).select_from(attachments)).scalar_one() == 0


def test_the_api_approves_with_the_password(at_approval, login, org):
    done = login(LEADER).post(f"/api/tasks/{at_approval}/complete", json={
        "data": {"ket_qua_phe_duyet": "phe_duyet"}, "signing_password": DEMO_KEY_PASSWORD})
    assert done.status_code == 200, done.json
    assert status_of(org, CODE, 2) == "effective"
