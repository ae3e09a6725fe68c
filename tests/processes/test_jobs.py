"""Job records (processes/jobs.py): the lifecycle pages read, the claim that makes duplicates harmless,
and the recovery of a job whose worker died. Run on SQLite and PostgreSQL through the `db` fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from processes import jobs
from processes.clock import FixedClock
from processes.errors import InvalidTransition, NotFound

T0 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def moving() -> FixedClock:
    return FixedClock(T0)


def _report(db, clock, owner: str = "danhgia") -> jobs.Job:
    return jobs.create(db, clock, "report", "Báo cáo năm 2025 (PDF)", {"year": 2025, "fmt": "pdf"}, owner)


def test_a_job_goes_from_queued_through_progress_to_done_with_its_file(db, moving):
    job = _report(db, moving)
    assert (job.status, job.attempt, job.percent, job.params) == ("queued", 1, 0, {"year": 2025, "fmt": "pdf"})
    running = jobs.claim(db, moving, job.id, 1, "host:1")
    assert running is not None and running.status == "running" and running.worker == "host:1"
    assert jobs.progress(db, moving, job.id, 1, 2, 5, "Đang tổng hợp số liệu")
    seen = jobs.get(db, job.id)
    assert (seen.done, seen.total, seen.percent, seen.message) == (2, 5, 40, "Đang tổng hợp số liệu")
    assert jobs.finish(db, moving, job.id, 1, "1/bao-cao.pdf", "bao-cao.pdf", "application/pdf", {"dossiers": 3})
    done = jobs.get(db, job.id)
    assert (done.status, done.percent, done.file_name, done.result) == ("done", 100, "bao-cao.pdf", {"dossiers": 3})
    assert done.finished and done.finished_at == T0


def test_a_message_for_a_job_already_claimed_or_of_an_old_attempt_does_nothing(db, moving):
    job = _report(db, moving)
    assert jobs.claim(db, moving, job.id, 1, "a") is not None
    assert jobs.claim(db, moving, job.id, 1, "b") is None  # the same message delivered twice
    assert jobs.claim(db, moving, job.id, 2, "b") is None  # an attempt that was never queued
    assert jobs.get(db, job.id).worker == "a"


def test_a_failed_job_shows_its_error_and_is_retried_as_its_next_attempt(db, moving):
    job = _report(db, moving)
    jobs.claim(db, moving, job.id, 1, "a")
    assert jobs.fail(db, moving, job.id, 1, "Năm 2031 chưa có dữ liệu", {"error_code": "no_data", "error_params": {}})
    failed = jobs.get(db, job.id)
    assert (failed.status, failed.error) == ("failed", "Năm 2031 chưa có dữ liệu")
    assert failed.result == {"error_code": "no_data", "error_params": {}}  # pages say it in the reader's language
    with pytest.raises(NotFound):  # someone else's job: not even told it exists
        jobs.retry(db, moving, job.id, "motcua")
    again = jobs.retry(db, moving, job.id, "danhgia")
    assert (again.status, again.attempt, again.error, again.result) == ("queued", 2, "", {})
    assert jobs.claim(db, moving, job.id, 1, "late message of attempt 1") is None
    assert jobs.claim(db, moving, job.id, 2, "b") is not None
    # The old attempt can no longer report on the job.
    assert not jobs.progress(db, moving, job.id, 1, 1, 2)
    assert not jobs.finish(db, moving, job.id, 1, "x", "x", "x")
    with pytest.raises(InvalidTransition):
        jobs.retry(db, moving, job.id, "danhgia")  # running, not failed


def test_a_job_whose_worker_stopped_beating_is_queued_again_then_failed_after_its_last_attempt(db, moving):
    job = _report(db, moving)
    jobs.claim(db, moving, job.id, 1, "killed worker")
    moving.set(T0 + dt.timedelta(seconds=20))
    assert jobs.recover_stale(db, moving, stale_after=30) == []  # still beating recently enough
    moving.set(T0 + dt.timedelta(seconds=31))
    [requeued] = jobs.recover_stale(db, moving, stale_after=30)
    assert (requeued.id, requeued.status, requeued.attempt) == (job.id, "queued", 2)
    assert "đang chạy lại" in requeued.message
    assert [j.id for j in jobs.queued(db)] == [job.id]
    jobs.claim(db, moving, job.id, 2, "second worker, killed too")
    moving.set(T0 + dt.timedelta(seconds=100))
    assert jobs.recover_stale(db, moving, stale_after=30) == []
    lost = jobs.get(db, job.id)
    assert lost.status == "failed" and "Thử lại" in lost.error


def test_a_beating_job_is_left_alone(db, moving):
    job = _report(db, moving)
    jobs.claim(db, moving, job.id, 1, "w")
    moving.set(T0 + dt.timedelta(seconds=25))
    jobs.progress(db, moving, job.id, 1)  # the heartbeat alone
    moving.set(T0 + dt.timedelta(seconds=50))
    assert jobs.recover_stale(db, moving, stale_after=30) == []
    assert jobs.get(db, job.id).status == "running"


def test_a_user_lists_only_their_own_jobs_newest_first(db, moving):
    first = _report(db, moving)
    moving.set(T0 + dt.timedelta(minutes=1))
    second = _report(db, moving)
    _report(db, moving, owner="iso")
    assert [j.id for j in jobs.list_for(db, "danhgia")] == [second.id, first.id]
    assert jobs.get_for(db, first.id, "iso", is_admin=True).id == first.id
    with pytest.raises(NotFound):
        jobs.get_for(db, first.id, "iso")


def test_the_jobs_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path))
    assert jobs.jobs_dir() == tmp_path
    monkeypatch.delenv("QUYTRINH_JOBS_DIR")
    assert jobs.jobs_dir().parts[-2:] == ("instance", "jobs")


def test_a_job_whose_worker_is_known_dead_is_recovered_without_waiting_for_the_heartbeat(db, moving):
    job = _report(db, moving)
    jobs.claim(db, moving, job.id, 1, "host:41")
    other = _report(db, moving)
    jobs.claim(db, moving, other.id, 1, "host:42")
    [requeued] = jobs.recover_stale(db, moving, stale_after=60, dead=lambda worker: worker == "host:41")
    assert requeued.id == job.id and jobs.get(db, other.id).status == "running"
