"""kill -9 of a job worker in the middle of a job: the job is run again by a worker, or shown failed once its
attempts are used up; never left "running" for ever. Real worker processes on the embedded broker."""

from __future__ import annotations

import os
import signal

import pytest

from processes import jobs
from processes.clock import SystemClock
from tests.jobs.workers import kill_group, queue_of, wait_until, worker, worker_env

pytestmark = pytest.mark.slow


def _slow_job(db, jobs_dir, max_attempts: int, steps: int = 12) -> jobs.Job:
    job = jobs.create(db, SystemClock(), "slow", "Việc chậm", {"steps": steps, "pause": 0.25}, "danhgia",
                      max_attempts)
    queue_of(jobs_dir).send(job.id, job.attempt)
    return job


def _under_way(db, job_id: int):
    return lambda: (j := jobs.get(db, job_id)).status == "running" and j.done >= 2


def test_a_job_whose_worker_is_killed_is_run_again_by_the_next_worker(db, tmp_path, monkeypatch):
    jobs_dir, log = tmp_path / "jobs", tmp_path / "worker.log"
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    env = worker_env(db, jobs_dir)
    with worker(env, log) as first:
        job = _slow_job(db, jobs_dir, max_attempts=2)
        wait_until(_under_way(db, job.id), 60, "the first worker starts the job", log)
        kill_group(first)  # kill -9, the pool's child included: no goodbye, no acknowledgement
    assert jobs.get(db, job.id).status == "running"  # what the page shows until someone notices
    with worker(env, log):
        wait_until(lambda: jobs.get(db, job.id).finished, 60, "the second worker finishes the job", log)
    done = jobs.get(db, job.id)
    assert (done.status, done.attempt, done.result) == ("done", 2, {"steps": 12})
    assert jobs.file_of(done).read_text(encoding="utf-8") == "12 bước"


def test_a_job_killed_on_its_last_attempt_is_shown_failed_and_the_worker_goes_on(db, tmp_path, monkeypatch):
    jobs_dir, log = tmp_path / "jobs", tmp_path / "worker.log"
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    with worker(worker_env(db, jobs_dir), log):
        job = _slow_job(db, jobs_dir, max_attempts=1)
        wait_until(_under_way(db, job.id), 60, "the worker starts the job", log)
        child = int(jobs.get(db, job.id).worker.rsplit(":", 1)[1])  # the pool process running it
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: jobs.get(db, job.id).finished, 30, "the lost job is marked failed", log)
        failed = jobs.get(db, job.id)
        assert failed.status == "failed" and "Thử lại" in failed.error
        # The worker replaced its child and runs the next job.
        after = _slow_job(db, jobs_dir, max_attempts=1, steps=2)
        wait_until(lambda: jobs.get(db, after.id).status == "done", 30, "the next job runs", log)
