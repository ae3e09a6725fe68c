"""Drawing a Document as PDF with fpdf2, embedding a Unicode serif TrueType font."""

from __future__ import annotations

import copy
import io
import threading
from collections.abc import Callable
from typing import Any, cast

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from .fonts import serif_fonts
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

FONT = "qtserif"
# (left, top, right, bottom) in mm; Nghị định 30/2020/NĐ-CP: left 30-35, right 15-20, top/bottom 20-25 on A4.
MARGINS = {("A4", False): (30, 20, 15, 20), ("A4", True): (20, 15, 15, 15),
            ("A5", False): (18, 12, 10, 12), ("A5", True): (12, 10, 10, 10)}
TABLE_PADDING = (0.8, 1.2)  # a table cell's (vertical, horizontal) padding in mm
_PT = 0.3528  # mm per point
_PAPER = {"A4": (210, 297), "A5": (148, 210)}


class _Pdf(FPDF):
    running: RunningHeader | None = None
    numbered: bool = False
    base_size: float = 13.0
    float_bottom: float | None = None  # while an image floats at the right, text keeps clear of it
    float_page: int = 0
    float_margin: float = 0.0
    headings_after: int = 0  # headings straight after the one being drawn ("5." then "5.1."): kept with it

    def end_float(self, below: bool) -> None:
        """Give the text its full width back (moving below the floating image when `below`)."""
        if self.float_bottom is None:
            return
        if below and self.page_no() == self.float_page:
            self.set_y(max(self.get_y(), self.float_bottom + 1))
        self.set_right_margin(self.float_margin)
        self.float_bottom = None

    def header(self) -> None:
        if self.running is not None:
            _running_header(self, self.running)

    def footer(self) -> None:
        if self.numbered:
            self.set_y(-10)
            self.set_font(FONT, "I", self.base_size - 3)
            self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes (fonts embedded, text extractable)."""
    pdf = _Pdf(orientation="L" if doc.landscape else "P", unit="mm", format=_PAPER[doc.page_size])
    _add_fonts(pdf)
    left, top, right, bottom = MARGINS[(doc.page_size, doc.landscape)]
    pdf.set_margins(left, top, right)
    pdf.set_auto_page_break(True, margin=bottom)
    pdf.set_title(nfc(doc.title))
    pdf.set_subject(nfc(doc.subject or doc.title))
    pdf.set_creator("quytrinh")
    pdf.set_lang("vi")
    pdf.running, pdf.numbered, pdf.base_size = doc.running_header, doc.footer_page_numbers, doc.font_size
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FONT, "", doc.font_size)
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Table | Signatures | Image | Header | PageBreak):
            pdf.end_float(below=True)
        if isinstance(block, Heading):
            pdf.headings_after = _headings_after(doc.blocks, i)
        _DRAW[type(block)](pdf, block, doc.font_size)
        if pdf.float_bottom is not None and (pdf.get_y() >= pdf.float_bottom or pdf.page_no() != pdf.float_page):
            pdf.end_float(below=False)
    return bytes(pdf.output())


_PROTO_LOCK = threading.Lock()
_PROTO: dict[str, tuple[TTFFont, bytes]] = {}


def _add_fonts(pdf: FPDF) -> None:
    """Register the serif family: metrics parsed once per process, a fresh font table per document."""
    with _PROTO_LOCK:
        if not _PROTO:
            proto = FPDF()
            for style, path in serif_fonts().paths.items():
                proto.add_font(FONT, style, str(path))
                key = f"{FONT}{style}"
                font = proto.fonts[key]
                assert isinstance(font, TTFFont)  # add_font makes a TrueType font from the file
                _PROTO[key] = (font, path.read_bytes())
        protos = list(_PROTO.items())
    for key, (font, raw) in protos:
        # Subsetting at output mutates the fontTools object, so each document gets its own.
        fresh = copy.copy(font)
        fresh.ttfont = ttLib.TTFont(io.BytesIO(raw), recalcTimestamp=False, lazy=True)
        fresh.subset = SubsetMap(fresh)
        fresh.missing_glyphs, fresh.biggest_size_pt, fresh._hbfont = [], 0, None
        pdf.fonts[key] = fresh


def _lh(size: float) -> float:
    """Line height in mm for a font size in points (1.25 line spacing)."""
    return size * _PT * 1.3


def _running_header(pdf: _Pdf, rh: RunningHeader) -> None:
    size = pdf.base_size - 2
    widths = (0.28, 0.44, 0.28)
    total = pdf.w - pdf.l_margin - pdf.r_margin
    cells = [rh.left, rh.middle, rh.right]
    texts = [[nfc(t).replace("{page}", str(pdf.page_no())).replace("{pages}", "{nb}") for t in c] for c in cells]
    pdf.set_font(FONT, "B", size)
    heights = []
    for text, w in zip(texts, widths, strict=True):
        # fpdf2 types multi_cell's result as the union of every `output` choice: LINES gives list[str].
        lines = cast(list[str], pdf.multi_cell(w * total, _lh(size), "\n".join(text), dry_run=True, output="LINES",
                                               padding=1))
        heights.append(len(lines) * _lh(size) + 2)
    height = max(heights)
    x0, y0 = pdf.l_margin, pdf.t_margin
    x = x0
    for i, (text, w) in enumerate(zip(texts, widths, strict=True)):
        pdf.rect(x, y0, w * total, height)
        pdf.set_font(FONT, "B" if i < 2 else "", size + (1 if i == 1 else 0))
        inner = len(cast(list[str], pdf.multi_cell(w * total, _lh(size), "\n".join(text), dry_run=True,
                                                   output="LINES", padding=1))) * _lh(size)
        pdf.set_xy(x, y0 + (height - inner) / 2 - 1)
        pdf.multi_cell(w * total, _lh(size), "\n".join(text), align="C" if i < 2 else "L", padding=1)
        x += w * total
    pdf.set_xy(x0, y0 + height + 4)
    pdf.set_font(FONT, "", pdf.base_size)


def _header(pdf: _Pdf, h: Header, size: float) -> None:
    total = pdf.w - pdf.l_margin - pdf.r_margin
    left_w, right_w = total * 0.42, total * 0.58
    x0, y0 = pdf.l_margin, pdf.get_y()
    if h.form_number:
        pdf.set_font(FONT, "B", size - 1)
        pdf.cell(0, _lh(size), nfc(h.form_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y0 = pdf.get_y()
    hs = size - 1
    pdf.set_font(FONT, "B", hs)
    while hs > 7 and pdf.get_string_width(nfc(h.motto[0])) > right_w - 2:
        hs -= 0.5
        pdf.set_font(FONT, "B", hs)
    pdf.set_xy(x0, y0)
    for i, line in enumerate(h.agency_lines):
        last = i == len(h.agency_lines) - 1
        pdf.set_font(FONT, "B" if last else "", hs)
        pdf.set_x(x0)
        pdf.multi_cell(left_w, _lh(hs), nfc(line).upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y_left = pdf.get_y()
    pdf.line(x0 + left_w * 0.35, y_left + 0.5, x0 + left_w * 0.65, y_left + 0.5)
    y_left += 2
    if h.number:
        pdf.set_xy(x0, y_left)
        pdf.set_font(FONT, "", hs)
        pdf.multi_cell(left_w, _lh(hs), nfc(h.number), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y_left = pdf.get_y()
    pdf.set_xy(x0 + left_w, y0)
    pdf.set_font(FONT, "B", hs)
    pdf.multi_cell(right_w, _lh(hs), nfc(h.motto[0]), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", hs + 0.5)
    pdf.multi_cell(right_w, _lh(hs), nfc(h.motto[1]), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    motto_w = pdf.get_string_width(nfc(h.motto[1]))
    y_right = pdf.get_y()
    cx = x0 + left_w + right_w / 2
    pdf.line(cx - motto_w / 2, y_right + 0.3, cx + motto_w / 2, y_right + 0.3)
    y_right += 2
    if h.place_date:
        pdf.set_xy(x0 + left_w, y_right)
        pdf.set_font(FONT, "I", hs)
        pdf.multi_cell(right_w, _lh(hs), nfc(h.place_date), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y_right = pdf.get_y()
    pdf.set_xy(x0, max(y_left, y_right) + 4)
    pdf.set_font(FONT, "", size)


def _title(pdf: _Pdf, t: Title, size: float) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "B", size + 1)
    pdf.multi_cell(0, _lh(size + 1), nfc(t.text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", size)
    for line in t.lines:
        pdf.multi_cell(0, _lh(size), nfc(line), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


# Room a heading keeps below itself for what it heads (a table's header and first rows, or three lines
# of text): with less left on the page, the heading starts the next one instead of sitting alone.
KEEP_WITH_NEXT_MM = 28


def _headings_after(blocks: list[Any], i: int) -> int:
    n = 0
    while i + 1 + n < len(blocks) and isinstance(blocks[i + 1 + n], Heading):
        n += 1
    return n


def _heading(pdf: _Pdf, h: Heading, size: float) -> None:
    if pdf.get_y() + 2 * (1 + pdf.headings_after) * _lh(size) + KEEP_WITH_NEXT_MM > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(2 if h.level > 1 else 3)
    pdf.set_font(FONT, "B" if h.level == 1 else "BI", size)
    pdf.multi_cell(0, _lh(size), nfc(h.text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", size)
    pdf.ln(1)


def _paragraph(pdf: _Pdf, p: Paragraph, size: float) -> None:
    fs = p.size or size
    if p.space_before:
        pdf.ln(p.space_before)
    pdf.set_font(FONT, ("B" if p.bold else "") + ("I" if p.italic else ""), fs)
    text = nfc(p.text)
    if p.indent:
        text = "\u00a0" * 6 + text
    pdf.multi_cell(0, _lh(fs), text, align=p.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", size)
    pdf.ln(0.8)


def _fields(pdf: _Pdf, f: Fields, size: float) -> None:
    for label, value in f.rows:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(FONT, "", size)
        pdf.write(_lh(size), nfc(label) + ": ")
        pdf.set_font(FONT, "B", size)
        pdf.write(_lh(size), nfc(value) or "……………………")
        pdf.ln(_lh(size) + 0.8)
    pdf.set_font(FONT, "", size)


def _table(pdf: _Pdf, t: Table, size: float) -> None:
    fs = t.size or size - 1
    pdf.set_font(FONT, "", fs)
    with pdf.table(
        # align LEFT: fpdf2 centres a table on the page, and our margins are not symmetric (30 mm left for
        # binding), so a full-width centred table stuck out left of the text and past the right margin.
        align="LEFT", col_widths=tuple(c.width for c in t.columns), width=pdf.w - pdf.l_margin - pdf.r_margin,
        text_align=tuple(c.align for c in t.columns), line_height=_lh(fs), padding=TABLE_PADDING,
        headings_style=FontFace(emphasis="BOLD", size_pt=fs), repeat_headings=1, v_align="TOP",
    ) as table:
        head = table.row()
        for c in t.columns:
            head.cell(nfc(c.header), align="C")
        for values in t.rows:
            row = table.row()
            for i, value in enumerate(values):
                style = FontFace(emphasis="BOLD") if t.bold_first_column and i == 0 else None
                row.cell(nfc(value), style=style)
    pdf.set_font(FONT, "", size)
    pdf.ln(2)


def _image(pdf: _Pdf, im: Image, size: float) -> None:
    if im.float_right:
        _float_image(pdf, im, size)
        return
    if pdf.get_y() + im.width_mm + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    total = pdf.w - pdf.l_margin - pdf.r_margin
    x = pdf.l_margin + (total - im.width_mm) / 2 if im.align == "C" else pdf.l_margin
    pdf.image(io.BytesIO(im.png), x=x, w=im.width_mm, h=im.width_mm)
    pdf.set_font(FONT, "I", size - 2)
    for line in im.caption:
        pdf.multi_cell(0, _lh(size - 2), nfc(line), align=im.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", size)
    pdf.ln(1)


def _float_image(pdf: _Pdf, im: Image, size: float) -> None:
    x, y = pdf.w - pdf.r_margin - im.width_mm, pdf.get_y()
    pdf.image(io.BytesIO(im.png), x=x, y=y, w=im.width_mm, h=im.width_mm)
    pdf.set_font(FONT, "I", size - 3)
    pdf.set_xy(x, y + im.width_mm)
    for line in im.caption:
        pdf.multi_cell(im.width_mm, _lh(size - 3), nfc(line), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.float_bottom, pdf.float_page, pdf.float_margin = pdf.get_y(), pdf.page_no(), pdf.r_margin
    pdf.set_right_margin(pdf.r_margin + im.width_mm + 3)
    pdf.set_xy(pdf.l_margin, y)
    pdf.set_font(FONT, "", size)


def _signatures(pdf: _Pdf, s: Signatures, size: float) -> None:
    gap = 20 if pdf.h > 250 else 12
    if pdf.get_y() + gap + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(2)
    total = pdf.w - pdf.l_margin - pdf.r_margin
    slots = len(s.blocks) + (1 if s.recipients else 0)
    width = total / max(slots, 1)
    y0 = pdf.get_y()
    bottoms = []
    x = pdf.l_margin
    if s.recipients:
        pdf.set_xy(x, y0)
        pdf.set_font(FONT, "BI", size - 1)
        pdf.multi_cell(width, _lh(size - 1), "Nơi nhận:", align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", size - 2)
        for line in s.recipients:
            pdf.multi_cell(width, _lh(size - 2), "- " + nfc(line), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottoms.append(pdf.get_y())
        x += width
    for block in s.blocks:
        pdf.set_xy(x, y0)
        if block.over:
            pdf.set_font(FONT, "B", size - 1)
            pdf.multi_cell(width, _lh(size - 1), nfc(block.over), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "B", size - 1)
        pdf.multi_cell(width, _lh(size - 1), nfc(block.title), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if block.note:
            pdf.set_font(FONT, "I", size - 2)
            pdf.multi_cell(width, _lh(size - 2), nfc(block.note), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + gap)
        pdf.set_x(x)
        pdf.set_font(FONT, "B", size - 1)
        pdf.multi_cell(width, _lh(size - 1), nfc(block.name), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottoms.append(pdf.get_y())
        x += width
    pdf.set_xy(pdf.l_margin, max(bottoms, default=y0) + 2)
    pdf.set_font(FONT, "", size)


def _spacer(pdf: _Pdf, s: Spacer, size: float) -> None:
    pdf.ln(s.mm)


def _page_break(pdf: _Pdf, _b: PageBreak, size: float) -> None:
    pdf.add_page()


# Each drawer takes the block of its own type (the key).
_DRAW: dict[type, Callable[[_Pdf, Any, float], None]] = {
    Header: _header, Title: _title, Heading: _heading, Paragraph: _paragraph, Fields: _fields,
    Table: _table, Image: _image, Signatures: _signatures, Spacer: _spacer, PageBreak: _page_break}
