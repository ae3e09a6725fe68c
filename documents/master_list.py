"""The master list of internal documents (danh mục tài liệu nội bộ): PDF, DOCX and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import vn
from .forms import render
from .layout import Column, Document, Header, Paragraph, Signature, Signatures, Table, Title

# (header, key in a row, relative width, alignment)
MASTER_COLUMNS = (
    ("TT", "index", 0.5, "C"),
    ("Mã hiệu", "code", 1.3, "L"),
    ("Tên tài liệu", "name", 3.6, "L"),
    ("Lần ban hành", "issue_number", 0.9, "C"),
    ("Ngày ban hành", "issue_date", 1.1, "C"),
    ("Ngày hiệu lực", "effective_date", 1.1, "C"),
    ("Đơn vị soạn thảo", "owner", 1.8, "L"),
    ("Tình trạng", "status_label", 1.1, "C"),  # VersionStatus.label, filled in by processes
)


def _cell(row: dict[str, Any], key: str, index: int) -> str:
    if key == "index":
        return str(index)
    value = row.get(key)
    if isinstance(value, dt.date | dt.datetime):
        return vn.short_date(value)
    if isinstance(value, str) and key.endswith("_date") and len(value) == 10 and value[4] == "-":
        return vn.short_date(dt.date.fromisoformat(value))
    if key == "issue_number" and value not in (None, ""):
        return str(value).zfill(2)
    return vn.nfc(value if value is not None else "")


def master_rows(rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The list's cells as text, in code order (TT, code, name, issue, dates, owner, status)."""
    ordered = sorted(rows, key=lambda r: str(r.get("code", "")))
    return [tuple(_cell(r, key, i) for _h, key, _w, _a in MASTER_COLUMNS) for i, r in enumerate(ordered, 1)]


def build_master_list(rows: list[dict[str, Any]], agency: str, on_date: dt.date, place: str = "",
                      parent_agency: str = "", approver: str = "", approver_title: str = "") -> Document:
    """The master list as a Document (landscape A4)."""
    doc = Document(title="Danh mục tài liệu nội bộ", landscape=True, font_size=12, footer_page_numbers=True)
    doc.add(Header(agency_lines=tuple(x for x in (parent_agency, agency) if x),
                   place_date=vn.place_date(place, on_date)))
    doc.add(Title("DANH MỤC TÀI LIỆU NỘI BỘ", ("Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
                                                f"(Cập nhật đến {vn.long_date(on_date)})")))
    doc.add(Table(tuple(Column(h, w, a) for h, _k, w, a in MASTER_COLUMNS), tuple(master_rows(rows)), size=10.5))
    doc.add(Paragraph(f"Tổng số: {len(rows)} tài liệu.", italic=True))
    doc.add(Signatures((Signature("", "", ""), Signature(approver_title or "NGƯỜI PHÊ DUYỆT",
                                                         "(Ký, ghi rõ họ tên)", approver))))
    return doc


def render_master_list(rows: list[dict[str, Any]], agency: str, on_date: dt.date, fmt: str = "pdf",
                       **kwargs: Any) -> bytes:
    """The master list as 'pdf', 'docx' or 'xlsx' bytes."""
    if fmt == "xlsx":
        return master_list_xlsx(rows, agency, on_date)
    return render(build_master_list(rows, agency, on_date, **kwargs), fmt)


def master_list_xlsx(rows: list[dict[str, Any]], agency: str, on_date: dt.date) -> bytes:
    """The master list as an Excel workbook (one sheet, header frozen, columns sized)."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one empty worksheet
    sheet.title = "Danh mục tài liệu"
    width = len(MASTER_COLUMNS)
    sheet.append([vn.nfc(agency).upper()])
    sheet.append(["DANH MỤC TÀI LIỆU NỘI BỘ"])
    sheet.append([f"Cập nhật đến {vn.long_date(on_date)}"])
    for r in (1, 2, 3):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        sheet.cell(r, 1).alignment = Alignment(horizontal="center")
        sheet.cell(r, 1).font = Font(name="Times New Roman", bold=r < 3, italic=r == 3, size=13 if r == 2 else 12)
    sheet.append([])
    sheet.append([h for h, _k, _w, _a in MASTER_COLUMNS])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_row = sheet.max_row
    for c in range(1, width + 1):
        cell = sheet.cell(header_row, c)
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for values in master_rows(rows):
        sheet.append(list(values))
        for c in range(1, width + 1):
            cell = sheet.cell(sheet.max_row, c)
            cell.font = Font(name="Times New Roman")
            cell.alignment = Alignment(vertical="top", wrap_text=True,
                                       horizontal="center" if MASTER_COLUMNS[c - 1][3] == "C" else "left")
            cell.border = border
    for c, (_h, _k, w, _a) in enumerate(MASTER_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(c)].width = max(6, w * 12)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1).coordinate
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
