"""Two web workers (separate processes) on one database: one rate limit, one session (issue 11 item 4)."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.web.conftest import csrf_of
from tests.web.workers import Browser, Worker
from web import create_app


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def workers(org):
    started: list[Worker] = []

    def _start(**config: str) -> Worker:
        found = Worker(org, LOGIN_RATE_LIMIT="3 per minute", **config)
        started.append(found)
        return found

    yield _start
    for worker in started:
        worker.stop()


@pytest.mark.parametrize("storage", ["database", "redis"])
def test_the_login_limit_holds_across_workers_and_restarts(org, workers, storage):
    config: dict[str, str] = {}
    if storage == "redis":
        if not _redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        if not org.is_sqlite:
            pytest.skip("Redis counts the same whatever the database: once is enough")
        # A prefix of its own: counters of earlier runs stay out of this one.
        config = {"REDIS_URL": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    a, b = workers(**config), workers(**config)
    browser = Browser()
    assert [browser.login(w, "motcua", "sai-mat-khau") for w in (a, b, a)] == [401, 401, 401]
    assert browser.login(b, "motcua", "sai-mat-khau") == 429
    a.stop()
    restarted = workers(**config)
    assert browser.login(restarted, "motcua") == 429  # a restart does not hand out new attempts


def test_logout_in_one_worker_refuses_a_captured_cookie_in_every_worker(workers):
    a, b = workers(), workers()
    browser = Browser()
    assert browser.login(a, "motcua") == 302
    thief = Browser()
    for cookie in browser.cookies():
        thief.jar.set_cookie(cookie)
    assert browser.request(b, "/tasks")[0] == 200  # the session is the database's, not the worker's
    assert thief.request(a, "/tasks")[0] == 200
    assert browser.logout(b) == 302
    for worker in (a, b):
        status, _ = thief.request(worker, "/tasks")
        assert status == 302  # to the login page: the copied cookie opens nothing
        assert browser.request(worker, "/tasks")[0] == 302


def test_behind_a_load_balancer_each_client_has_its_own_login_limit(org):

    app = create_app({"DATABASE": org, "TESTING": True, "SECRET_KEY": "t", "LOGIN_RATE_LIMIT": "2 per minute",
                      "PROXY_HOPS": 1})

    def attempt(client_address: str) -> int:
        browser = app.test_client()
        headers = {"X-Forwarded-For": client_address}  # every request reaches us from the balancer's address
        token = csrf_of(browser.get("/login", headers=headers).data)
        return browser.post("/login", headers=headers, data={"username": "motcua", "password": "sai-mat-khau",
                                                             "csrf_token": token}).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.9") == 401  # another citizen is not locked out by the first one
