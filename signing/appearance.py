"""The visible signature block, and where on the page it goes.

Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP, văn thư) put the signature at the bottom
right, between the signer's title ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH") and the signer's printed name, and the
agency's seal over it. The forms of documents/ leave exactly that gap; `find_box` finds it on the last
page from the text positions in the content stream (the lowest line of the right-hand column is the
name, the line above it ends the gap). When a page does not look like that the block goes to the bottom
right corner; a caller that knows better passes the box itself.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.layout import AxisAlignment, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from documents.fonts import serif_fonts

from .errors import SigningError

Rect = tuple[int, int, int, int]  # x1, y1, x2, y2 in whole PDF points, origin bottom left
BLOCK_WIDTH = 175
BLOCK_MIN_HEIGHT = 30.0
BLOCK_MAX_HEIGHT = 70.0
_FONT_SIZE = 7
# a font size (`/F1 12 Tf`), a text position (`x y Td`), or a string shown there (literal or hex)
_TOKENS = re.compile(rb"/[^\s/\[\]()<>]+\s+([\d.]+)\s+Tf|([\d.-]+)\s+([\d.-]+)\s+Td"
                     rb"|(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", re.DOTALL)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)


@dataclass(frozen=True)
class Placement:
    """Where the block goes: a page (0-based, -1 the last) and a rectangle on it."""

    page: int
    box: Rect


@dataclass(frozen=True)
class Appearance:
    """What the visible block says: the signer's title lines and full name; optionally a seal image.

    title: the title as printed over the signature, lines separated by '\\n' or ' / '
    ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"). name: '' for the certificate's common name. seal: a PNG or JPEG of
    the agency's seal, drawn under the text.
    placement: None to find the gap above the name (find_box). border: False inside a table cell, whose rules
    already frame the block.
    """

    title: str
    name: str
    seal: bytes | None = None
    placement: Placement | None = None
    border: bool = True


@dataclass(frozen=True)
class _Line:
    x: float
    y: float
    size: float
    glyphs: int


def _string_bytes(token: bytes) -> int:
    if token.startswith(b"<"):
        return len(re.sub(rb"\s", b"", token[1:-1])) // 2
    return len(_ESCAPE.sub(b"x", token[1:-1]))


def _lines(content: bytes) -> list[_Line]:
    """Text lines as fpdf2 writes them: `/F1 12 Tf` … `BT x y Td (…) Tj ET` (two bytes per glyph)."""
    size, found = 10.0, []
    pending: list[float] | None = None
    for match in _TOKENS.finditer(content):
        if match.group(1):
            size = float(match.group(1))
        elif match.group(2):
            pending = [float(match.group(2)), float(match.group(3)), 0]
            found.append(pending)
        elif pending is not None:
            pending[2] += _string_bytes(match.group(4)) // 2
    return [_Line(x, y, size, int(n)) for x, y, n in found if n]


def _pages(node: Any, inherited: Any = None) -> list[tuple[Any, Any]]:
    """The page dictionaries with their (possibly inherited) MediaBox, in order."""
    box = node.get("/MediaBox", inherited)
    if node.get("/Type") == "/Pages":
        return [page for kid in node["/Kids"] for page in _pages(kid.get_object(), box)]
    return [(node, box)]


def _content(page: Any) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
    return b"\n".join(s.get_object().data for s in streams)


def page_lines(pdf: bytes, page: int) -> tuple[float, list[tuple[float, float, float, int]]]:
    """A page's width and its text lines (x, baseline y, font size, glyph count) as find_box reads them, for a
    caller that knows a document's layout (the ISO procedure document's approval table). SigningError when the
    page cannot be read."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        node, media = _pages(reader.root["/Pages"])[page]
        return float(media[2]) - float(media[0]), [(ln.x, ln.y, ln.size, ln.glyphs) for ln in _lines(_content(node))]
    except Exception:  # any odd structure: the caller falls back to a default place
        raise SigningError("not_pdf") from None


def find_box(pdf: bytes) -> Placement:
    """The gap above the signer's name on the last page, else the bottom right corner."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        page, media = _pages(reader.root["/Pages"])[-1]
        width = float(media[2]) - float(media[0])
        lines = _lines(_content(page))
    except Exception:  # an odd page layout only costs the nicer position
        return Placement(-1, (400, 60, 400 + BLOCK_WIDTH, 120))
    right_edge = int(width) - 40
    corner = Placement(-1, (right_edge - BLOCK_WIDTH, 60, right_edge, 120))
    right = sorted((ln for ln in lines if ln.x >= width * 0.45 and ln.y > 30), key=lambda ln: ln.y)
    if len(right) < 2:
        return corner
    name, above = right[0], right[1]
    bottom, top = name.y + name.size * 1.05, above.y - above.size * 0.3
    if top - bottom < BLOCK_MIN_HEIGHT:
        return corner
    height = min(top - bottom, BLOCK_MAX_HEIGHT)
    centre = name.x + name.glyphs * name.size * 0.25  # half the name's width at ~0.5 em a glyph
    x1 = min(max(centre - BLOCK_WIDTH / 2, 10.0), width - 10 - BLOCK_WIDTH)
    y1 = bottom + (top - bottom - height) / 2
    return Placement(-1, (round(x1), round(y1), round(x1) + BLOCK_WIDTH, round(y1 + height)))


def block_text(appearance: Appearance, signed_at: str) -> str:
    """The lines of the block: who signed, as what, when."""
    titles = [t.strip() for t in re.split(r"\s*/\s*|\n", appearance.title) if t.strip()]
    return "\n".join([f"Ký số bởi: {appearance.name}", *titles, f"Thời gian ký: {signed_at}"])


def stamp_style(appearance: Appearance) -> TextStampStyle:
    """A text stamp in the documents' serif font (Vietnamese diacritics), the seal image behind it."""
    from .font import ThousandthGlyphsFactory  # needs uharfbuzz (pyHanko[opentype]): only when drawing

    font = ThousandthGlyphsFactory(str(serif_fonts().paths["B"]), font_size=_FONT_SIZE)
    background = None
    if appearance.seal:
        from PIL import Image, UnidentifiedImageError
        from pyhanko.pdf_utils.images import PdfImage

        try:
            background = PdfImage(Image.open(io.BytesIO(appearance.seal)))
        except (UnidentifiedImageError, OSError):
            raise SigningError("seal_unreadable") from None
    # Leading a little over the size: Vietnamese stacks two diacritics (Ổ, Ặ) above capitals.
    centred = SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID)
    return TextStampStyle(stamp_text="%(body)s", text_box_style=TextBoxStyle(font=font, leading=_FONT_SIZE + 3),
                          inner_content_layout=centred, border_width=1 if appearance.border else 0,
                          background=background, background_opacity=0.5,
                          # the seal covers the left third of the signature (Nghị định 30/2020, phụ lục I)
                          background_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN,
                                                                y_align=AxisAlignment.ALIGN_MID))
