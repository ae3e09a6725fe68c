"""Event logs from another one-stop system checked against a procedure version (issue 14 item 9): a log with
deviations gets the same figures as our own cases, a malformed one a per-row report in Vietnamese, and
nothing is stored either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from audits.conformance import ProcedureModel
from audits.deviations import SKIPPED
from audits.external_log import check_external_log, parse_mapping
from cli.main import main
from processes.audit_schema import case_conformance
from processes.errors import InvalidInput
from processes.schema import events

EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external" / "eventlogs" / "running-example"
HAPPY = ["Task_TiepNhan", "Task_ThamDinh", "Task_XemXet", "Task_KyGiayPhep", "Task_VaoSoDongDau", "Task_TraKetQua"]
MAP = "case=Mã hồ sơ,activity=Công việc,timestamp=Thời gian,resource=Cán bộ"


def _csv(names: dict[str, str], cases: dict[str, list[str]], fold: bool = False) -> bytes:
    """A ';'-separated export with Vietnamese headers, steps by name, dates as dd/mm/yyyy HH:MM."""
    lines = ["Mã hồ sơ;Công việc;Thời gian;Cán bộ"]
    for case, steps in cases.items():
        for hour, step in enumerate(steps, 8):
            name = names[step].upper() if fold else names[step]
            lines.append(f"{case};{name};03/03/2025 {hour:02d}:15;cb{hour}")
    return ("\n".join(lines) + "\n").encode()


def _stored(db) -> tuple[int, int]:
    with db.read() as conn:
        return (conn.execute(select(func.count()).select_from(case_conformance)).scalar(),
                conn.execute(select(func.count()).select_from(events)).scalar())


@pytest.fixture
def names(xd01_xml) -> dict[str, str]:
    return ProcedureModel.from_xml(xd01_xml).names


def test_a_log_with_deviations_gets_the_figures_of_our_own_cases(deployed, org, names):
    deployed("QT-XD-01.bpmn")
    before = _stored(org)
    skipped = [s for s in HAPPY if s != "Task_KyGiayPhep"]
    data = _csv(names, {"HS-1": HAPPY, "HS-2": skipped, "HS-3": HAPPY}, fold=True)
    result = check_external_log(org, "mot-cua.csv", data, "QT-XD-01", mapping=parse_mapping(MAP))
    assert result.ok and (result.cases, result.events) == (3, 17)
    f = result.figures
    assert f is not None and (f.cases, f.completed, f.fitting) == (3, 3, 2)
    assert 0.8 < f.alignment_fitness < 1 and 0.8 < f.log_fitness < 1
    assert [(d.kind, d.activity, d.count, d.examples) for d in f.deviations] == [
        (SKIPPED, "Task_KyGiayPhep", 1, ["HS-2"])]
    assert _stored(org) == before  # nothing kept


def test_a_malformed_log_gets_a_report_per_row_and_no_figures(deployed, org, names):
    deployed("QT-XD-01.bpmn")
    before = _stored(org)
    rows = _csv(names, {"HS-1": HAPPY[:2]}).decode().splitlines()
    rows.append("HS-1;Phê duyệt ngoài quy trình;03/03/2025 11:00;cb1")
    rows.append("HS-1;" + names["Task_XemXet"] + ";ngày 3 tháng 3;cb1")
    rows.append(";" + names["Task_XemXet"] + ";2025-03-03T12:00:00+07:00;cb1")
    result = check_external_log(org, "hong.csv", "\n".join(rows).encode(), "QT-XD-01", mapping=parse_mapping(MAP))
    assert not result.ok and result.figures is None and result.verdicts == []
    assert [(p.row, p.column) for p in result.problems] == [("4", "activity"), ("5", "timestamp"), ("6", "case")]
    assert "Phê duyệt ngoài quy trình" in result.problems[0].message and "không có trong" in result.problems[0].message
    assert "Không đọc được thời điểm" in result.problems[1].message
    wrong_column = check_external_log(org, "hong.csv", "\n".join(rows).encode(), "QT-XD-01",
                                      mapping=parse_mapping("case=Mã,activity=Công việc,timestamp=Thời gian"))
    assert [(p.row, p.column) for p in wrong_column.problems] == [("1", "Mã")]
    assert "Thiếu cột mã hồ sơ (case) 'Mã'" in wrong_column.problems[0].message
    with pytest.raises(InvalidInput):
        parse_mapping("ca=Mã")
    assert _stored(org) == before


@pytest.mark.skipif(not EXTERNAL.is_dir(), reason="the shared event logs are not on this machine")
def test_real_logs_of_another_process_are_refused_row_by_row(deployed, org):
    deployed("QT-XD-01.bpmn")
    broken = (EXTERNAL / "notebook_running_example_broken.csv").read_bytes()
    result = check_external_log(org, "broken.csv", broken, "QT-XD-01")
    assert not result.ok and all(p.column == "activity" for p in result.problems)
    assert result.problems[0].row == "2" and "register request" in result.problems[0].message
    xes = check_external_log(org, "running-example.xes", (EXTERNAL / "running-example.xes").read_bytes(),
                             "QT-XD-01")
    assert not xes.ok and xes.problems[0].row == "vết 1, sự kiện 1"


def test_the_cli_prints_the_figures_or_the_rows_as_json(deployed, org, names, tmp_path):
    deployed("QT-XD-01.bpmn")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(_csv(names, {"A": HAPPY, "B": HAPPY[:-1]}))
    bad.write_bytes(_csv(names, {"A": HAPPY}).replace(b"03/03/2025 08:15", b"hom qua"))
    if not org.is_sqlite:
        pytest.skip("the CLI tests run on the SQLite file (the PostgreSQL schema is not reachable by URL)")
    runner = CliRunner()
    base = ["--database", str(org.engine.url), "audit", "check-log"]
    done = runner.invoke(main, [*base, str(good), "--procedure", "QT-XD-01", "--map", MAP, "--json"])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.output)
    assert payload["ok"] and payload["figures"]["fitting"] == 1 and payload["deviating_cases"][0]["case"] == "B"
    assert payload["figures"]["deviations"][0]["label"] == "bỏ qua bước"
    refused = runner.invoke(main, [*base, str(bad), "--procedure", "QT-XD-01", "--version", "1", "--map", MAP,
                                   "--json"])
    assert refused.exit_code == 6
    assert json.loads(refused.output)["problems"][0]["row"] == "2"
    unknown = runner.invoke(main, [*base, str(good), "--procedure", "QT-XD-01", "--version", "9", "--map", MAP])
    assert unknown.exit_code != 0
