"""Writing a Document as an editable DOCX with python-docx (Times New Roman, the state-document font)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .layout import (
    Document,
    Fields,
    Header,
    Heading,
    Image,
    PageBreak,
    Paragraph,
    RunningHeader,
    Signatures,
    Spacer,
    Table,
    Title,
)
from .vn import nfc

FONT = "Times New Roman"
_SIZES = {"A4": (210, 297), "A5": (148, 210)}
_MARGINS = {("A4", False): (30, 20, 15, 20), ("A4", True): (20, 15, 15, 15),
            ("A5", False): (18, 12, 10, 12), ("A5", True): (12, 10, 10, 10)}
_ALIGN = {"L": WD_ALIGN_PARAGRAPH.LEFT, "C": WD_ALIGN_PARAGRAPH.CENTER, "R": WD_ALIGN_PARAGRAPH.RIGHT,
          "J": WD_ALIGN_PARAGRAPH.JUSTIFY}


def render_docx(doc: Document) -> bytes:
    """The document as DOCX bytes, editable in Word or LibreOffice."""
    out = new_docx()
    _page_setup(out, doc)
    style = out.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(doc.font_size)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(2)
    out.core_properties.title = nfc(doc.title)
    out.core_properties.subject = nfc(doc.subject or doc.title)
    out.core_properties.language = "vi-VN"
    if doc.running_header is not None:
        _running_header(out, doc.running_header, doc.font_size)
    for block in doc.blocks:
        _WRITE[type(block)](out, block, doc.font_size)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _page_setup(out, doc: Document) -> None:
    section = out.sections[0]
    width, height = _SIZES[doc.page_size]
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = Mm(width), Mm(height)
    left, top, right, bottom = _MARGINS[(doc.page_size, doc.landscape)]
    section.left_margin, section.top_margin = Mm(left), Mm(top)
    section.right_margin, section.bottom_margin = Mm(right), Mm(bottom)
    if doc.footer_page_numbers:
        para = section.footer.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(para, "Trang ", italic=True, size=doc.font_size - 3)
        _field(para, "PAGE", doc.font_size - 3)
        _run(para, "/", italic=True, size=doc.font_size - 3)
        _field(para, "NUMPAGES", doc.font_size - 3)


def _run(para, text: str, bold: bool = False, italic: bool = False, size: float | None = None,
         underline: bool = False):
    run = para.add_run(nfc(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    return run


def _field(para, code: str, size: float) -> None:
    """Insert a Word field (PAGE, NUMPAGES) into a paragraph."""
    run = para.add_run()
    run.font.size = Pt(size)
    begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(end)


def _para(container, align: str = "L", space_after: float = 2):
    para = container.add_paragraph()
    para.alignment = _ALIGN.get(align, WD_ALIGN_PARAGRAPH.LEFT)
    para.paragraph_format.space_after = Pt(space_after)
    para.paragraph_format.space_before = Pt(0)
    return para


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _cell_text(cell, lines: list[tuple[str, bool, bool]], size: float, align: str = "C") -> None:
    cell.paragraphs[0].text = ""
    first = True
    for text, bold, italic in lines:
        para = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        para.alignment = _ALIGN[align]
        para.paragraph_format.space_after = Pt(0)
        _run(para, text, bold=bold, italic=italic, size=size)


def _running_header(out, rh: RunningHeader, size: float) -> None:
    header = out.sections[0].header
    width = out.sections[0].page_width - out.sections[0].left_margin - out.sections[0].right_margin
    table = header.add_table(rows=1, cols=3, width=width)
    table.style = out.styles["Table Grid"]
    cells = table.rows[0].cells
    _cell_text(cells[0], [(t, True, False) for t in rh.left], size - 2)
    _cell_text(cells[1], [(t, True, False) for t in rh.middle], size - 1)
    cells[2].paragraphs[0].text = ""
    for i, text in enumerate(rh.right):
        para = cells[2].paragraphs[0] if i == 0 else cells[2].add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        if "{page}" in text:
            before, rest = text.split("{page}", 1)
            _run(para, before, size=size - 2)
            _field(para, "PAGE", size - 2)
            _run(para, rest.split("{pages}", 1)[0], size=size - 2)
            _field(para, "NUMPAGES", size - 2)
        else:
            _run(para, text, size=size - 2)


def _header(out, h: Header, size: float) -> None:
    if h.form_number:
        _run(_para(out, "R"), h.form_number, bold=True, size=size - 1)
    table = out.add_table(rows=1, cols=2)
    _borderless(table)
    left, right = table.rows[0].cells
    lines = [(line.upper(), i == len(h.agency_lines) - 1, False) for i, line in enumerate(h.agency_lines)]
    lines.append(("———", False, False))
    if h.number:
        lines.append((h.number, False, False))
    _cell_text(left, lines, size - 1)
    _cell_text(right, [(h.motto[0], True, False), (h.motto[1], True, False), ("———", False, False)], size - 1)
    right.paragraphs[1].runs[0].underline = True
    if h.place_date:
        para = right.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(para, h.place_date, italic=True, size=size - 1)
    _para(out)


def _title(out, t: Title, size: float) -> None:
    _run(_para(out, "C"), t.text, bold=True, size=size + 1)
    for line in t.lines:
        _run(_para(out, "C"), line, size=size)


def _heading(out, h: Heading, size: float) -> None:
    para = _para(out, "L")
    para.paragraph_format.space_before = Pt(6)
    para.paragraph_format.keep_with_next = True  # never alone at the bottom of a page
    _run(para, h.text, bold=True, italic=h.level > 1, size=size)


def _paragraph(out, p: Paragraph, size: float) -> None:
    para = _para(out, p.align)
    if p.space_before:
        para.paragraph_format.space_before = Mm(p.space_before)
    if p.indent:
        para.paragraph_format.first_line_indent = Mm(10)
    for i, line in enumerate(nfc(p.text).split("\n")):
        if i:
            para.add_run().add_break(WD_BREAK.LINE)
        _run(para, line, bold=p.bold, italic=p.italic, size=p.size)


def _fields(out, f: Fields, size: float) -> None:
    for label, value in f.rows:
        para = _para(out, "L")
        _run(para, f"{label}: ")
        _run(para, value or "……………………", bold=True)


def _table(out, t: Table, size: float) -> None:
    fs = t.size or size - 1
    table = out.add_table(rows=1, cols=len(t.columns))
    table.style = out.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    section = out.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    total = sum(c.width for c in t.columns)
    # LibreOffice lays a table out by its grid (w:tblGrid), Word by its cells' widths: both are set, or
    # LibreOffice shows every column as wide as the others (a "TT" column half the page wide).
    table.autofit = False
    for i, column in enumerate(t.columns):
        table.columns[i].width = int(usable * column.width / total)
        cell = table.rows[0].cells[i]
        cell.width = int(usable * column.width / total)
        _cell_text(cell, [(column.header, True, False)], fs)
    header_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_pr.append(repeat)
    for values in t.rows:
        cells = table.add_row().cells
        for i, value in enumerate(values):
            cells[i].width = int(usable * t.columns[i].width / total)
            lines = [(line, t.bold_first_column and i == 0, False) for line in nfc(value).split("\n")]
            _cell_text(cells[i], lines, fs, t.columns[i].align)
    _para(out)


def _image(out, im: Image, size: float) -> None:
    para = _para(out, im.align)
    para.add_run().add_picture(io.BytesIO(im.png), width=Mm(im.width_mm))
    for line in im.caption:
        _run(_para(out, im.align), line, italic=True, size=size - 2)


def _signatures(out, s: Signatures, size: float) -> None:
    slots = len(s.blocks) + (1 if s.recipients else 0)
    table = out.add_table(rows=1, cols=max(slots, 1))
    _borderless(table)
    cells = list(table.rows[0].cells)
    if s.recipients:
        lines = [("Nơi nhận:", True, True)] + [("- " + r, False, False) for r in s.recipients]
        _cell_text(cells.pop(0), lines, size - 2, "L")
    for cell, block in zip(cells, s.blocks, strict=True):
        lines = ([(block.over, True, False)] if block.over else []) + [(block.title, True, False)]
        lines += [(block.note, False, True)] if block.note else []
        lines += [("", False, False)] * 4 + [(block.name, True, False)]
        _cell_text(cell, lines, size - 1)


def _spacer(out, s: Spacer, size: float) -> None:
    _para(out).paragraph_format.space_after = Mm(s.mm)


def _page_break(out, _b: PageBreak, size: float) -> None:
    out.add_page_break()


# Each writer takes the block of its own type (the key).
_WRITE: dict[type, Callable[[Any, Any, float], None]] = {
    Header: _header, Title: _title, Heading: _heading, Paragraph: _paragraph, Fields: _fields,
    Table: _table, Image: _image, Signatures: _signatures, Spacer: _spacer, PageBreak: _page_break}
