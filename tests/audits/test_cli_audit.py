"""The audit commands end to end on a small simulated year: demo (idempotent), conformance, SLA, QĐ 766,
the audit programme, reports and the log export, text and --json."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import main
from processes import procedures
from processes.db import Database
from tests.conftest import BPMN_DIR


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{folder / 'q.sqlite'}"
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, ["--database", url, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output + (result.stderr if result.stderr_bytes else "")
        return result

    made = json.loads(run("demo", "--year", "2025", "--scale", "0.15", "--seed", "3", "--bpmn", str(BPMN_DIR),
                          "--json").output)
    return run, made, folder


def test_demo_fills_a_year_once(cli):
    run, made, _ = cli
    assert made["dossiers"] > 20 and made["steps"] > made["dossiers"]
    assert set(made["by_procedure"]) >= {"QT-CT-01", "QT-HT-01"}
    assert made["audit_plans"]
    again = json.loads(run("demo", "--year", "2025", "--json").output)
    assert again["skipped"] is True and again["cases"] >= made["dossiers"]


def test_demo_fills_the_iso_metadata_of_its_procedures(cli):
    _, _, folder = cli
    db = Database(f"sqlite:///{folder / 'q.sqlite'}")
    try:
        filled = procedures.get_procedure(db, "QT-XD-01")
    finally:
        db.dispose()
    assert filled["scope"].startswith("Áp dụng đối với hồ sơ đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ")
    assert filled["records"] and filled["terms"]


def test_conformance_and_sla(cli):
    run, made, _ = cli
    figures = json.loads(run("audit", "conformance", "--json").output)
    # The only deviations are the demo's steps a leader recorded as handled on paper: each a skipped step.
    found = figures["deviating_cases"]
    assert 1 <= len(found) <= made["deviations"]
    assert {d["kind"] for case in found for d in case["deviations"]} == {"skipped"}
    assert figures["procedures"]["QT-CT-01"]["share_fitting"] < 1.0
    assert "QT-CT-01:" in run("audit", "conformance", "--procedure", "QT-CT-01").output
    sla = json.loads(run("audit", "sla", "--year", "2025", "--json").output)
    assert sla["received"] >= made["dossiers"] - made["running"] and sla["overall"]["resolved"] > 0
    assert "resolved" in run("audit", "sla", "--period", "2025-Q4").output
    run("audit", "sla", code=6)


def test_index766(cli):
    run, _, _ = cli
    units = json.loads(run("audit", "index766", "--period", "2025-Q4", "--json").output)
    assert {u["unit"] for u in units} >= {"H01", "X01", "*"}
    assert all(0 <= u["total"] <= 100 and u["grade"] for u in units)
    run("audit", "score766", "--unit", "H01", "--period", "2025-Q4", "--criterion", "4", "--points", "9", "--as", "iso")
    h01 = next(u for u in json.loads(run("audit", "index766", "--period", "2025-Q4", "--unit", "H01",
                                         "--json").output) if u["unit"] == "H01")
    assert h01["groups"]["4"] == 9
    assert "points" in run("audit", "index766", "--period", "2025-Q4").output
    run("audit", "index766", "--period", "2025-Q5", code=6)


def test_programme_commands(cli):
    run, _, _ = cli
    refused = run("audit", "plan", "--unit", "H01.TP", "--period", "2025", "--auditor", "cv.tp", "--as", "iso", code=6)
    assert "may not audit H01.TP" in refused.output
    plan = json.loads(run("audit", "plan", "--unit", "H01.TP", "--period", "2025", "--auditor", "cv.nv",
                          "--as", "iso", "--json").output)
    assert plan["sample"] and plan["plan"]["procedures"] == ["QT-CT-01"]
    code = plan["plan"]["code"]
    found = json.loads(run("audit", "finding", code, "--kind", "nonconformity", "--statement",
                           "Sổ theo dõi chưa ghi đủ", "--evidence", plan["sample"][0] + ":1", "--as", "cv.nv",
                           "--json").output)
    assert found["capa"] and found["evidence"][0]["seq"] == 1


def test_reports_and_export(cli):
    run, _, folder = cli
    for fmt in ("pdf", "xlsx", "html"):
        out = folder / f"r.{fmt}"
        assert "wrote" in run("audit", "report", "--year", "2025", "--format", fmt, "-o", str(out)).output
        assert out.stat().st_size > 1000
    review = folder / "review.html"
    run("audit", "report", "--year", "2025", "--format", "html", "--kind", "review", "-o", str(review))
    assert "XEM XÉT CỦA LÃNH ĐẠO" in review.read_text(encoding="utf-8")
    for fmt in ("xes", "csv"):
        out = folder / f"log.{fmt}"
        assert "wrote" in run("export-log", "--format", fmt, "--procedure", "QT-CT-01", "-o", str(out)).output
        assert "QT-CT-01" in out.read_text(encoding="utf-8")
