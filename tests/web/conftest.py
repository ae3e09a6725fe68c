"""Web fixtures: an app on the demo database, clients logged in as demo users."""

from __future__ import annotations

import re

import pytest

from web import create_app


class SentJobs:
    """The job queue of web tests: keeps (job id, attempt) instead of publishing to a broker."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, int]] = []

    def send(self, job_id: int, attempt: int) -> None:
        self.sent.append((job_id, attempt))


@pytest.fixture
def app(org, clock):
    """The Flask app on the demo organisation's database, with a fixed clock; jobs it starts are only collected
    in app.extensions["quytrinh.jobs_queue"] (run them with jobs.runner.execute)."""
    # No idle timeout: these tests move the clock by hours or days between a client's requests (the timeout's own
    # tests set it).
    application = create_app({"DATABASE": org, "CLOCK": clock, "TESTING": True, "SECRET_KEY": "test",
                              "LOGIN_RATE_LIMIT": "5 per minute", "SESSION_IDLE_MINUTES": 0})
    application.extensions["quytrinh.jobs_queue"] = SentJobs()
    yield application


@pytest.fixture
def client(app):
    """An anonymous browser."""
    return app.test_client()


def csrf_of(html: bytes) -> str:
    """The CSRF token embedded in a page."""
    match = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1).decode()


@pytest.fixture
def login(app):
    """Return a client logged in as the given demo user."""

    def _login(username: str, password: str = "demo1234"):
        c = app.test_client()
        token = csrf_of(c.get("/login").data)
        reply = c.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert reply.status_code == 302, f"login as {username} failed"
        return c

    return _login


@pytest.fixture
def xd(app, deployed, tmp_path):
    """The app with the building-permit procedure (QT-XD-01) deployed and uploads kept under tmp_path."""
    deployed("QT-XD-01.bpmn")
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"  # these tests log many demo users in
    return app


@pytest.fixture
def user(login):
    """A client logged in as a demo user, logging in once per user and test (the login limit stays low)."""
    clients: dict = {}

    def _user(username: str):
        if username not in clients:
            clients[username] = login(username)
        return clients[username]

    return _user
