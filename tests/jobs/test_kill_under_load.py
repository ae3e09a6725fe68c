"""Issue 11's acceptance: under load, kill -9 one gunicorn worker and the job worker. No completion the server
acknowledged is lost, the event log verifies, the server keeps answering through its other worker, and the job
that was running is run again by the next job worker. Loopback only, bounded in time, everything killed after."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from processes import catalog, eventlog, jobs, reception
from processes.clock import SystemClock
from processes.schema import human_tasks, instances
from tests.conftest import BPMN_DIR
from tests.jobs.workers import free_port, kill_group, queue_of, server, wait_until, worker, worker_env

pytestmark = pytest.mark.slow

FORM = {"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa", "so_giay_chung_nhan_qsdd": "CS 1",
        "dien_tich_xay_dung": 100, "so_tang": 3}
APPRAISAL = {"ket_qua_tham_dinh": "dat", "y_kien_tham_dinh": "Đủ điều kiện"}


class Officer:
    """cv.ktht over one keep-alive connection, reconnecting (and logging in again) when the connection dies."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie, self.conn = port, "", http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            reply = self.conn.getresponse()
            text = reply.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        if cookie := reply.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        return reply.status, text

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.request("GET", path)[1]).group(1)

    def login(self) -> None:
        status, _ = self.request("POST", "/login", {"username": "cv.ktht", "password": "demo1234",
                                                   "csrf_token": self.token("/login")})
        assert status == 302


def _work(port: int, steps: list[str], until: float, acknowledged: list[str], lock: threading.Lock) -> None:
    """Complete each step of this share; a request cut by a killed worker is tried again (the step may already
    be done: then the server says so, and it counts as acknowledged only if a 302 came back)."""
    officer = Officer(port)
    while True:  # the worker answering the login may be the one killed: log in again
        try:
            officer.login()
            token = officer.token("/tasks")
            break
        except (OSError, http.client.HTTPException):
            if time.monotonic() >= until:
                return
            time.sleep(0.05)
    for step in steps:
        while time.monotonic() < until:
            try:
                status, _ = officer.request("POST", f"/tasks/{step}", {"csrf_token": token, **APPRAISAL})
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
                continue
            if status == 302:
                with lock:
                    acknowledged.append(step)
            break


def _health(port: int, stop: threading.Event, answers: list[tuple[float, int]]) -> None:
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            answers.append((time.monotonic(), conn.getresponse().status))
            conn.close()
        except (OSError, http.client.HTTPException):
            answers.append((time.monotonic(), 0))
        time.sleep(0.05)


def test_killing_a_web_worker_and_the_job_worker_under_load_loses_nothing(org, clock, tmp_path, monkeypatch):
    catalog.deploy_file(org, BPMN_DIR / "QT-XD-01.bpmn", clock, "iso")
    refs = [reception.receive(org, "QT-XD-01", reception.Counter(
        reception.Applicant("Nguyễn Văn An", f"0012{i:08d}"), form=dict(FORM)), "accepted", "motcua", clock).ref
        for i in range(80)]
    with org.read() as conn:
        steps = [r.task_uuid for r in conn.execute(
            select(human_tasks.c.task_uuid).join(instances, instances.c.id == human_tasks.c.instance_id)
            .where(instances.c.business_key.in_(refs), human_tasks.c.state == "ready"))]
    jobs_dir, port = tmp_path / "jobs", free_port()
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    env = worker_env(org, jobs_dir)
    acknowledged: list[str] = []
    answers: list[tuple[float, int]] = []
    lock = threading.Lock()
    with server(env, tmp_path / "server.log", port, "--workers", "2", "--threads", "2") as web, \
            worker(env, tmp_path / "worker.log") as job_worker:
        wait_until(lambda: _up(port), 60, "the server answers", tmp_path / "server.log")
        # Long enough (12 s) to be still running when the load is under way on a busy machine.
        job = jobs.create(org, SystemClock(), "slow", "Việc chậm", {"steps": 60, "pause": 0.2}, "danhgia")
        queue_of(jobs_dir).send(job.id, 1)
        wait_until(lambda: jobs.get(org, job.id).done >= 2, 60, "the job runs", tmp_path / "worker.log")
        until, stop = time.monotonic() + 40, threading.Event()
        load = [threading.Thread(target=_work, args=(port, steps[i::4], until, acknowledged, lock))
                for i in range(4)]
        probe = threading.Thread(target=_health, args=(port, stop, answers))
        for thread in (*load, probe):
            thread.start()
        wait_until(lambda: len(acknowledged) >= 10, 30, "completions under way", tmp_path / "server.log")
        assert jobs.get(org, job.id).status == "running"
        web_workers = subprocess.run(["pgrep", "-P", str(web.pid)], capture_output=True, text=True).stdout.split()
        os.kill(int(web_workers[0]), signal.SIGKILL)
        kill_group(job_worker)
        killed_at = time.monotonic()
        with worker(env, tmp_path / "worker2.log"):
            for thread in load:
                thread.join()
            stop.set()
            probe.join()
            wait_until(lambda: jobs.get(org, job.id).finished, 60, "the job runs again", tmp_path / "worker2.log")
    assert acknowledged, "no completion acknowledged"
    with org.read() as conn:
        states = dict(conn.execute(select(human_tasks.c.task_uuid, human_tasks.c.state)
                                   .where(human_tasks.c.task_uuid.in_(acknowledged))).all())
        assert eventlog.verify(conn) == []
    assert all(states[step] == "completed" for step in acknowledged), "an acknowledged completion was lost"
    assert any(status == 200 for at, status in answers if at > killed_at + 0.5), "the server stopped answering"
    done = jobs.get(org, job.id)
    assert (done.status, done.attempt) == ("done", 2)


def _up(port: int) -> bool:
    try:
        return Officer(port).request("GET", "/health")[0] == 200
    except (OSError, http.client.HTTPException):
        return False
