"""The annual report as people read it (issue 14 item 7): units by name in every table, headings kept with
what they head, whole-word sheet names, no source paths or English words."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audits.report_data import build_annual_report
from audits.report_tables import sections
from audits.reports import render_report
from processes import organisation
from tests.demo.demo_data import YEAR, demo_copy

ENGLISH = re.compile(r"\b(the|of|and|token|replay|alignment|fitness|sheet|rules|P90|None)\b")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    db = demo_copy(tmp_path_factory.mktemp("layout"))
    with db.read() as conn:
        codes = set(organisation.unit_names(conn))
    return build_annual_report(db, YEAR), codes


def test_every_table_names_its_units(made):
    report, codes = made
    for section in sections(report):
        for table in section.tables:
            for column in ("Tên", "Tên (bước do cán bộ của phòng thực hiện)", "Đơn vị"):
                if column not in table.columns:
                    continue
                i = table.columns.index(column)
                names = [row[i] for row in table.rows]
                assert all(n.strip() for n in names), (section.title, column)
                if column == "Đơn vị":  # the unit itself, by name (not its code)
                    assert not set(names) & codes, (section.title, set(names) & codes)


def test_sheet_names_are_whole_words_within_31_characters(made):
    report, _ = made
    book = load_workbook(io.BytesIO(render_report(report, "xlsx")))
    titles = [s.title for s in sections(report)]
    assert len(book.sheetnames) == len(set(book.sheetnames)) == len(titles)
    for name, title in zip(book.sheetnames, titles, strict=True):
        assert len(name) <= 31 and name.split(" ")[0] == title.split(" ")[0]
        cut = title.startswith(name) and len(title) > len(name) and title[len(name)].isalnum()
        assert not cut, (name, title)


def test_the_printed_report_has_no_source_path_nor_english_and_keeps_headings_with_their_text(made):
    report, _ = made
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_report(report, "pdf"))).pages]
    text = "\n".join(pages)
    assert "audits/" not in text and "qd766" not in text and ".json" not in text
    assert not ENGLISH.findall(text.replace("quytrinh verify-log --anchors", "").replace("quytrinh log anchor", ""))
    squeezed = [re.sub(r"\s+", "", p) for p in pages]
    for section in sections(report):
        first = section.paragraphs[0] if section.paragraphs else (section.tables[0].columns[0] if section.tables
                                                                  else None)
        if first is None:
            continue
        title, start = re.sub(r"\s+", "", section.title), re.sub(r"\s+", "", first)[:12]
        page = next(i for i, p in enumerate(squeezed) if title in p)
        after = squeezed[page][squeezed[page].index(title) + len(title):]
        assert start in after, f"'{section.title}' is alone at the bottom of page {page + 1}"
