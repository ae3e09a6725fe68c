"""The CCHC report to Phòng Nội vụ for the demo district (issue 17 item 3): the DOCX opens, its TTHC figures
are the audit pages' figures for the same period, the plan's items are counted, the written parts are marked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document as open_docx

from audits.indicators import sla_report
from audits.periods import parse_period
from oversight import cchc_report, plan_import
from processes import cchc_plan, instances, tasks
from processes.clock import FixedClock
from processes.errors import InvalidInput
from tests.demo.demo_data import demo_copy

from . import plan_book

pytestmark = pytest.mark.slow


def _text(data: bytes) -> tuple[str, list[list[str]]]:
    doc = open_docx(io.BytesIO(data))
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    return "\n".join(p.text for p in doc.paragraphs), rows


def test_quarterly_six_month_and_annual_reports_of_the_demo_district(tmp_path):
    db = demo_copy(tmp_path)
    january = FixedClock(dt.datetime(2025, 1, 10, 2, tzinfo=dt.UTC))
    plan_import.import_plan(db, plan_book.build(), 2025, "cv.nv", january)
    first = cchc_plan.plan_items(db, 2025)[0]  # I.1, due 15/01/2024 as written: accepted late
    march = FixedClock(dt.datetime(2025, 3, 3, 2, tzinfo=dt.UTC))
    for user, data in (("tp.nv", {"ket_qua_thuc_hien": "Đã ban hành Kế hoạch số 05/KH-UBND",
                                  "ngay_hoan_thanh": "2025-03-03"}), ("cv.nv", {"ket_luan": "chap_nhan"})):
        steps = [t for t in tasks.list_tasks(db, user=user) if t.business_key == first.business_key]
        if not steps:  # cooperating units first
            for t in [t for t in tasks.list_tasks(db) if t.business_key == first.business_key]:
                instances.complete(db, t.id, {"noi_dung_phoi_hop": "Đã góp ý dự thảo"}, t.assignee, march)
            steps = [t for t in tasks.list_tasks(db, user=user) if t.business_key == first.business_key]
        instances.complete(db, steps[0].id, data, user, march)
    assert cchc_plan.plan_items(db, 2025)[0].status == "completed"

    for label, name, overdue in (("2025-Q4", "quý IV năm 2025", 4), ("2025-H1", "6 tháng đầu năm 2025", 3),
                                 ("2025", "năm 2025", 4)):
        figures = cchc_report.figures(db, label)
        sla = sla_report(db, parse_period(label))  # what the audit pages show for the period
        assert (figures.received, figures.received_online, figures.resolved, figures.early, figures.on_time,
                figures.late) == (sla.received, sla.received_online, sla.overall.resolved, sla.overall.early,
                                  sla.overall.on_time, sla.overall.late)
        assert figures.received > 0 and figures.resolved > 0
        text, rows = _text(cchc_report.report_docx(db, label))
        assert f"Kết quả thực hiện công tác cải cách hành chính {name}" in text
        table = {r[0]: r[1:] for r in rows}
        assert table["Hồ sơ TTHC tiếp nhận"][0] == str(sla.received)
        assert table["Giải quyết trễ hạn"][0] == str(sla.overall.late)
        assert table["Hồ sơ được số hóa"][0] == str(figures.digitised)
        # section I: one accepted late; by 30/6 I.5 ("6 tháng đầu năm") is not overdue yet; I.3 is recurring
        assert table["I"][1:] == ["6", "0", "1", str(overdue), str(5 - overdue)]
        assert text.count("[Phần đơn vị viết:") == 6
        assert f"{len(plan_book.rows())} nhiệm vụ" in text
    assert cchc_report.figures(db, "2025-Q1").plan.overall.counts["done_late"] == 1  # accepted on 3 March
    assert cchc_report.figures(db, "2025-Q1").plan.day == dt.date(2025, 3, 31)
    with pytest.raises(InvalidInput):
        cchc_report.figures(db, "2025-11")
    from click.testing import CliRunner

    from cli.main import main

    run, base = CliRunner().invoke, ["--database", db.url, "cchc"]
    out = run(main, [*base, "report", "--period", "2025-Q4", "--out", str(tmp_path / "bc.docx")])
    assert out.exit_code == 0, out.output
    assert "quý IV năm 2025" in _text((tmp_path / "bc.docx").read_bytes())[0]
    out = run(main, [*base, "progress", "--year", "2025", "--date", "2025-12-31", "--json"])
    import json

    progress = json.loads(out.output)
    assert progress["sections"]["I"]["done_late"] == 1 and progress["overall"]["total"] == len(plan_book.rows())
    assert progress["units"]["H01.NV"]["done_late"] == 1
