"""A sample building-permit dossier and PDF/DOCX text helpers for the document-generation tests."""

from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from documents import DocumentItem, DossierData, StepRecord

VN = dt.timezone(dt.timedelta(hours=7))
BASE_URL = "https://dichvucong.donganh.gov.vn"


def at(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2026) -> dt.datetime:
    """An instant in Vietnam time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def sample_dossier(**changes) -> DossierData:
    """A building-permit dossier received on Monday 5 January 2026 at 09:15."""
    dossier = DossierData(
        code="H01-260105-0001", procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ", procedure_code="QT-XD-01",
        agency="Ủy ban nhân dân huyện Đông Anh", parent_agency="Ủy ban nhân dân thành phố Hà Nội", place="Đông Anh",
        applicant_name="Nguyễn Văn Ánh", applicant_id="001200012345",
        applicant_address="Số 12 ngõ 5, thôn Đản Dị, xã Uy Nỗ", applicant_phone="0912 345 678",
        channel="truc_tiep", deadline="P15D", received_at=at(5, 9, 15), appointment_at=at(26, 9, 15),
        new_appointment_at=at(29, 16),
        documents=[DocumentItem("Đơn đề nghị cấp giấy phép xây dựng", "original", 1),
                   DocumentItem("Giấy chứng nhận quyền sử dụng đất", "certified", 1),
                   DocumentItem("Bản vẽ thiết kế xây dựng", "photocopy", 2)],
        steps=[
            StepRecord("Tiếp nhận, kiểm tra thành phần hồ sơ", "Bộ phận một cửa", "Phạm Thị Hường",
                       at(5, 9, 15), at(5, 10, 30), at(5, 13, 30), "on_time"),
            StepRecord("Thẩm định hồ sơ, kiểm tra thực địa", "Phòng Kinh tế – Hạ tầng", "Lê Quốc Việt",
                       at(5, 10, 30), at(14, 15), at(16, 10, 30), "early"),
            StepRecord("Xem xét hồ sơ, trình ký", "Lãnh đạo Phòng Kinh tế – Hạ tầng", "Trần Đức Thắng",
                       at(14, 15), at(16, 16), at(15, 15), "late"),
            StepRecord("Ký giấy phép xây dựng", "Lãnh đạo UBND huyện", "Đỗ Minh Khôi", at(16, 16), None, at(20, 16)),
        ],
        officer_name="Phạm Thị Hường", head_name="Đỗ Minh Khôi", head_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        handling_unit="Phòng Kinh tế – Hạ tầng",
        reasons=["Bổ sung bản vẽ mặt bằng móng tỷ lệ 1/100", "Bổ sung cam kết bảo đảm an toàn công trình liền kề"],
        apology_reason="Cần lấy ý kiến cơ quan quản lý di tích về vị trí xây dựng", document_number="15/GTN-MC",
    )
    for key, value in changes.items():
        setattr(dossier, key, value)
    return dossier


def flat(text: str) -> str:
    """Whitespace (line breaks inside table cells included) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, pages in order, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return flat(" ".join(page.extract_text() or "" for page in reader.pages))


def pdf_pages(data: bytes) -> list:
    """The pages of a PDF (pypdf page objects)."""
    return list(PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a DOCX, in document order, whitespace collapsed."""
    doc = open_docx(io.BytesIO(data))
    parts = []
    for element in [s.header._element for s in doc.sections] + [doc.element.body]:
        for para in element.iter(qn("w:p")):
            parts.append("".join(t.text or "" for t in para.iter(qn("w:t"))))
    return flat(" ".join(parts))


def in_order(text: str, needles: list[str]) -> int:
    """Assert every needle occurs in `text` after the previous one; returns where the last one ends."""
    position = 0
    for needle in needles:
        found = text.find(flat(needle), position)
        assert found >= 0, f"{needle!r} not found after position {position}: …{text[position:position + 200]}…"
        position = found + len(flat(needle))
    return position
