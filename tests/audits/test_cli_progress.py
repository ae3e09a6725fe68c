"""Long commands show a progress bar on stderr (demo year, several BPMN files, reports, the log export), never on
stdout and never with --json, whose output programs read. Under CliRunner stderr is no terminal, so click
prints the bar's label alone: that is what is checked."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import main
from tests.conftest import BPMN_DIR


def _run(url: str, *args: str):
    result = CliRunner().invoke(main, ["--database", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_long_commands_show_progress_on_stderr_only_without_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.sqlite'}"
    _run(url, "init-db")
    deployed = _run(url, "deploy", str(BPMN_DIR / "QT-XD-01.bpmn"), str(BPMN_DIR / "QT-CT-01.bpmn"))
    assert "Triển khai quy trình" in deployed.stderr and "Triển khai" not in deployed.stdout
    quiet = _run(url, "deploy", "--json", str(BPMN_DIR / "QT-XD-01.bpmn"), str(BPMN_DIR / "QT-CT-01.bpmn"))
    assert quiet.stderr == "" and len(json.loads(quiet.stdout)) == 2

    demo = _run(url, "demo", "--year", "2025", "--scale", "0.03", "--seed", "5", "--bpmn", str(BPMN_DIR), "--force")
    assert "Mô phỏng năm 2025" in demo.stderr and "dossiers in 2025" in demo.stdout

    report = _run(url, "audit", "report", "--year", "2025", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    assert "Báo cáo 2025" in report.stderr and (tmp_path / "r.xlsx").stat().st_size > 0
    as_json = _run(url, "audit", "report", "--year", "2025", "--format", "html", "-o", str(tmp_path / "r.html"),
                   "--json")
    assert as_json.stderr == "" and json.loads(as_json.stdout)["headline"]

    exported = _run(url, "export-log", "--format", "csv", "-o", str(tmp_path / "log.csv"))
    assert "Xuất nhật ký sự kiện" in exported.stderr and exported.stdout.startswith("wrote ")
