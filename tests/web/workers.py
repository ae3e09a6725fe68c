"""Two web workers as separate processes on one database, and a browser that talks to either of them."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from processes.db import Database

ROOT = Path(__file__).resolve().parents[2]


def app_url(db: Database) -> str:
    """A URL the app can open by itself: PostgreSQL tests keep their schema in the search path."""
    if db.is_sqlite:
        return db.url
    with db.read() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    return f"{db.url}?options=-csearch_path%3D{schema}"


class Worker:
    """`python -m tests.web.app_peer` on an ephemeral port of 127.0.0.1."""

    def __init__(self, db: Database, **config: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QUYTRINH_DATABASE_URL": app_url(db),
               "QUYTRINH_SECRET_KEY": "shared-secret", "QUYTRINH_PEER_SECONDS": "120",
               **{f"QUYTRINH_{k}": v for k, v in config.items()}}
        if "REDIS_URL" not in config:
            env.pop("QUYTRINH_REDIS_URL", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.web.app_peer"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip().isdigit(), f"the worker did not start: {line!r}"
        self.base = f"http://127.0.0.1:{line.strip()}"

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies shared by every worker (cookies ignore the port), as behind a load balancer."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, worker: Worker, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(worker.base + path, data=data, timeout=30) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self, worker: Worker) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.request(worker, "/login")[1])
        assert found, "no CSRF token on the login page"
        return found.group(1)

    def login(self, worker: Worker, username: str, password: str = "demo1234") -> int:
        return self.request(worker, "/login", {"username": username, "password": password,
                                               "csrf_token": self.csrf(worker)})[0]

    def logout(self, worker: Worker) -> int:
        return self.request(worker, "/logout", {"csrf_token": self.csrf(worker)})[0]

    def cookies(self) -> list[http.cookiejar.Cookie]:
        return list(self.jar)
