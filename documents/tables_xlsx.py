"""Plain tables as an XLSX workbook, one sheet per table (the dashboard's export, issue 13 item 8)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Sheet:
    """A titled table: the sheet's name (at most 31 characters in Excel), a caption line, a header, rows."""

    name: str
    caption: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    percent_columns: tuple[int, ...] = ()  # 0-based columns holding a share (0..1), shown as 12.5%


def tables_xlsx(sheets: list[Sheet]) -> bytes:
    """The workbook's bytes: numbers stay numbers (so people can sum them), the header is bold and frozen."""
    book = Workbook()
    for blank in list(book.worksheets):  # the empty sheet a new workbook starts with
        book.remove(blank)
    for spec in sheets:
        ws = book.create_sheet(spec.name[:31])
        ws.append([spec.caption])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append(list(spec.header))
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in spec.rows:
            ws.append(list(row))
        for col in spec.percent_columns:
            for (cell,) in ws.iter_rows(min_row=3, min_col=col + 1, max_col=col + 1):
                cell.number_format = "0.0%"
        ws.freeze_panes = "A3"
        for i, title in enumerate(spec.header, 1):
            longest = max([len(str(title))] + [len(str(r[i - 1])) for r in spec.rows if i - 1 < len(r)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
