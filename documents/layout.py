"""The neutral document model both renderers draw: pages, header, blocks of text, tables, images."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Header:
    """The state-document header: agency on the left, national motto and place/date on the right."""

    agency_lines: tuple[str, ...] = ()
    number: str = ""
    place_date: str = ""
    form_number: str = ""
    motto: tuple[str, str] = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; bold/italic apply to the whole of it."""

    text: str
    bold: bool = False
    italic: bool = False
    align: str = "J"  # L, C, R, J
    size: float | None = None
    indent: bool = False
    space_before: float = 0.0


@dataclass(frozen=True)
class Title:
    """A centred title in capitals with optional lines under it."""

    text: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Heading:
    """A numbered section heading (level 1 or 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Fields:
    """Label: value lines."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    """A table column: header text, relative width, alignment of its cells."""

    header: str
    width: float = 1.0
    align: str = "L"


@dataclass(frozen=True)
class Table:
    """A ruled table; the header row repeats on every page."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    size: float | None = None
    bold_first_column: bool = False


@dataclass(frozen=True)
class Image:
    """A PNG image, centred, with caption lines under it."""

    png: bytes
    width_mm: float
    caption: tuple[str, ...] = ()
    align: str = "C"
    float_right: bool = False  # beside the following text instead of above it


@dataclass(frozen=True)
class Signature:
    """One signature block: title, what to write, the signer's name."""

    title: str
    note: str = "(Ký và ghi rõ họ tên)"
    name: str = ""
    over: str = ""


@dataclass(frozen=True)
class Signatures:
    """Signature blocks side by side (the last one on the right)."""

    blocks: tuple[Signature, ...]
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spacer:
    """Vertical space in millimetres."""

    mm: float = 4.0


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


@dataclass(frozen=True)
class RunningHeader:
    """A header table repeated on every page (ISO documents): left, middle, right cells; {page}/{pages}."""

    left: tuple[str, ...]
    middle: tuple[str, ...]
    right: tuple[str, ...]


Block = Header | Paragraph | Title | Heading | Fields | Table | Image | Signatures | Spacer | PageBreak


@dataclass
class Document:
    """A whole document: paper, metadata and its blocks in order."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    page_size: str = "A4"  # A4 or A5
    landscape: bool = False
    font_size: float = 13.0
    running_header: RunningHeader | None = None
    subject: str = ""
    footer_page_numbers: bool = False

    def add(self, *blocks: Block) -> Document:
        """Append blocks; returns the document for chaining."""
        self.blocks.extend(blocks)
        return self
