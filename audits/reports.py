"""The annual internal-audit report, the management-review pack and the CCHC figures as HTML, PDF and XLSX.

PDF is drawn with the documents engine (documents/: fpdf2, embedded Vietnamese serif font);
XLSX with openpyxl, one sheet per section; HTML from audits/templates/annual_report.html with the
procedure pictures drawn by bpmn-js's viewer from each file's layout (audits/report_diagrams.py), or inline
as Graphviz SVG for a file without one.
"""

from __future__ import annotations

import io
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from documents import vn
from documents.forms import render as render_document
from documents.layout import (
    Column,
    Document,
    Header,
    Heading,
    Image,
    PageBreak,
    Paragraph,
    Signature,
    Signatures,
    Table,
    Title,
)
from processes.db import Database
from processes.errors import InvalidInput

from .report_data import AnnualReport, build_annual_report
from .report_diagrams import Viewer, body_assets, bundled, drawn_by_viewer, head_assets, heat_view, legend
from .report_tables import Section, sections

FORMATS = ("html", "pdf", "xlsx")
KINDS = {"annual": ("audit", "review", "cchc"), "review": ("review",), "cchc": ("cchc",)}
TITLES = {"annual": "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ NỘI BỘ HỆ THỐNG QUẢN LÝ CHẤT LƯỢNG",
          "review": "HỒ SƠ XEM XÉT CỦA LÃNH ĐẠO", "cchc": "SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH"}
PART_TITLES = {"audit": "A. KẾT QUẢ ĐÁNH GIÁ NỘI BỘ", "review": "B. ĐẦU VÀO XEM XÉT CỦA LÃNH ĐẠO (ISO 9001:2015 9.3.2)",
               "cchc": ""}
# Side of a procedure picture: small enough for the first to fit under its section's heading and text.
PICTURE_MM = 140
_TEMPLATES = Path(__file__).resolve().parent / "templates"


def chosen(report: AnnualReport, kind: str) -> list[Section]:
    """The sections of one kind of report."""
    if kind not in KINDS:
        raise InvalidInput(f"report kind must be one of {', '.join(KINDS)}")
    return [s for s in sections(report) if s.part in KINDS[kind]]


def render_report(report: AnnualReport, fmt: str, kind: str = "annual", viewer: Viewer | None = None) -> bytes:
    """The report as bytes in `fmt` (html, pdf or xlsx); `viewer`: bpmn-js draws the HTML's pictures."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", {"format": fmt})
    if fmt == "html":
        return render_html(report, kind, viewer)
    return {"pdf": render_pdf, "xlsx": render_xlsx}[fmt](report, kind)


def write_report(db: Database, year: int, fmt: str, path: str | Path, kind: str = "annual") -> AnnualReport:
    """Build the report of `year` and write it to `path` (an HTML file carries the diagram viewer); return the
    figures."""
    report = build_annual_report(db, year, pictures=kind == "annual", png=fmt != "html")
    Path(path).write_bytes(render_report(report, fmt, kind, bundled() if fmt == "html" else None))
    return report


def _title_lines(report: AnnualReport, kind: str) -> tuple[str, ...]:
    return ("Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015", f"Năm {report.year}")


def render_html(report: AnnualReport, kind: str = "annual", viewer: Viewer | None = None) -> bytes:
    """The report as one HTML page: each procedure's picture drawn by bpmn-js from the file's layout when a
    `viewer` is given and the file has one, else the Graphviz SVG inline."""
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html"]))
    pictures = {p.code: Markup(heat_view(p) if drawn_by_viewer(p, viewer) else p.svg.decode("utf-8", "replace"))  # noqa: S704 - heat_view escapes every value; the SVG is Graphviz's
                for p in report.pictures}
    drawn = viewer is not None and any(drawn_by_viewer(p, viewer) for p in report.pictures)
    parts = [(PART_TITLES[part], [s for s in chosen(report, kind) if s.part == part]) for part in KINDS[kind]]
    html = env.get_template("annual_report.html").render(
        report=report, title=TITLES[kind], subtitle=_title_lines(report, kind), parts=parts, pictures=pictures,
        generated=vn.date_time(report.generated_at),
        viewer_head=Markup(head_assets(viewer)) if drawn and viewer else "",  # noqa: S704 - the bundle's own text
        viewer_body=Markup(body_assets(viewer)) if drawn and viewer else "",  # noqa: S704 - the bundle's own text
        heat_legend=Markup(legend()) if drawn else "")  # noqa: S704 - fixed text
    return html.encode("utf-8")


def render_pdf(report: AnnualReport, kind: str = "annual") -> bytes:
    """The report as PDF (landscape A4, pages numbered)."""
    doc = Document(title=TITLES[kind].capitalize(), landscape=True, font_size=12, footer_page_numbers=True,
                   subject=f"{report.agency} – {report.year}")
    doc.add(Header(agency_lines=(report.agency,), place_date=vn.place_date("", report.generated_at)))
    doc.add(Title(TITLES[kind], _title_lines(report, kind)))
    pictures = {p.code: p for p in report.pictures}
    current = ""
    for section in chosen(report, kind):
        if section.part != current and PART_TITLES[section.part] and kind == "annual":
            doc.add(Heading(PART_TITLES[section.part]))
        current = section.part
        if section.pictures and any(pictures.get(code) for code in section.pictures):
            doc.add(PageBreak())  # the pictures' section starts a page, so its heading sits above the first one
        doc.add(Heading(section.title, level=2))
        for text in section.paragraphs:
            doc.add(Paragraph(text))
        for table in section.tables:
            if not table.rows:
                doc.add(Paragraph("Không có.", italic=True))
                continue
            widths = table.widths or tuple(1.0 for _ in table.columns)
            doc.add(Table(tuple(Column(c, w, "L" if i < 2 else "C") for i, (c, w) in
                                enumerate(zip(table.columns, widths, strict=True))), tuple(table.rows), size=9.5))
        for code in section.pictures:
            if code in pictures and pictures[code].png:
                doc.add(Image(pictures[code].png, PICTURE_MM, (f"{code} – {report.names.get(code, '')}",)))
    doc.add(Signatures((Signature("THƯ KÝ ISO", "(Ký, ghi rõ họ tên)"),
                        Signature("ĐẠI DIỆN LÃNH ĐẠO", "(Ký, ghi rõ họ tên)"))))
    return render_document(doc, "pdf")


# Sheet names (Excel allows 31 characters): each section's by its number, said in a few whole words.
SHEET_NAMES = {
    "1.": "1. Phạm vi, căn cứ đánh giá", "2.": "2. Tiếp nhận và giải quyết", "3.": "3. Giải quyết theo quy trình",
    "4.": "4. Theo đơn vị và theo tháng", "5.": "5. Thời gian từng bước", "6.": "6. Các bước gây quá hạn",
    "7.": "7. Quá hạn chưa xin lỗi", "8.": "8. Tuân thủ quy trình", "9.": "9. Sơ đồ quy trình thực tế",
    "10.": "10. Chương trình đánh giá", "11.": "11. Các phát hiện", "C.": "C. Số liệu CCHC theo quý",
    "B.a)": "B.a) Hành động lần trước", "B.b)": "B.b) Thay đổi bên ngoài, nội bộ", "B.c1)": "B.c1) Sự hài lòng",
    "B.c2)": "B.c2) Mục tiêu chất lượng", "B.c3)": "B.c3) Kết quả các quá trình",
    "B.c4)": "B.c4) Không phù hợp, khắc phục", "B.c5)": "B.c5) Chỉ số QĐ 766", "B.c6)": "B.c6) Đánh giá nội bộ",
    "B.f)": "B.f) Cơ hội cải tiến"}
SHEET_LIMIT = 31


def _sheet_name(title: str, used: set[str]) -> str:
    """The section's sheet name: its own short name, else its title cut after a whole word; unique."""
    clean = vn.nfc("".join(ch for ch in title if ch not in "[]:*?/\\"))
    base = SHEET_NAMES.get(clean.split(" ", 1)[0]) or _whole_words(clean, SHEET_LIMIT) or "Trang"
    name, n = base, 2
    while name in used:
        name, n = f"{_whole_words(base, SHEET_LIMIT - 3)} {n}", n + 1
    used.add(name)
    return name


