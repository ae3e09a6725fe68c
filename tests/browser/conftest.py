"""Browser fixtures: the Flask app on a free port (background thread), Debian's Chromium through Playwright.

Playwright's own browser download is not used: the tests drive /usr/bin/chromium (`make test` installs
the Debian package when it may). Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from processes import catalog, procedures
from processes.clock import SystemClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("QUYTRINH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
BUNDLE = ROOT / "web" / "static" / "modeler" / "dist" / "modeler.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "demo1234"  # the demo organisation's published password  # noqa: S105


def pytest_collection_modifyitems(items):
    """Every test in this folder drives the browser."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """A running app: its URL and its database."""

    def __init__(self, url: str, db: Database, app) -> None:
        self.url = url
        self.db = db
        self.app = app

    def has_route(self, rule: str) -> bool:
        """Whether the app serves a URL rule (the quality backend is built alongside the modeler)."""
        return any(r.rule == rule for r in self.app.url_map.iter_rules())


# One server and database per test module: a module that publishes a new procedure version (the modeler
# acceptance) must not change the procedure another module's dossiers run on.
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on a temp SQLite database with the demo organisation and every procedure in bpmn/."""
    from web import create_app

    if not BUNDLE.exists():
        pytest.fail("the modeler bundle is missing: run `make frontend` (make test does)")
    folder = tmp_path_factory.mktemp("browser-db")
    db = Database(f"sqlite:///{folder / 'browser.sqlite'}")
    clock = SystemClock()
    initialise(db, clock)
    load_demo_organisation(db, clock)
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        catalog.deploy_file(db, path, clock, "iso")
    procedures.adopt_deployed(db, clock)  # deployed procedures come under document control (versions)
    app = create_app({"DATABASE": db, "CLOCK": clock, "SECRET_KEY": "browser-tests",
                      "LOGIN_RATE_LIMIT": "1000 per minute"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", db, app)
    server.shutdown()
    thread.join(timeout=5)
    db.dispose()


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium; the tests are skipped (with the reason) only when it is not installed.

    One per test module, not per session: Playwright's sync API keeps an asyncio loop running in the main
    thread while it is open, and code run later in the same worker (pyHanko's signing) calls asyncio.run.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed (Debian: apt-get install chromium; `make test` does it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh browser profile (cookies) per test."""
    context = chromium.new_context(viewport={"width": 1500, "height": 950}, locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, request):
    """A page; on failure its screenshot goes to test-artifacts/browser/FAILED-<test>.png."""
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(tab, f"FAILED-{request.node.name}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, server: LiveServer, username: str, password: str = PASSWORD, next_path: str = "/") -> None:
    """Log in through the login form."""
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"login as {username} failed"


def open_modeler(page, server: LiveServer, path: str) -> None:
    """Open a modeler page and wait until bpmn-js has drawn the diagram."""
    page.goto(f"{server.url}{path}")
    page.wait_for_selector("body[data-modeler-ready]")
    assert page.get_attribute("body", "data-modeler-ready") == "true", page.inner_text("#qt-status")
