"""The procedure page shows each approved version's signed ISO document with its verification status (issue 16):
the trust roots and CRLs are read once for the page, not once for each row of its versions table."""

from __future__ import annotations

import html
from typing import NoReturn

from processes import approval_signing, attachments, signatures, versions
from signing.trust import Trust
from tests.processes.conftest import BPMN, CODE
from tests.processes.quality_helpers import ISO, RENAMED, approve, attachments_root, catalog_with_test_procedure


def test_the_page_reads_the_trust_once_for_all_its_signed_versions(org, clock, deployed, login, monkeypatch):
    catalog_with_test_procedure(org, clock, deployed)
    for number, xml in ((2, RENAMED), (3, BPMN)):  # two versions approved, each with its signed document
        versions.save_draft(org, clock, ISO, CODE, xml, f"Lần {number}")
        approve(org, clock, CODE, number)
    read = signatures.configured_trust
    calls: list[int] = []

    def counted() -> Trust:
        calls.append(1)
        return read()

    monkeypatch.setattr(signatures, "configured_trust", counted)
    page = html.unescape(login("cv.ktht").get(f"/quality/procedures/{CODE}").get_data(as_text=True))
    for number in (2, 3):
        assert f"/quality/procedures/{CODE}/versions/{number}/document-signed.pdf" in page
    assert page.count("Chữ ký số hợp lệ") == 2
    assert len(calls) == 1


def test_the_download_serves_the_signed_copy_without_verifying_it(org, clock, deployed, login, monkeypatch):
    """The page shows the status; the download serves the stored bytes whatever they are (it did verify them)."""
    catalog_with_test_procedure(org, clock, deployed)
    versions.save_draft(org, clock, ISO, CODE, RENAMED, "Lần 2")
    approve(org, clock, CODE, 2)
    copy = approval_signing.signed_copy(org, CODE, 2)
    assert copy is not None

    def refused(*_args: object, **_kwargs: object) -> NoReturn:
        raise AssertionError("the download verified the signed copy")

    monkeypatch.setattr(signatures, "file_status", refused)
    monkeypatch.setattr(signatures, "configured_trust", refused)
    client = login("cv.ktht")
    reply = client.get(f"/quality/procedures/{CODE}/versions/2/document-signed.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data == attachments.blob_path(attachments_root(org), copy.sha256).read_bytes()
    assert f'filename="{copy.filename}"' in reply.headers["Content-Disposition"]
    missing = client.get(f"/quality/procedures/{CODE}/versions/1/document-signed.pdf")  # v1: adopted unsigned
    assert missing.status_code == 404 and "Không tìm thấy." in html.unescape(missing.get_data(as_text=True))