def _whole_words(text: str, limit: int) -> str:
    """The longest start of `text` of whole words within `limit` characters (no parenthesis left open)."""
    text = text.split(" (", 1)[0].strip()
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(",;–- ")
    return cut if cut else text[:limit]


def render_xlsx(report: AnnualReport, kind: str = "annual") -> bytes:
    """The report as a workbook: one sheet per section, pictures on their own sheet."""
    book = Workbook()
    if (blank := book.active) is not None:  # the empty sheet a new workbook starts with
        book.remove(blank)
    used: set[str] = set()
    bold = Font(bold=True)
    for section in chosen(report, kind):
        sheet = book.create_sheet(_sheet_name(section.title, used))
        sheet.append([vn.nfc(section.title)])
        sheet.cell(1, 1).font = Font(bold=True, size=13)
        for text in section.paragraphs:
            sheet.append([vn.nfc(text)])
        widths: dict[int, int] = {}
        for table in section.tables:
            sheet.append([])
            sheet.append(list(table.columns))
            for c in range(1, len(table.columns) + 1):
                sheet.cell(sheet.max_row, c).font = bold
            for row in table.rows:
                sheet.append([_cell_value(v) for v in row])
            for i, col in enumerate(table.columns, 1):
                longest = max([len(col)] + [len(str(r[i - 1])) for r in table.rows])
                widths[i] = max(widths.get(i, 8), min(60, longest + 2))
        for i, w in widths.items():
            sheet.column_dimensions[get_column_letter(i)].width = w
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if section.pictures:
            _pictures_into(sheet, report, section)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(text: str):
    """Counts go in as numbers, everything else as text."""
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 12 else vn.nfc(text)


def _pictures_into(sheet, report: AnnualReport, section: Section) -> None:
    """Place the section's procedure pictures under its text."""
    pictures = {p.code: p for p in report.pictures}
    row = sheet.max_row + 2
    for code in section.pictures:
        picture = pictures.get(code)
        if picture is None or not picture.png:
            continue
        sheet.cell(row, 1, f"{code} – {report.names.get(code, '')}").font = Font(bold=True)
        image = SheetImage(io.BytesIO(picture.png))
        image.width, image.height = 520, 520
        sheet.add_image(image, f"A{row + 1}")
        row += 30
