"""One real deployment on this machine, as `make run` starts it: gunicorn with two web workers, one job worker
on the embedded broker. An auditor starts a report from the audit page; the progress page's JSON, answered by
whichever web worker, follows the job to its end; the file downloads. `quytrinh run-all` (what `make run`
starts) serves, runs jobs, and stops both on Ctrl-C."""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from processes import jobs
from processes.clock import SystemClock
from tests.conftest import ROOT
from tests.jobs.workers import REDIS_URL, free_port, kill_group, queue_of, server, wait_until, worker, worker_env

pytestmark = pytest.mark.slow


class Browser:
    """Cookies kept, redirects followed, CSRF tokens read from the pages; `base` may change between requests
    (cookies are kept per host, not per port: one browser can talk to two servers of one site)."""

    def __init__(self, base: str, client: str | None = None) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        if client:  # the address a load balancer in front would forward (QUYTRINH_PROXY_HOPS=1)
            self.opener.addheaders = [("X-Forwarded-For", client)]

    def get(self, path: str) -> tuple[str, bytes]:
        with self.opener.open(self.base + path, timeout=30) as reply:
            return reply.geturl(), reply.read()

    def post(self, path: str, form: dict[str, str], page: str) -> str:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**form, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, body, timeout=30) as reply:
            return reply.geturl()

    def login(self, username: str, password: str) -> int:
        """The status of one login attempt (302 in, 401 refused, 429 held back)."""
        _, page = self.get("/login")
        try:
            self.post("/login", {"username": username, "password": password}, page.decode())
        except urllib.error.HTTPError as exc:
            return exc.code
        return 302


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:  # refused, reset, or timed out while the server is still starting
        return False


@pytest.mark.parametrize("broker", ["embedded", pytest.param("redis", marks=pytest.mark.skipif(
    not REDIS_URL, reason="QUYTRINH_TEST_REDIS_URL is not set"))])
