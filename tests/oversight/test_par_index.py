"""PAR index self-assessment of the demo district's units (issue 17 item 5): criteria from the rules file in force,
computed criteria filled from quytrinh's records, self-scores with evidence, totals, ranking, XLSX."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from audits.indicators import sla_report
from audits.periods import parse_period
from oversight import par_index
from processes import inspections
from processes.clock import FixedClock
from processes.errors import InvalidInput
from tests.demo.demo_data import demo_copy

CLOCK = FixedClock(dt.datetime(2026, 1, 10, 2, tzinfo=dt.UTC))


@pytest.mark.slow
def test_index_ranking_and_export_of_the_demo_district(tmp_path):
    db = demo_copy(tmp_path)
    rules = par_index.criteria(2025)
    assert sum(c["max"] for c in rules) == 100 and rules[0]["file"] == "2024-01-01.json"
    par_index.self_score(db, "X01", 2025, "1.1", Decimal(3), "Kế hoạch số 02/KH-UBND ngày 05/01/2025", "xa.ct", CLOCK)
    par_index.self_score(db, "X01", 2025, "3.3", Decimal("4.5"), "Ảnh niêm yết TTHC tại Bộ phận Một cửa", "xa.ct",
                         CLOCK)
    par_index.self_score(db, "H01.TP", 2025, "2.1", Decimal(8), "Báo cáo số 31/BC-TP", "tp.tp", CLOCK)
    par_index.self_score(db, "H01.TP", 2025, "3.1", Decimal(9), "Sổ theo dõi giải quyết hồ sơ", "tp.tp", CLOCK)
    with pytest.raises(InvalidInput):
        par_index.self_score(db, "X01", 2025, "1.1", Decimal(4), "quá điểm tối đa", "xa.ct", CLOCK)
    with pytest.raises(InvalidInput):
        par_index.self_score(db, "X01", 2025, "1.4", Decimal(1), "", "xa.ct", CLOCK)
    with pytest.raises(InvalidInput):
        par_index.self_score(db, "X01", 2025, "9.9", Decimal(1), "không có tiêu chí", "xa.ct", CLOCK)
    own = inspections.plan_inspection(db, 2025, "X01", dt.date(2025, 6, 2), dt.date(2025, 6, 6), ["xa.ct"], "xa.ct",
                                      CLOCK, kind="self")
    inspections.conclude(db, own.code, dt.date(2025, 6, 6), "Đã tự kiểm tra, có báo cáo", "xa.ct", CLOCK)

    lines = par_index.index(db, 2025)
    by_unit = {line.unit: line for line in lines}
    x01 = {c.code: c for c in by_unit["X01"].criteria}
    in_time = sla_report(db, parse_period("2025")).by_unit["X01"].in_time_rate
    assert x01["3.1"].computed and x01["3.1"].measure == in_time
    assert x01["3.1"].points == (Decimal(10) * Decimal(str(in_time))).quantize(Decimal("0.01"))
    assert x01["1.3"].computed and x01["1.3"].points == 3
    assert (x01["1.1"].points, x01["1.1"].evidence, x01["1.1"].computed) == (3, "Kế hoạch số 02/KH-UBND ngày "
                                                                            "05/01/2025", False)
    # A department receives no dossiers: quytrinh has nothing to measure, its self-score counts.
    tp = {c.code: c for c in by_unit["H01.TP"].criteria}
    assert (tp["3.1"].computed, tp["3.1"].points) == (False, 9) and tp["1.3"].points == 0
    assert by_unit["X01"].total == sum((c.points for c in by_unit["X01"].criteria), Decimal(0))
    assert [line.unit for line in lines[:2]] == ["X01", "H01.TP"] and [line.rank for line in lines[:2]] == [1, 2]
    assert lines[-1].total == 0 and lines[-1].rank == lines[2].rank == 3  # the others, tied at 0

    book = load_workbook(io.BytesIO(par_index.index_xlsx(db, 2025)))
    sheet = book["Chỉ số CCHC"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Xếp hạng", "Mã", "Đơn vị") and rows[1][-1] == "Tổng điểm"
    assert rows[2][:2] == (1, "X01") and rows[2][-1] == float(by_unit["X01"].total)
    assert len(rows) == 2 + len(lines)
    evidence = [r for r in book["Tài liệu kiểm chứng"].iter_rows(values_only=True)]
    assert ("X01", "UBND xã An Hòa (demo)", "3.3 Công khai, minh bạch TTHC", 4.5,
            "Ảnh niêm yết TTHC tại Bộ phận Một cửa") in evidence


def test_cli_scores_and_ranks(org, tmp_path):
    if not org.is_sqlite:
        pytest.skip("the CLI runs on the SQLite file (the PostgreSQL schema is not reachable by URL)")
    import json

    from click.testing import CliRunner

    from cli.main import main

    run, base = CliRunner().invoke, ["--database", org.url, "cchc"]
    out = run(main, [*base, "par-score", "H01.TP", "--year", "2025", "--criterion", "2.1", "--points", "7,5",
                     "--evidence", "Báo cáo số 31/BC-TP", "--as", "tp.tp", "--json"])
    assert out.exit_code == 0, out.output
    out = run(main, [*base, "par-index", "--year", "2025", "--xlsx", str(tmp_path / "cs.xlsx"), "--json"])
    assert out.exit_code == 0, out.output
    first = json.loads(out.output)[0]
    assert (first["rank"], first["unit"], first["total"]) == (1, "H01.TP", "7.50")
    assert (tmp_path / "cs.xlsx").stat().st_size > 0


def test_self_scores_on_every_backend(org, clock):
    from processes import par_scores

    par_index.self_score(org, "H01.NV", 2025, "4.1", Decimal("8.25"), "Quyết định 15/QĐ-UBND", "tp.nv", clock)
    par_index.self_score(org, "H01.NV", 2025, "4.1", Decimal("9.5"), "Quyết định 15/QĐ-UBND (sửa)", "tp.nv", clock)
    (score,) = par_scores.scores(org, 2025)
    assert (score.unit, score.criterion, score.points, score.evidence) == \
        ("H01.NV", "4.1", Decimal("9.5"), "Quyết định 15/QĐ-UBND (sửa)")
    first = par_index.index(org, 2025)[0]
    assert (first.unit, first.total, first.rank) == ("H01.NV", Decimal("9.5"), 1)
