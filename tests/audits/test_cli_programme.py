"""Issue 14 item 4 on the command line: quytrinh audit plan | sample | answer | close | programme."""

from __future__ import annotations

import json

from click.testing import CliRunner

from audits import programme
from cli.main import main
from processes.db import Database
from tests.conftest import BPMN_DIR


def test_plan_sample_answer_close_programme(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.sqlite'}"
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, ["--database", url, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    run("init-db")
    run("demo-org")
    run("deploy", str(BPMN_DIR / "QT-XD-01.bpmn"))
    plan = json.loads(run("audit", "plan", "--unit", "H01.KTHT", "--period", "2026", "--auditor", "danhgia",
                          "--procedure", "QT-XD-01", "--as", "danhgia", "--json").output)["plan"]
    code = plan["code"]
    assert json.loads(run("audit", "sample", code, "--json").output) == {"plan": code, "sample": []}
    db = Database(url)
    items = programme.checklist(db, code)
    refused = run("audit", "close", code, "--as", "danhgia", code=6)
    assert f"{len(items)} checklist items not answered" in refused.output
    run("audit", "answer", code, "--procedure", "QT-XD-01", "--item", "1", "--answer", "conformity", "--as", "iso",
        code=4)  # iso is not on the team
    wrong = run("audit", "answer", code, "--procedure", "QT-XD-01", "--item", "1", "--answer", "conformity",
                "--evidence", "H01-000000-9999", "--as", "danhgia", code=6)
    assert "evidence: no dossier 'H01-000000-9999'" in wrong.output
    assert programme.checklist(db, code)[0]["answer"] is None
    for item in items:
        run("audit", "answer", code, "--procedure", item["procedure"], "--item", str(item["item_no"]),
            "--answer", "conformity", "--note", "Đạt", "--as", "danhgia")
    assert run("audit", "close", code, "--as", "danhgia").output.strip() == f"{code}: done"
    shown = json.loads(run("audit", "programme", "--year", "2026", "--json").output)
    assert shown["plans"][0]["status"] == "done"
    assert {r["unit"]: r["plans"] for r in shown["coverage"]}["H01.KTHT"] == [code]
    assert "units audited in 2026" in run("audit", "programme", "--year", "2026").output
    db.dispose()
