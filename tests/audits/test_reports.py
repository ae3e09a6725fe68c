"""The annual report of the demo year renders to PDF, XLSX and HTML; its headline figures equal SQL counts."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import and_, func, select

from audits.periods import parse_period
from audits.report_data import HEADLINE_LABELS, build_annual_report
from audits.reports import render_report
from processes.schema import apologies, dossiers
from processes.workspace_schema import attachments, ratings
from tests.demo.demo_data import YEAR, demo_copy

INTERNAL = ("QT-VB-01", "QT-TDKT-01", "QT-CAPA-01", "QT-ISO-01")


def sql_headline(db) -> dict[str, int]:
    """The headline figures counted with plain SQL, independently of audits/."""
    p = parse_period(str(YEAR))
    public = dossiers.c.procedure.not_in(INTERNAL)
    received = and_(public, dossiers.c.received_at >= p.first_instant, dossiers.c.received_at < p.end_instant)
    resolved = and_(public, dossiers.c.done_at >= p.first_instant, dossiers.c.done_at < p.end_instant,
                    dossiers.c.result.is_not(None))
    signed = select(apologies.c.id).where(apologies.c.dossier_id == dossiers.c.id, apologies.c.state == "signed")
    # Not coalesce(done_at, '9999'): SQLite compares a text instant with that literal as a number (always
    # "not before"), so a withdrawn dossier's scans would not count.
    before = select(attachments.c.id).where(
        attachments.c.instance_id == dossiers.c.instance_id,
        dossiers.c.done_at.is_(None) | (attachments.c.uploaded_at < dossiers.c.done_at))
    after = select(attachments.c.id).where(attachments.c.instance_id == dossiers.c.instance_id,
                                           attachments.c.uploaded_at >= dossiers.c.done_at)
    rated = select(ratings.c.score).where(ratings.c.instance_id == dossiers.c.instance_id).scalar_subquery()

    def count(*where) -> int:
        with db.read() as conn:
            return conn.execute(select(func.count()).select_from(dossiers).where(*where)).scalar()

    return {"received": count(received), "received_online": count(received, dossiers.c.channel == "truc_tuyen"),
            "resolved": count(resolved), "early": count(resolved, dossiers.c.result == "early"),
            "on_time": count(resolved, dossiers.c.result == "on_time"),
            "late": count(resolved, dossiers.c.result == "late"),
            "late_without_apology": count(resolved, dossiers.c.result == "late", ~signed.exists()),
            "refused": count(resolved, dossiers.c.status_code == 3),
            "withdrawn": count(received, dossiers.c.status_code == 7),
            "supplemented": count(received, dossiers.c.supplement_count >= 1),
            "supplemented_twice": count(received, dossiers.c.supplement_count >= 2),
            "ratings": count(resolved, rated.is_not(None)), "satisfied": count(resolved, rated >= 4),
            "digitised": count(received, before.exists()), "e_result": count(resolved, after.exists())}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    db = demo_copy(tmp_path_factory.mktemp("report"))
    return db, build_annual_report(db, YEAR)


def test_headline_equals_sql(report):
    db, made = report
    expected = sql_headline(db)
    assert made.headline == expected
    assert expected["received"] > 50 and expected["late"] > 0 and expected["ratings"] > 0


def test_pdf_carries_the_headline_and_every_section(report):
    _, made = report
    pdf = render_report(made, "pdf")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for key, value in made.headline.items():
        assert f"{HEADLINE_LABELS[key]} {value}" in text, key
    for title in ("1. Phạm vi", "8. Tuân thủ quy trình", "11. Các phát hiện", "B.c2) Mức độ đạt mục tiêu",
                  "B.c5) Kết quả theo dõi", "C. Số liệu báo cáo cải cách hành chính"):
        assert title in text
    assert len(reader.pages) >= 8


def test_xlsx_carries_the_headline_and_the_sections(report):
    _, made = report
    book = load_workbook(io.BytesIO(render_report(made, "xlsx")))
    sheet = next(s for s in book.worksheets if s.title.startswith("2. "))
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row and row[0]}
    assert {k: values[HEADLINE_LABELS[k]] for k in made.headline} == made.headline
    assert any(s.title.startswith("9.") and s._images for s in book.worksheets), "procedure pictures embedded"
    assert any(s.title.startswith("C.") for s in book.worksheets)


def test_html_has_pictures_findings_and_the_review_pack(report):
    _, made = report
    html = render_report(made, "html").decode()
    assert html.count("<svg") == len(made.pictures) >= 5
    assert "Hồ sơ xem xét" not in html and "B.a) Tình trạng các hành động" in html
    assert all(f["ref"] in html for f in made.findings)
    review = render_report(made, "html", "review").decode()
    assert "HỒ SƠ XEM XÉT CỦA LÃNH ĐẠO" in review and "1. Phạm vi" not in review
    cchc = render_report(made, "xlsx", "cchc")
    rows = list(load_workbook(io.BytesIO(cchc)).worksheets[0].iter_rows(values_only=True))
    quarters = [r for r in rows if r and str(r[0]).startswith(f"{YEAR}-Q")]
    assert sum(r[2] for r in quarters) == made.headline["received"]


def test_pictures_shade_steps_and_mark_deviations(report):
    _, made = report
    xd = next(p for p in made.pictures if p.code == "QT-XD-01")
    assert xd.uses["Task_ThamDinh"].count > 0 and b"n=" in xd.svg and xd.png.startswith(b"\x89PNG")