def test_a_report_job_started_through_gunicorn_is_run_by_the_worker_and_downloaded(org, tmp_path, monkeypatch,
                                                                                  broker):
    jobs_dir, port = tmp_path / "jobs", free_port()
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    env = worker_env(org, jobs_dir, REDIS_URL if broker == "redis" else None)
    base = f"http://127.0.0.1:{port}"
    with server(env, tmp_path / "server.log", port, "--workers", "2", "--threads", "2") as web, \
            worker(env, tmp_path / "worker.log"):
        wait_until(lambda: _answers(base), 60, "gunicorn answers", tmp_path / "server.log")
        children = subprocess.run(["pgrep", "-P", str(web.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2, "two gunicorn worker processes"
        browser = Browser(base)
        _, login_page = browser.get("/login")
        browser.post("/login", {"username": "danhgia", "password": "demo1234"}, login_page.decode())
        _, audit = browser.get("/audit?year=2026")
        progress_url = browser.post("/jobs/report", {"year": "2026", "fmt": "pdf", "kind": "review"}, audit.decode())
        job_path = urllib.parse.urlparse(progress_url).path
        assert re.fullmatch(r"/jobs/\d+", job_path)

        states: list[dict] = []

        def finished() -> bool:
            states.append(json.loads(browser.get(job_path + ".json")[1]))
            return states[-1]["finished"]

        wait_until(finished, 90, "the report job finishes", tmp_path / "worker.log")
        assert states[-1]["status"] == "done", states[-1]
        # Every poll, whichever of the two web workers answered, saw the same job under the same session.
        assert {s["title"] for s in states} == {"Hồ sơ xem xét của lãnh đạo năm 2026 (PDF)"}
        _, page = browser.get(job_path)
        assert "Đã xong" in page.decode()
        _, pdf = browser.get(states[-1]["file_url"])
        assert pdf.startswith(b"%PDF")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_run_all_serves_runs_jobs_and_stops_both_on_ctrl_c(org, tmp_path, monkeypatch):
    jobs_dir, port = tmp_path / "jobs", free_port()
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    env = worker_env(org, jobs_dir)
    log = tmp_path / "run-all.log"
    with log.open("ab") as out:
        supervisor = subprocess.Popen([sys.executable, "-m", "cli", "run-all", "--port", str(port)], env=env,
                                      cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}"), 60, "the server answers", log)
        job = jobs.create(org, SystemClock(), "event_log", "Nhật ký sự kiện (CSV)", {"fmt": "csv"}, "danhgia")
        queue_of(jobs_dir).send(job.id, job.attempt)
        wait_until(lambda: jobs.get(org, job.id).status == "done", 60, "the worker beside it runs a job", log)
        children = [int(p) for p in subprocess.run(["pgrep", "-P", str(supervisor.pid)], capture_output=True,
                                                   text=True).stdout.split()]
        assert len(children) == 2, "the server and the worker"
        supervisor.send_signal(signal.SIGINT)
        assert supervisor.wait(60) == 0
        wait_until(lambda: not any(_alive(pid) for pid in children), 10, "both children stopped", log)
    finally:
        kill_group(supervisor)


def test_serve_dev_is_werkzeug_with_the_reloader(org, tmp_path):
    port, log = free_port(), tmp_path / "dev.log"
    with server(worker_env(org, tmp_path / "jobs"), log, port, "--dev"):
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}"), 60, "the development server answers", log)
        text = log.read_text(errors="replace")
        assert "Restarting with stat" in text and "gunicorn" not in text.lower()  # the reloader's first words


def _health(base: str) -> dict:
    with urllib.request.urlopen(base + "/health", timeout=5) as reply:
        return json.loads(reply.read())


def test_two_web_workers_and_a_job_worker_on_postgresql_with_redis_share_limits_and_jobs(org, tmp_path,
                                                                                        monkeypatch):
    """Issue 11's acceptance: two web workers (two `quytrinh serve` processes, one gunicorn worker each, so a
    request can be sent to the one we mean) and one job worker on PostgreSQL with Redis. The login limit
    counts attempts made on either worker in Redis; a job started from one worker's page is shown done, and
    its file served, by the other."""
    if org.is_sqlite:
        pytest.skip("the acceptance setup is PostgreSQL (QUYTRINH_TEST_DATABASE_URL)")
    if not REDIS_URL:
        pytest.skip("QUYTRINH_TEST_REDIS_URL is not set")
    import redis

    jobs_dir, prefix = tmp_path / "jobs", f"quytrinh-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    env = worker_env(org, jobs_dir, REDIS_URL)
    env.update(QUYTRINH_REDIS_URL=REDIS_URL, QUYTRINH_RATELIMIT_KEY_PREFIX=prefix, QUYTRINH_SECRET_KEY="shared",
               QUYTRINH_LOGIN_RATE_LIMIT="3 per minute", QUYTRINH_PROXY_HOPS="1")
    ports = free_port(), free_port()
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    with server(env, tmp_path / "a.log", ports[0], "--workers", "1", "--threads", "2") as web_a, \
            server(env, tmp_path / "b.log", ports[1], "--workers", "1", "--threads", "2"), \
            worker(env, tmp_path / "worker.log") as job_worker:
        for base, log in ((a, "a.log"), (b, "b.log")):
            wait_until(lambda base=base: _answers(base), 60, "gunicorn answers", tmp_path / log)
        pids = {_health(a)["worker"], _health(b)["worker"]}
        assert len(pids) == 2 and job_worker.pid not in pids, "two web worker processes beside the job worker"
        web_a_workers = {int(p) for p in subprocess.run(["pgrep", "-P", str(web_a.pid)], capture_output=True,
                                                        text=True).stdout.split()}
        assert _health(a)["worker"] in web_a_workers, "/health names the gunicorn worker that answered"

        # The login limit (3 a minute from one client address) counts on both workers together, in Redis.
        intruder = Browser(a, client="203.0.113.7")
        attempts = []
        for base in (a, b, a, b):
            intruder.base = base
            attempts.append(intruder.login("motcua", "sai-mat-khau"))
        assert attempts == [401, 401, 401, 429]
        intruder.base = a
        assert intruder.login("motcua", "demo1234") == 429  # held back on the first worker too
        assert redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*"), "the counters live in Redis"

        # An auditor (another address) starts a report on worker A and follows it on worker B.
        auditor = Browser(a, client="198.51.100.9")
        assert auditor.login("danhgia", "demo1234") == 302
        _, audit = auditor.get("/audit?year=2026")
        progress_url = auditor.post("/jobs/report", {"year": "2026", "fmt": "xlsx", "kind": "review"},
                                    audit.decode())
        job_path = urllib.parse.urlparse(progress_url).path
        assert re.fullmatch(r"/jobs/\d+", job_path)
        auditor.base = b
        states: list[dict] = []

        def finished() -> bool:
            states.append(json.loads(auditor.get(job_path + ".json")[1]))
            return states[-1]["finished"]

        wait_until(finished, 120, "the report job finishes", tmp_path / "worker.log")
        assert states[-1]["status"] == "done", states[-1]
        _, page = auditor.get(job_path)
        assert "Đã xong" in page.decode() and "Hồ sơ xem xét của lãnh đạo năm 2026 (XLSX)" in page.decode()
        _, xlsx = auditor.get(states[-1]["file_url"])
        assert xlsx.startswith(b"PK")  # the workbook, served by the worker that did not start the job
        assert _health(b)["worker"] != _health(a)["worker"]
