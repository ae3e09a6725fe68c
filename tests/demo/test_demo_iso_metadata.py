"""The demo's procedures carry their ISO metadata (purpose, scope, terms, records), so the ISO documents of
`make run` read as a quality manager would have filled them, not "……" and empty tables."""

from __future__ import annotations

import datetime as dt
import json
import re

from demo import fill_iso_metadata
from demo.iso_metadata import SOURCE
from documents import render_procedure_document
from processes import procedures, version_views
from processes.clock import FixedClock
from tests.conftest import BPMN_DIR
from tests.demo.demo_data import prepared
from tests.documents.sample import pdf_pages, pdf_text

CLOCK = FixedClock(dt.datetime(2025, 1, 2, 2, tzinfo=dt.UTC))


def test_every_procedure_of_bpmn_has_demo_metadata():
    written = set(json.loads(SOURCE.read_text(encoding="utf-8")))
    assert written == {path.stem for path in BPMN_DIR.glob("*.bpmn")}


def test_the_iso_document_of_a_demo_procedure_prints_its_scope_terms_and_records(tmp_path):
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    procedures.adopt_deployed(db, CLOCK)
    before = pdf_text(render_procedure_document(*_document(db, "QT-XD-01")))
    assert "……" in before  # the scope nobody filled
    assert sorted(fill_iso_metadata(db, CLOCK)) == sorted(p.stem for p in BPMN_DIR.glob("*.bpmn"))
    text = pdf_text(render_procedure_document(*_document(db, "QT-XD-01")))
    assert "……" not in text
    for words in ("nhà ở riêng lẻ thuộc thẩm quyền cấp phép của UBND huyện", "Giấy phép xây dựng",
                  "Biên bản kiểm tra thực địa".lower(), "Vĩnh viễn"):
        assert words in " ".join(text.split()), words
    # A section heading never ends a page: "5. NỘI DUNG QUY TRÌNH" goes with its first sub-heading "5.1."
    pages = pdf_pages(render_procedure_document(*_document(db, "QT-XD-01")))
    last_lines = [(page.extract_text() or "").strip().splitlines()[-1].strip() for page in pages]
    assert not [line for line in last_lines if re.fullmatch(r"\d+\.(\d+\.)? .*", line) and line.upper() == line], \
        last_lines


def test_a_quality_managers_own_text_is_kept_and_a_second_fill_changes_nothing(tmp_path):
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    procedures.adopt_deployed(db, CLOCK)
    procedures.update_metadata(db, CLOCK, "iso", "QT-HT-01", {"scope": "Phạm vi do thư ký ISO viết."})
    fill_iso_metadata(db, CLOCK)
    filled = procedures.get_procedure(db, "QT-HT-01")
    assert filled["scope"] == "Phạm vi do thư ký ISO viết." and filled["purpose"].startswith("Quy định trình tự")
    assert fill_iso_metadata(db, CLOCK) == []


def _document(db, code: str) -> tuple[str, dict]:
    meta = version_views.document_metadata(db, code)
    return meta["bpmn_xml"], meta
