"""Issue 13 item 1 below the pages: what each step entered, labelled from the BPMN, with the step's files, in the
use case and in `quytrinh history`; the facts the form rules compare dates with (items 2–3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from processes import attachments, decisions, form_checks
from processes.errors import InvalidInput
from processes.keys import VN
from tests.xd_data import XD_RECEPTION, XD_STEPS

from .conftest import CHECK_OK, RECEIVE, run_to_end, single_task, start_case, work

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_each_step_with_its_labelled_values_and_files(proc, clock, tmp_path: Path):
    case = start_case(proc, clock).instance_id
    work(proc, clock, "motcua", RECEIVE, case)
    task = single_task(proc, "cv.ktht", case)
    attachments.attach(proc, tmp_path, case, "du-thao.pdf", PDF, "cv.ktht", clock, task.id)
    work(proc, clock, "cv.ktht", CHECK_OK, case)
    found = decisions.of_case(proc, case)
    assert [d.element_id for d in found] == ["Task_TiepNhan", "Task_ThamDinh"]
    appraisal = found[1]
    assert [(a.label, a.text) for a in appraisal.answers] == [("Kết quả thẩm định", "Đạt"), ("Ý kiến", "Hồ sơ đầy đủ")]
    assert appraisal.actor == "cv.ktht" and appraisal.actor_name and [f.filename for f in appraisal.files] == \
        ["du-thao.pdf"]
    assert found[0].files == () and ("Số bản", "2") in [(a.label, a.text) for a in found[0].answers]


def test_history_prints_what_each_step_entered(proc, clock):
    if not proc.is_sqlite:
        pytest.skip("the CLI runs on the SQLite file (the PostgreSQL schema is not reachable by URL)")
    case = start_case(proc, clock).instance_id
    run_to_end(proc, clock, case)
    run = CliRunner().invoke(main, ["--database", proc.url, "history", str(case)], catch_exceptions=False)
    assert "      Kết quả thẩm định: Đạt" in run.output and "      Quyết định: Duyệt" in run.output
    rows = json.loads(CliRunner().invoke(main, ["--database", proc.url, "history", str(case), "--json"]).output)
    done = [r for r in rows if r["lifecycle"] == "complete" and r["activity"] == "Task_ThamDinh"]
    assert done[0]["answers"][0] == {"field": "ket_qua", "label": "Kết quả thẩm định", "type": "enum",
                                     "value": "dat", "text": "Đạt"}


def test_facts_received_notified_today_and_the_checks_that_use_them(org, deployed, clock, monkeypatch):
    from processes import instances, reception
    from processes.fastsql import Fast
    from tests.web.workspace_helpers import open_task

    run = Fast.execute

    deployed("QT-XD-01.bpmn")
    xd = org

    counter = reception.Counter(reception.Applicant("Nguyễn Văn An", "001203004567"), form=XD_RECEPTION)
    code = reception.receive(xd, "QT-XD-01", counter, "accepted", "motcua", clock).ref
    case = reception.get(xd, code).instance_id
    instances.complete(xd, open_task(xd, code, "Task_ThamDinh"), {"ket_qua_tham_dinh": "bo_sung",
                                                                  "noi_dung_bo_sung": "Bản vẽ"}, "cv.ktht", clock)
    today = clock.now().astimezone(VN).date()
    statements = []
    with xd.read() as conn, monkeypatch.context() as patch:  # what a dated form's completion adds: one statement
        patch.setattr(Fast, "execute", lambda self, *a, **k: statements.append(self) or run(self, *a, **k))
        facts = decisions.case_facts(conn, case, clock.now())
    assert facts == {"today": today, "received_at": today, "notified_at": today}
    assert len(statements) == 1
    step = open_task(xd, code, "Task_TiepNhanBoSung")
    before = (today - dt.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as caught:
        form_checks.check(xd, step, {"ngay_thong_bao_bo_sung": before, "ngay_nhan_bo_sung": today.isoformat()},
                          clock.now())
    assert caught.value.errors["ngay_thong_bao_bo_sung"].params["other"].code == "fact_received_at"
    form_checks.check(xd, step, dict(XD_STEPS["Task_TiepNhanBoSung"], ngay_thong_bao_bo_sung=today.isoformat(),
                                     ngay_nhan_bo_sung=today.isoformat()), clock.now())
    if xd.is_sqlite:  # the CLI checks the same facts before completing
        run = CliRunner().invoke(main, ["--database", xd.url, "complete", step, "--as", "motcua", "--data", json.dumps(
            {"ngay_thong_bao_bo_sung": "2025-12-30", "ngay_nhan_bo_sung": today.isoformat()})])
        assert run.exit_code == 6 and "ngay_thong_bao_bo_sung: must not be before the reception date" in run.output
