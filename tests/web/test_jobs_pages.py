"""Reports as jobs from the audit page: the button records a job and queues it, the progress page and its JSON
follow the job's record, the file is offered when done, a failure shows its error and "Thử lại" queues the next
attempt. The queue here only collects what was sent; the job runs by calling jobs.runner.execute directly
(tests/jobs/ runs real worker processes)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from jobs import kinds
from jobs.runner import execute
from processes import instances, jobs
from tests.web.conftest import SentJobs, csrf_of


@pytest.fixture
def queue(app, tmp_path, monkeypatch) -> SentJobs:
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))
    return app.extensions["quytrinh.jobs_queue"]


def _start(client, **form) -> str:
    page = client.get("/audit?year=2026").data
    reply = client.post("/jobs/report", data={"csrf_token": csrf_of(page), **form})
    assert reply.status_code == 302, reply.data[:300]
    return reply.headers["Location"]


def test_a_report_started_from_the_audit_page_runs_as_a_job_and_offers_its_file(org, clock, login, queue):
    reader = login("danhgia")
    overview = reader.get("/audit?year=2026").get_data(as_text=True)
    assert 'action="/jobs/report"' in overview and 'action="/jobs/event-log"' in overview
    where = _start(reader, year="2026", fmt="xlsx", kind="review")
    job_id = int(re.fullmatch(r"/jobs/(\d+)", where).group(1))
    assert queue.sent == [(job_id, 1)]
    waiting = reader.get(where).get_data(as_text=True)
    assert "Hồ sơ xem xét của lãnh đạo năm 2026 (XLSX)" in waiting and "Đang chờ xử lý" in waiting
    assert '<progress id="job-bar" max="100" value="0">' in waiting
    # No inline script: the page works under a strict Content-Security-Policy.
    assert re.findall(r"<script[^>]*>", waiting) == ['<script src="/static/ui.js" defer>',
                                                     '<script src="/static/jobs.js" defer>']
    assert reader.get(f"/jobs/{job_id}.json").json["status"] == "queued"
    clock.advance(minutes=1)  # and no worker took it: the page says who to ask
    assert "quytrinh worker" in reader.get(f"/jobs/{job_id}.json").json["message"]

    assert execute(org, job_id, 1, clock) == "done"
    state = reader.get(f"/jobs/{job_id}.json").json
    assert (state["status"], state["percent"], state["finished"]) == ("done", 100, True)
    done = reader.get(where).get_data(as_text=True)
    assert "Đã xong" in done and state["file_url"] in done
    download = reader.get(state["file_url"])
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == "attachment; filename=ho-so-xem-xet-cua-lanh-dao-nam-2026.xlsx"
    assert load_workbook(io.BytesIO(download.data)).sheetnames
    assert "ho-so-xem-xet-cua-lanh-dao-nam-2026.xlsx" in reader.get("/jobs").get_data(as_text=True)


def test_a_failed_job_shows_its_error_and_try_again_queues_its_next_attempt(org, clock, login, queue, monkeypatch):
    reader = login("danhgia")
    job_id = int(_start(reader, year="2026", fmt="pdf").rsplit("/", 1)[1])

    def broken(*_args):
        raise RuntimeError("font missing")

    monkeypatch.setitem(kinds.RUNNERS, "report", broken)
    assert execute(org, job_id, 1, clock) == "failed"
    page = reader.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Công việc không thành công" in page and "font missing" in page and "Thử lại" in page
    reply = reader.post(f"/jobs/{job_id}/retry", data={"csrf_token": csrf_of(page.encode())})
    assert reply.status_code == 302 and queue.sent[-1] == (job_id, 2)
    assert reader.get(f"/jobs/{job_id}.json").json["status"] == "queued"
    monkeypatch.undo()
    assert execute(org, job_id, 1, clock) == "skipped"  # the first attempt's message, delivered late
    assert execute(org, job_id, 2, clock) == "done"
    assert jobs.get(org, job_id).status == "done"


def test_jobs_belong_to_whoever_started_them_and_only_audit_readers_start_reports(org, clock, login, queue):
    reader = login("danhgia")
    where = _start(reader, year="2026", fmt="pdf")
    assert login("iso").get(where).status_code == 404  # another reader: not even told it exists
    officer = login("cv.ktht")
    token = csrf_of(officer.get("/").data)
    assert officer.post("/jobs/report", data={"csrf_token": token, "year": "2026"}).status_code == 403
    bad = reader.post("/jobs/report", data={"csrf_token": csrf_of(reader.get(where).data), "year": "năm ngoái",
                                            "fmt": "pdf"})
    assert bad.status_code == 302 and len(queue.sent) == 1
    assert "Năm hoặc loại báo cáo không hợp lệ" in reader.get(bad.headers["Location"]).get_data(as_text=True)


def test_a_report_is_reused_until_new_data_arrive_and_made_again_on_request(org, clock, login, queue, deployed):
    deployed("QT-XD-01.bpmn")
    reader = login("danhgia")
    first = int(_start(reader, year="2026", fmt="xlsx").rsplit("/", 1)[1])
    assert execute(org, first, 1, clock) == "done"
    again = _start(reader, year="2026", fmt="xlsx", kind="annual")  # the same request, spelled out
    page = reader.get(again).get_data(as_text=True)
    assert len(queue.sent) == 1 and "Đã xong" in page and "dữ liệu chưa thay đổi" in page
    assert reader.get(f"{again}/file").data == reader.get(f"/jobs/{first}/file").data
    assert "Lập lại báo cáo" in page
    assert login("iso").get(again).status_code == 404  # the reused result is danhgia's own job
    _start(reader, year="2026", fmt="xlsx", fresh="1")
    assert len(queue.sent) == 2  # asked for afresh
    assert execute(org, queue.sent[-1][0], 1, clock) == "done"
    instances.start(org, "QT-XD-01", {}, "motcua", clock)  # new data: a dossier received
    _start(reader, year="2026", fmt="xlsx")
    assert len(queue.sent) == 3
