"""Issue 14 item 2: the ISO procedure document names forms by title, fills its header, and a procedure issued
before quytrinh keeps its issue date and signers (BPMN properties); the catalog links every document."""

from __future__ import annotations

import html
import io

import pytest
from pypdf import PdfReader

from processes import procedures, versions
from tests.conftest import BPMN_DIR
from tests.web.conftest import csrf_of


@pytest.fixture
def catalog_ready(deployed, org, clock):
    """QT-XD-01 and QT-ISO-01 (both carry issue_date, drafted_by, reviewed_by, approved_by) adopted."""
    deployed("QT-ISO-01.bpmn")
    deployed("QT-XD-01.bpmn")
    procedures.adopt_deployed(org, clock)
    return org


def _pdf_text(body: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())


def test_an_adopted_procedure_keeps_the_issue_date_and_signers_of_its_bpmn(catalog_ready):
    v1 = versions.list_versions(catalog_ready, "QT-XD-01")[0]
    assert (str(v1["issue_date"]), str(v1["effective_date"])) == ("2024-12-16", "2024-12-16")
    assert (v1["drafted_by"], v1["reviewed_by"], v1["approved_by"]) == ("iso", "tp.nv", "pct")


def test_without_those_properties_the_deploy_day_and_deployer(clock):
    xml = (BPMN_DIR / "QT-XD-01.bpmn").read_text(encoding="utf-8")
    bare = "\n".join(line for line in xml.splitlines()
                     if not any(f'name="{k}"' in line for k in procedures.ISSUE_PROPERTIES))
    values = procedures.issued_as(bare, "iso", clock.now())
    assert values["issue_date"] == values["effective_date"] == clock.now().astimezone(procedures.VN).date()
    assert values["drafted_by"] == "iso" and "approved_by" not in values


def test_document_header_forms_and_signers(catalog_ready, login):
    text = _pdf_text(login("iso").get("/quality/procedures/QT-XD-01/versions/1/document.pdf").data)
    assert "UBND HUYỆN AN PHÚ" in text  # the header's left cell: the agency
    assert "Mã hiệu: QT-XD-01" in text and "Lần ban hành: 01" in text and "Ngày ban hành: 16/12/2024" in text
    assert "Trang: 1/" in text
    assert "tiep_nhan_gpxd" not in text and "Phiếu tiếp nhận, kiểm tra thành phần hồ sơ" in text
    assert "Mẫu số 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    assert "Lý Văn Phúc" in text and "Nguyễn Văn Thành" in text and "Lãnh đạo UBND huyện" in text
    assert "Hội đồng" not in text  # pct signs as the approver of QT-ISO-01, not in his first leader role


def test_catalog_and_procedure_pages_link_the_documents(catalog_ready, login):
    client = login("iso")
    listing = html.unescape(client.get("/quality/procedures").get_data(as_text=True))
    for fmt in ("pdf", "docx", "xlsx"):
        assert f"/quality/master-list.{fmt}" in listing
    assert "/quality/procedures/QT-XD-01/versions/1/document.pdf" in listing
    page = client.get("/quality/procedures/QT-XD-01").get_data(as_text=True)
    assert "/quality/procedures/QT-XD-01/versions/1/document.docx" in page
    assert "16/12/2024" in page


def test_a_procedure_issued_on_paper_is_imported_with_its_issue_date_and_signers(org, deployed, login):
    from tests.processes.quality_helpers import deploy_approval

    deploy_approval(deployed)
    xml = (BPMN_DIR / "QT-XD-01.bpmn").read_text(encoding="utf-8")
    bare = "\n".join(line for line in xml.splitlines()
                     if not any(f'name="{k}"' in line for k in procedures.ISSUE_PROPERTIES))
    client = login("iso")

    def upload(**fields: str):
        token = csrf_of(client.get("/quality/procedures").data)
        return client.post("/quality/procedures/upload", data={
            "csrf_token": token, "bpmn": (io.BytesIO(bare.encode()), "QT-XD-01.bpmn"), **fields},
            content_type="multipart/form-data", follow_redirects=True)

    future = html.unescape(upload(issue_date="2999-01-01").get_data(as_text=True))
    assert "Ngày ban hành không hợp lệ" in future
    assert "QT-XD-01" not in [r["code"] for r in procedures.list_catalog(org)]
    upload(issue_date="2023-05-10", drafted_by="iso", reviewed_by="tp.nv", approved_by="Nguyễn Văn Thành")
    v1 = versions.list_versions(org, "QT-XD-01")[0]
    assert (v1["status"], str(v1["issue_date"]), str(v1["effective_date"])) == ("effective", "2023-05-10",
                                                                                 "2023-05-10")
    assert (v1["drafted_by"], v1["reviewed_by"], v1["approved_by"]) == ("iso", "tp.nv", "Nguyễn Văn Thành")
    text = _pdf_text(client.get("/quality/procedures/QT-XD-01/versions/1/document.pdf").data)
    assert "Ngày ban hành: 10/05/2023" in text and "Lý Văn Phúc" in text and "Nguyễn Văn Thành" in text


def test_master_list_names_the_drafting_unit_and_the_approver(catalog_ready, login):
    text = _pdf_text(login("iso").get("/quality/master-list.pdf").data)
    assert "Văn phòng HĐND và UBND huyện" in text  # iso's unit, not the account name
    assert "Nguyễn Văn Thành" in text  # who approves procedures signs the list
    page = html.unescape(login("iso").get("/quality/procedures/QT-XD-01").get_data(as_text=True))
    assert "Trần Thị Thu (Thư ký ISO) / Lý Văn Phúc / Nguyễn Văn Thành" in page
