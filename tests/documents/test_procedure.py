"""The ISO procedure document follows the BPMN step for step; the master list exports to PDF, DOCX, XLSX."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

import pytest
from docx.oxml.ns import qn
from openpyxl import load_workbook

from documents import build_procedure_document, render_master_list, render_procedure_document
from documents.flow import flow_steps
from documents.procedure import main_path_total, step_rows
from documents.vn import duration_vn
from tests.conftest import BPMN_DIR
from tests.documents.sample import docx_text, in_order, pdf_pages, pdf_text

META = {
    "agency": "Ủy ban nhân dân huyện Đông Anh", "issue_number": 2, "issue_date": "2026-01-05",
    "purpose": "Quy định trình tự cấp giấy phép xây dựng nhà ở riêng lẻ trên địa bàn huyện.",
    "scope": "Áp dụng đối với Bộ phận Một cửa, Phòng Kinh tế – Hạ tầng và Văn phòng HĐND và UBND huyện.",
    "references": ["Quyết định số 101/QĐ-BKHCN ngày 21/01/2019 của Bộ Khoa học và Công nghệ"],
    "definitions": {"GPXD": "Giấy phép xây dựng", "TN&TKQ": "Tiếp nhận và trả kết quả"},
    "forms": {"tiep_nhan_gpxd": "BM.01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả"},
    "records": [{"record": "Hồ sơ đề nghị cấp giấy phép xây dựng", "where": "Phòng Kinh tế – Hạ tầng",
                 "retention": "Vĩnh viễn"}],
    "approvals": {"drafted": {"name": "Phạm Thị Hường", "title": "Chuyên viên", "date": "2025-12-20"},
                  "reviewed": {"name": "Trần Đức Thắng", "title": "Trưởng phòng", "date": "2025-12-26"},
                  "approved": {"name": "Đỗ Minh Khôi", "title": "Phó Chủ tịch", "date": dt.date(2026, 1, 5)}},
    "revisions": [{"date": "2026-01-05", "section": "Mục 5", "content": "Bổ sung bước vào số, đóng dấu",
                   "issue_number": 2}],
}
XD = BPMN_DIR / "QT-XD-01.bpmn"


@pytest.fixture(scope="module")
def xd_pdf() -> bytes:
    return render_procedure_document(XD.read_bytes(), META, "pdf")


def test_step_table_in_the_pdf_matches_the_bpmn_in_order(xd_pdf):
    info, steps = flow_steps(XD.read_bytes())
    assert steps and steps[0].main
    text = pdf_text(xd_pdf)
    start = text.index("Trình tự công việc Trách nhiệm Thời gian Biểu mẫu/Kết quả")
    needles = []
    for i, step in enumerate(steps, 1):
        needles += [str(i), step.name, step.lane, duration_vn(step.due)]
    in_order(text[start:], needles)
    # The XML itself agrees: every user task of the file is in the table, with its lane and time.
    from lxml import etree

    root = etree.fromstring(XD.read_bytes())
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    tasks = root.findall(".//bpmn:userTask", ns)
    assert {t.get("name") for t in tasks} == {s.name for s in steps}
    rows = {(s.name, s.lane, duration_vn(s.due)) for s in steps}
    for task in tasks:
        lane = root.xpath(f".//bpmn:lane[bpmn:flowNodeRef='{task.get('id')}']", namespaces=ns)[0]
        due = task.get("{http://camunda.org/schema/1.0/bpmn}dueDate")
        assert (task.get("name"), lane.get("name"), duration_vn(due)) in rows


def test_main_path_comes_first_then_branches():
    _, steps = flow_steps(XD.read_bytes())
    names = [s.name for s in steps]
    main = [s.name for s in steps if s.main]
    assert names[:len(main)] == main
    assert main[0].startswith("Tiếp nhận") and main[-1].startswith("Trả")
    assert all(s.branch for s in steps if not s.main)
    days = sum(Fraction(s.due[1:-1]) for s in steps if s.main and s.due)
    assert main_path_total(steps) == duration_vn(f"P{float(days):g}D")


def test_default_flow_is_the_main_path():
    _, steps = flow_steps((BPMN_DIR / "QT-CT-01.bpmn").read_bytes())
    main = [s.name for s in steps if s.main]
    assert "Ký chứng thực, đóng dấu" in main
    assert all("kéo dài" not in name for name in main)


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.stem)
def test_every_procedure_lists_each_step_once(path):
    info, steps = flow_steps(path.read_bytes())
    assert len({s.element_id for s in steps}) == len(steps) == len(info.steps)
    rows = step_rows(steps)
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(steps) + 1)]


def test_header_approvals_revisions_and_sections(xd_pdf):
    pages = pdf_pages(xd_pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        text = " ".join((page.extract_text() or "").split())
        assert "Mã hiệu: QT-XD-01" in text and "Lần ban hành: 02" in text
        assert "Ngày ban hành: 05/01/2026" in text and f"Trang: {number}/{len(pages)}" in text
    text = pdf_text(xd_pdf)
    in_order(text, ["Người soạn thảo", "Người xem xét", "Người phê duyệt", "Phạm Thị Hường", "Trần Đức Thắng",
                    "Đỗ Minh Khôi", "20/12/2025", "26/12/2025", "05/01/2026",
                    "BẢNG THEO DÕI SỬA ĐỔI TÀI LIỆU", "Bổ sung bước vào số, đóng dấu",
                    "1. MỤC ĐÍCH", "2. PHẠM VI", "3. TÀI LIỆU VIỆN DẪN", "Quyết định số 101/QĐ-BKHCN",
                    "4. ĐỊNH NGHĨA, TỪ VIẾT TẮT", "GPXD", "5. NỘI DUNG QUY TRÌNH", "15 ngày làm việc",
                    "Quy trình xử lý công việc", "6. BIỂU MẪU", "BM.01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                    "7. HỒ SƠ CẦN LƯU", "Hồ sơ đề nghị cấp giấy phép xây dựng", "Vĩnh viễn"])


def test_docx_procedure_has_the_same_step_table():
    data = render_procedure_document(XD.read_bytes(), META, "docx")
    text = docx_text(data)
    assert "Mã hiệu: QT-XD-01" in text and "QUY TRÌNH" in text
    _, steps = flow_steps(XD.read_bytes())
    start = text.index("Trình tự công việc")
    in_order(text[start:], [x for s in steps for x in (s.name, s.lane, duration_vn(s.due))])
    from docx import Document as open_docx

    doc = open_docx(io.BytesIO(data))
    step_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Trình tự công việc")
    assert [r.cells[1].text.split("\n")[0] for r in step_table.rows[1:]] == [s.name for s in steps]


def test_docx_tables_keep_their_column_widths_in_the_grid_libreoffice_lays_out():
    # LibreOffice sizes columns from w:tblGrid, not from the cells' widths: with an even grid the step table's
    # "TT" column took as much of the page as "Trình tự công việc" (seen converting the DOCX to PDF).
    from docx import Document as open_docx

    doc = open_docx(io.BytesIO(render_procedure_document(XD.read_bytes(), META, "docx")))
    step_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Trình tự công việc")
    grid = [int(col.get(qn("w:w"))) for col in step_table._tbl.tblGrid.findall(qn("w:gridCol"))]  # twips
    cells = [round(cell.width / 635) for cell in step_table.rows[1].cells]  # EMU to twips
    assert grid == cells and grid[0] * 3 < grid[1], (grid, cells)
    assert step_table.autofit is False


def test_procedure_document_without_metadata_still_renders():
    doc = build_procedure_document((BPMN_DIR / "QT-VB-01.bpmn").read_bytes(), {})
    assert doc.running_header is not None
    assert "Đăng ký văn bản đến" in pdf_text(render_procedure_document((BPMN_DIR / "QT-VB-01.bpmn").read_bytes(), {}))


ROWS = [
    {"code": "QT-XD-01", "name": "Cấp giấy phép xây dựng nhà ở riêng lẻ", "issue_number": 2,
     "issue_date": "2026-01-05", "effective_date": dt.date(2026, 1, 12), "owner": "Phòng Kinh tế – Hạ tầng",
     "status": "effective", "status_label": "Đang hiệu lực"},
    {"code": "QT-CT-01", "name": "Chứng thực bản sao từ bản chính", "issue_number": 1, "issue_date": "2025-03-02",
     "effective_date": "2025-03-02", "owner": "Phòng Tư pháp", "status": "superseded",
     "status_label": "Hết hiệu lực (thay thế)"},
]


def test_master_list_pdf_docx_xlsx():
    on = dt.date(2026, 1, 15)
    pdf = render_master_list(ROWS, "Ủy ban nhân dân huyện Đông Anh", on, "pdf", place="Đông Anh")
    text = pdf_text(pdf)
    in_order(text, ["DANH MỤC TÀI LIỆU NỘI BỘ", "ngày 15 tháng 01 năm 2026", "QT-CT-01", "Chứng thực bản sao",
                    "01", "02/03/2025", "Hết hiệu lực", "QT-XD-01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "02",
                    "05/01/2026", "12/01/2026", "Phòng Kinh tế – Hạ tầng", "Đang hiệu lực"])
    assert float(pdf_pages(pdf)[0].mediabox.width) > float(pdf_pages(pdf)[0].mediabox.height)
    docx = render_master_list(ROWS, "Ủy ban nhân dân huyện Đông Anh", on, "docx")
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in docx_text(docx)
    xlsx = render_master_list(ROWS, "Ủy ban nhân dân huyện Đông Anh", on, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = values.index(["TT", "Mã hiệu", "Tên tài liệu", "Lần ban hành", "Ngày ban hành", "Ngày hiệu lực",
                           "Đơn vị soạn thảo", "Tình trạng"])
    assert values[header + 1][:4] == ["1", "QT-CT-01", "Chứng thực bản sao từ bản chính", "01"]
    assert values[header + 2][1:3] == ["QT-XD-01", "Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert values[0][0] == "ỦY BAN NHÂN DÂN HUYỆN ĐÔNG ANH"
