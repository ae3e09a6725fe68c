"""The quality manager downloads the ISO procedure document and the master list; their text matches the BPMN."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from engine.model import read_process
from engine.xml import BPMN_NS, load_xml
from processes import procedures
from tests.conftest import BPMN_DIR


@pytest.fixture
def catalog_ready(deployed, org, clock):
    """QT-XD-01 deployed and brought under document control."""
    deployed("QT-XD-01.bpmn")
    procedures.adopt_deployed(org, clock)
    return org


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_procedure_document_pdf_carries_every_step_of_the_bpmn(catalog_ready, login):
    # The order of the step table against the flow is checked in tests/processes/test_documents_procedure.py.
    reply = login("iso").get("/quality/procedures/QT-XD-01/versions/1/document.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert "QT-XD-01" in reply.headers["Content-Disposition"]
    text = " ".join(_pdf_text(reply.data).split())
    process = next(load_xml((BPMN_DIR / "QT-XD-01.bpmn").read_bytes()).getroot().iter(f"{{{BPMN_NS}}}process"))
    info, _ = read_process(process, {})
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in text
    for step in info.steps.values():
        first_words = " ".join(step.name.split()[:3])
        assert first_words in text, f"step {step.element_id} ({step.name}) missing from the document"


def test_procedure_document_docx_and_unknown_format(catalog_ready, login):
    client = login("iso")
    docx = client.get("/quality/procedures/QT-XD-01/versions/1/document.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert client.get("/quality/procedures/QT-XD-01/versions/1/document.exe").status_code == 404


def test_master_list_exports_current_issue_numbers(catalog_ready, login):
    reply = login("tp.nv").get("/quality/master-list.xlsx")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.data)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("QT-XD-01" in c for c in cells)
    pdf = login("iso").get("/quality/master-list.pdf")
    assert "QT-XD-01" in _pdf_text(pdf.data) and "UBND HUYỆN AN PHÚ" in _pdf_text(pdf.data)


def test_documents_need_login(catalog_ready, client):
    assert client.get("/quality/master-list.pdf").status_code == 302
