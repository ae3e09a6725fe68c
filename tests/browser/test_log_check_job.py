"""The external log check as a job in Chromium (issue 11): the auditor uploads a CSV, lands on the job's page with
its progress bar, and once the worker has run it the page reloads itself and shows the figures and deviations.
Screenshots: test-artifacts/browser/log-check-job-*.png."""

from __future__ import annotations

import re

import pytest

from audits.conformance import ProcedureModel
from jobs.runner import execute
from tests.audits.test_external_log import HAPPY, _csv
from tests.conftest import BPMN_DIR

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_an_uploaded_log_is_checked_as_a_job_and_its_figures_shown(page, live_server, tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))  # the upload and the embedded queue
    names = ProcedureModel.from_xml((BPMN_DIR / "QT-XD-01.bpmn").read_bytes()).names
    log = tmp_path / "mot-cua.csv"
    log.write_bytes(_csv(names, {"HS-1": HAPPY, "HS-2": [s for s in HAPPY if s != "Task_KyGiayPhep"]}))
    login(page, live_server, "danhgia", next_path="/audit/check-log")
    page.goto(f"{live_server.url}/audit/check-log")
    page.set_input_files("input[name=file]", str(log))
    page.fill("input[name=procedure]", "QT-XD-01")
    for role, column in (("case", "Mã hồ sơ"), ("activity", "Công việc"), ("timestamp", "Thời gian"),
                         ("resource", "Cán bộ")):
        page.fill(f"input[name={role}]", column)
    page.get_by_role("button", name="Đối chiếu").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    assert page.locator("#job-bar").is_visible()
    shot(page, "log-check-job-waiting")
    job_id = int(page.url.rsplit("/", 1)[1])
    assert execute(live_server.db, job_id, 1) == "done"  # as the worker runs it
    page.wait_for_selector("text=Đã xong", timeout=15_000)  # jobs.js polls, then reloads the page
    body = page.inner_text("body")
    assert "bỏ qua bước" in body and names["Task_KyGiayPhep"] in body and "Độ khớp theo đối chiếu từng bước" in body
    assert page.get_by_role("link", name="Đối chiếu tệp khác").get_attribute("href") == "/audit/check-log"
    shot(page, "log-check-job-done")
