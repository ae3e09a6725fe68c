"""What the browser tests of signing share (issue 16): a case of the test procedure at the step that signs the
result, its server's signing variables for the module's time, the demo leaders' keys made beside Playwright,
and completing the signing step on its page."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from demo.signing_keys import ensure_keys
from processes import catalog
from processes.db import Database
from processes.tasks import list_tasks
from tests.processes.conftest import CHECK_OK, RECEIVE, single_task, start_case, work
from tests.signing.test_step_signature import with_sign

from .conftest import LiveServer

SIGNER = "tp.ktht"  # the head of division: the step that signs the result is his


@contextmanager
def signing_server(server: LiveServer, folder: Path, **variables: str) -> Iterator[None]:
    """The server keeps its uploads and its users' keys in `folder` and reads `variables` (QUYTRINH_TRUST_ROOTS…)
    until the block ends; the environment is given back as it was."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"QUYTRINH_SIGNING_KEYS_DIR": str(folder / "keys"), **variables}.items():
            patch.setenv(name, value)
        patch.setitem(server.app.config, "ATTACHMENTS_DIR", str(folder / "attachments"))
        # as each request sets it from the config; given back at the end like the rest
        patch.setattr(server.db, "attachments_root", folder / "attachments")
        yield


def case_at_signing_step(server: LiveServer) -> tuple[int, str, str]:
    """A new case of the test procedure (its result signed, tests/signing) worked up to the signing step:
    (case id, business key, the signer's task id)."""
    db, clock = server.db, server.app.extensions["quytrinh.clock"]
    catalog.deploy(db, with_sign("result"), clock, "iso")
    moved = start_case(db, clock)
    work(db, clock, "motcua", RECEIVE, moved.instance_id)
    work(db, clock, "cv.ktht", CHECK_OK, moved.instance_id)
    return moved.instance_id, moved.business_key, single_task(db, SIGNER, moved.instance_id).id


def complete_signing_step(page, server: LiveServer, task: str) -> None:
    """Approve the result on the step's page ('duyet'); the step completes (it is no longer in the inbox)."""
    page.goto(f"{server.url}/tasks/{task}")
    choice = page.locator("form.step-form [name=quyet_dinh]").first
    if choice.evaluate("e => e.tagName") == "SELECT":
        page.select_option("form.step-form select[name=quyet_dinh]", "duyet")
    else:
        page.check("form.step-form input[name=quyet_dinh][value=duyet]")
    page.click("form.step-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert task not in [t.id for t in list_tasks(server.db, SIGNER)]


def demo_keys(db: Database, users: list[str]) -> None:
    """The demo keys `quytrinh demo-org` gives these users, made in a thread of its own: the key's check runs
    asyncio, and Playwright's loop is running in the test's thread."""
    with ThreadPoolExecutor(1) as worker:
        worker.submit(ensure_keys, db, users).result()
