"""Job files are deleted once nobody was offered them for the keeping time (30 days by default), by the worker;
a report reused from an earlier file renews its time; the job's page then says the file is gone."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from jobs.runner import execute
from processes import job_files, jobs
from processes.clock import FixedClock
from tests.jobs.workers import wait_until, worker, worker_env
from tests.web.conftest import app, login  # noqa: F401 - fixtures

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _done_job(db, clock, jobs_dir) -> jobs.Job:
    """An event-log export run to its end at `clock`'s time, its file under `jobs_dir`."""
    job = jobs.create(db, clock, "event_log", "Nhật ký sự kiện (CSV)", {"fmt": "csv"}, "danhgia")
    assert execute(db, job.id, job.attempt, clock=clock) == "done"
    made = jobs.get(db, job.id)
    assert (jobs_dir / made.file_path).is_file()
    return made


@pytest.fixture
def jobs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.delenv("QUYTRINH_JOBS_KEEP_DAYS", raising=False)
    return tmp_path / "jobs"


def test_a_file_is_kept_30_days_then_deleted_and_its_row_says_so(org, jobs_dir):
    old = _done_job(org, FixedClock(T0), jobs_dir)
    assert job_files.expire(org, FixedClock(T0 + dt.timedelta(days=29))).files == []
    assert (jobs_dir / old.file_path).is_file()

    expired = job_files.expire(org, FixedClock(T0 + dt.timedelta(days=31)))
    assert expired.files == [old.file_path]
    assert not (jobs_dir / old.file_path).exists() and not (jobs_dir / str(old.id)).exists()
    after = jobs.get(org, old.id)
    assert after.status == jobs.DONE and after.file_path is None and jobs.file_of(after) is None
    assert "Tệp đã được xoá sau 30 ngày lưu giữ" in after.message
    assert jobs.reusable(org, "event_log", {"fmt": "csv"}) is None  # the next request makes it afresh


def test_a_report_reused_from_a_file_renews_its_time(org, jobs_dir):
    source = _done_job(org, FixedClock(T0), jobs_dir)
    reused = jobs.reuse(org, FixedClock(T0 + dt.timedelta(days=20)), source, "pct")
    assert job_files.expire(org, FixedClock(T0 + dt.timedelta(days=40))).files == []
    assert jobs.file_of(jobs.get(org, reused.id)) is not None and jobs.file_of(jobs.get(org, source.id))

    assert job_files.expire(org, FixedClock(T0 + dt.timedelta(days=51))).files == [source.file_path]
    assert jobs.get(org, reused.id).file_path is None and jobs.get(org, source.id).file_path is None


def test_the_keeping_time_is_configurable_and_zero_keeps_every_file(org, jobs_dir, monkeypatch):
    job = _done_job(org, FixedClock(T0), jobs_dir)
    monkeypatch.setenv("QUYTRINH_JOBS_KEEP_DAYS", "0")
    assert job_files.expire(org, FixedClock(T0 + dt.timedelta(days=3650))).files == []
    monkeypatch.setenv("QUYTRINH_JOBS_KEEP_DAYS", "7")
    assert job_files.expire(org, FixedClock(T0 + dt.timedelta(days=6))).files == []
    assert job_files.expire(org, FixedClock(T0 + dt.timedelta(days=8))).files == [job.file_path]


def test_a_leftover_folder_of_a_failed_job_goes_with_the_same_time(org, jobs_dir):
    leftover = jobs_dir / "999"
    leftover.mkdir(parents=True)
    (leftover / ".bao-cao.pdf.1.part").write_bytes(b"%PDF-half")
    now = dt.datetime.now(dt.UTC)
    assert job_files.expire(org, FixedClock(now)).folders == []  # just written
    month_ago = (now - dt.timedelta(days=31)).timestamp()
    os.utime(leftover / ".bao-cao.pdf.1.part", (month_ago, month_ago))
    upload = jobs_dir / "uploads" / "abc"
    upload.mkdir(parents=True)
    (upload / "can_bo.csv").write_bytes(b"STT")
    os.utime(upload / "can_bo.csv", (month_ago, month_ago))
    assert job_files.expire(org, FixedClock(now)).folders == ["999", "uploads/abc"]
    assert not leftover.exists() and not upload.exists()


def test_the_page_of_a_job_whose_file_was_deleted_says_so(org, login, jobs_dir):  # noqa: F811 - the fixture
    job = _done_job(org, FixedClock(T0), jobs_dir)
    job_files.expire(org, FixedClock(T0 + dt.timedelta(days=31)))
    client = login("danhgia")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Tệp đã được xoá sau 30 ngày lưu giữ" in page and "Tải tệp" not in page
    assert client.get(f"/jobs/{job.id}/file").status_code == 404


@pytest.mark.slow
def test_the_worker_deletes_files_past_their_time_when_it_starts(org, jobs_dir, tmp_path):
    old = _done_job(org, FixedClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=45)), jobs_dir)
    fresh = _done_job(org, FixedClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=2)), jobs_dir)
    log = tmp_path / "worker.log"
    with worker(worker_env(org, jobs_dir), log):
        wait_until(lambda: jobs.get(org, old.id).file_path is None, 60, "the old file is deleted", log)
    assert not (jobs_dir / old.file_path).exists()
    assert (jobs_dir / fresh.file_path).is_file() and jobs.get(org, fresh.id).file_path == fresh.file_path
