"""The procedure page shows each approved version's signed ISO document with its verification status (issue 16):
the trust roots and CRLs are read once for the page, not once for each row of its versions table."""

from __future__ import annotations

import html

from processes import signatures, versions
from signing.trust import Trust
from tests.processes.conftest import BPMN, CODE
from tests.processes.quality_helpers import ISO, RENAMED, approve, catalog_with_test_procedure


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
