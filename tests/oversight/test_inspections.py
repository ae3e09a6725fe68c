"""Inspections of the demo district (issue 17 item 4): coverage against the target of the rules file in force,
self-inspections, a finding starting a corrective action, and the biên bản kiểm tra as DOCX."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from docx import Document as open_docx

from oversight import inspections as oversight_inspections
from oversight.rules_files import rules_for
from processes import inspections, tasks
from processes.errors import PermissionDenied

D = dt.date
DISTRICT_UNITS = ["H01.KTHT", "H01.MC", "H01.NV", "H01.TCKH", "H01.TP", "H01.VP", "X01"]
LEADERS = {"H01.KTHT": "tp.ktht", "H01.MC": "pct", "H01.NV": "tp.nv", "H01.TCKH": "tp.tckh", "H01.TP": "tp.tp",
           "H01.VP": "pct", "X01": "xa.ct"}


def test_coverage_self_inspection_findings_and_minutes(org, clock, deployed):
    deployed("QT-CAPA-01.bpmn")
    assert oversight_inspections.inspected_units(org) == DISTRICT_UNITS
    for i, unit in enumerate(["H01.KTHT", "H01.TP", "H01.TCKH", "X01", "H01.VP"]):
        found = inspections.plan_inspection(org, 2025, unit, D(2025, 9, 8 + i), D(2025, 9, 9 + i),
                                            ["cv.nv", "iso"], "cv.nv", clock)
        assert found.code == f"KT-2025-{i + 1:02d}"
    for unit in DISTRICT_UNITS:
        own = inspections.plan_inspection(org, 2025, unit, D(2025, 6, 1), D(2025, 6, 20), [LEADERS[unit]],
                                          LEADERS[unit], clock, kind="self")
        inspections.conclude(org, own.code, D(2025, 6, 20), "Đơn vị đã tự kiểm tra, có báo cáo", LEADERS[unit],
                             clock)
    for code in ("KT-2025-01", "KT-2025-02", "KT-2025-03", "KT-2025-04"):
        inspections.conclude(org, code, D(2025, 9, 30), "Thực hiện cơ bản đầy đủ nhiệm vụ CCHC", "cv.nv", clock)
    cover = oversight_inspections.coverage(org, 2025)
    assert (cover.inspected, cover.rate, cover.target) == (["H01.KTHT", "H01.TCKH", "H01.TP", "X01"], 4 / 7, 0.6)
    assert cover.self_rate == 1.0 and not cover.met and cover.planned == sorted(cover.planned) and \
        len(cover.planned) == 5
    with pytest.raises(PermissionDenied):
        inspections.conclude(org, "KT-2025-05", D(2025, 10, 2), "Kết luận của người ngoài đoàn", "tp.tp", clock)
    inspections.conclude(org, "KT-2025-05", D(2025, 10, 2), "Còn một số tồn tại cần khắc phục", "cv.nv", clock)
    assert oversight_inspections.coverage(org, 2025).met  # 5 of 7 ≥ 60 %, every unit self-inspected

    finding = inspections.record_finding(org, "KT-2025-01", "nonconformity",
                                         "Chưa niêm yết công khai 3 thủ tục hành chính mới", "iso", clock,
                                         responsible="tp.ktht")
    assert finding.ref == "KT-2025-01/01" and finding.capa
    capa_steps = [t for t in tasks.list_tasks(org) if t.business_key == finding.capa]
    assert [t.element_id for t in capa_steps] == ["Task_GhiNhan"]
    inspections.record_finding(org, "KT-2025-01", "observation", "Nên số hóa hồ sơ lưu trữ năm 2020", "cv.nv",
                               clock)

    text = _docx_text(oversight_inspections.minutes_docx(org, "KT-2025-01"))
    for expected in ("BIÊN BẢN KIỂM TRA", "Phòng Kinh tế – Hạ tầng", "Chưa niêm yết công khai 3 thủ tục",
                     finding.capa, "Khuyến nghị", "Thực hiện cơ bản đầy đủ nhiệm vụ CCHC", "ngày 30 tháng 09 năm 2025",
                     "cải cách hành chính", "ISO 9001:2015", "Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA"):
        assert expected in text, expected


def _docx_text(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_target_comes_from_the_rules_file_in_force(tmp_path):
    assert rules_for("inspection", D(2025, 1, 1))["coverage_target"] == 0.6
    folder = tmp_path / "inspection"
    folder.mkdir()
    (folder / "2021-07-15.json").write_text(json.dumps({"coverage_target": 0.6}))
    (folder / "2026-01-01.json").write_text(json.dumps({"coverage_target": 0.7}))
    assert rules_for("inspection", D(2025, 12, 31), tmp_path)["coverage_target"] == 0.6
    assert rules_for("inspection", D(2026, 1, 1), tmp_path) == {"coverage_target": 0.7, "file": "2026-01-01.json"}


def test_cli_plans_concludes_and_writes_the_minutes(org, tmp_path):
    if not org.is_sqlite:
        pytest.skip("the CLI runs on the SQLite file (the PostgreSQL schema is not reachable by URL)")
    from click.testing import CliRunner

    from cli.main import main

    run, base = CliRunner().invoke, ["--database", org.url, "cchc", "inspection"]
    out = run(main, [*base, "plan", "H01.TP", "--year", "2025", "--from", "2025-09-08", "--to", "2025-09-09",
                     "--team", "cv.nv", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["code"] == "KT-2025-01"
    assert run(main, [*base, "conclude", "KT-2025-01", "--on", "2025-09-09", "--conclusion",
                      "Hoàn thành tốt nhiệm vụ", "--as", "cv.nv"]).exit_code == 0
    out = run(main, [*base, "coverage", "--year", "2025", "--json"])
    assert json.loads(out.output)["inspected"] == ["H01.TP"]
    target = tmp_path / "bb.docx"
    assert run(main, [*base, "minutes", "KT-2025-01", "--out", str(target)]).exit_code == 0
    assert "Hoàn thành tốt nhiệm vụ" in _docx_text(target.read_bytes())
