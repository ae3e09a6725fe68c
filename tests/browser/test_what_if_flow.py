"""The quality manager predicts a draft's effect before sending it for approval (issue 18), in Chromium.

A demo year (2025, about 650 dossiers) is worked through the engine so that there is a log to learn
from; the quality manager (`iso`) has a draft of the building permit (QT-XD-01) whose site inspection is
given 4 working days instead of 9. From the procedure page they open the draft's "Dự báo tác động", run the
simulation of 2026, watch its progress while a real `quytrinh worker` (embedded broker) runs the job, and
then read the version in force and the draft side by side with their charts, in plain Vietnamese.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import demo
from processes import versions
from processes.clock import SystemClock
from tests.jobs.workers import kill_group, queue_of, worker_env

from .conftest import ROOT, login, shot

CODE = "QT-XD-01"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def district(live_server, tmp_path_factory):
    """The live server's database with a demo year 2025 and a draft of QT-XD-01; jobs go to an embedded queue."""
    demo.generate_year(live_server.db, 2025, 1.0, 2025)
    xml = versions.version_xml(live_server.db, CODE, 1)
    draft = xml.replace('name="Thẩm định hồ sơ, kiểm tra thực địa" camunda:formKey',
                        'name="Thẩm định hồ sơ, kiểm tra thực địa" camunda:formKey', 1)
    draft = re.sub(r'(<bpmn:userTask id="Task_ThamDinh"[^>]*camunda:dueDate=")P9D(")', r"\g<1>P4D\2", draft)
    assert draft != xml
    saved = versions.save_draft(live_server.db, SystemClock(), "iso", CODE, draft, "Rút ngắn thẩm định còn 4 ngày")
    jobs_dir = tmp_path_factory.mktemp("what-if-jobs")
    before = os.environ.get("QUYTRINH_JOBS_DIR")
    os.environ["QUYTRINH_JOBS_DIR"] = str(jobs_dir)
    live_server.app.extensions["quytrinh.jobs_queue"] = queue_of(jobs_dir)
    yield live_server, saved["version"], worker_env(live_server.db, jobs_dir)
    if before is None:
        os.environ.pop("QUYTRINH_JOBS_DIR", None)
    else:
        os.environ["QUYTRINH_JOBS_DIR"] = before


def _visible_codes(text: str) -> list[str]:
    """Role codes, ISO 8601 durations or Python's None a person should never read."""
    return re.findall(r"\b(?:[a-z]+_[a-z_]+|P\d+(?:\.\d+)?D|None|nan)\b", text)


def test_the_quality_manager_runs_a_what_if_on_a_draft_and_sees_both_results_side_by_side(district, page,
                                                                                           tmp_path):
    server, version, env = district
    login(page, server, "iso", next_path=f"/quality/procedures/{CODE}")
    page.click(f"a[href='/quality/procedures/{CODE}/versions/{version}/what-if']")
    page.wait_for_selector("form.what-if-form")
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng" in page.inner_text("form.what-if-form")
    page.fill("input[name=year]", "2026")
    states: list[dict] = []
    page.on("response", lambda r: states.append(r.json()) if re.search(r"/jobs/\d+\.json$", r.url) else None)
    page.click("form.what-if-form button[type=submit]")
    page.wait_for_selector("#job progress#job-bar")
    shot(page, "what-if-1-queued")
    assert "Dự báo tác động năm 2026" in page.inner_text("#job")

    log = tmp_path / "worker.log"
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--interval", "0.5", "--concurrency", "1"],
                                   env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        page.wait_for_selector("#what-if-result", timeout=120_000)  # static/jobs.js reloads the page when done
    except Exception:
        raise AssertionError(Path(log).read_text(errors="replace")[-3000:]) from None
    finally:
        kill_group(process)
    shot(page, "what-if-2-result")
    assert states and all(s["status"] in ("queued", "running") for s in states[:-1])
    assert any(s["status"] == "running" and "Đang" in s["message"] for s in states), json.dumps(states)[:2000]

    table = page.inner_text("table.what-if")
    assert "Phiên bản đang áp dụng" in table and "Sau thay đổi" in table
    rates = re.findall(r"(\d+,\d) %", page.inner_text("table.what-if tr:has-text('Tỷ lệ đúng hạn dự kiến')"))
    assert len(rates) == 2
    assert float(rates[1].replace(",", ".")) >= float(rates[0].replace(",", "."))  # 4 days, not 9: not later
    assert "ngày làm việc" in table and "Chuyên viên Phòng Kinh tế – Hạ tầng" in table
    # Charts: on time / late, processing times day by day, and queues by month for a role where dossiers wait.
    charts = page.locator("#what-if-result figure > svg")
    assert charts.count() >= 2 and charts.nth(1).get_attribute("aria-label") == (
        "Tỷ lệ hồ sơ theo thời gian giải quyết (ngày làm việc)")
    assert charts.count() > 2 or "Không vai trò nào có hồ sơ phải xếp hàng chờ" in page.inner_text("#what-if-result")
    whole = page.inner_text("main")
    assert "15 ngày làm việc" in whole
    assert _visible_codes(whole) == [], _visible_codes(whole)
    assert page.js_errors == []
