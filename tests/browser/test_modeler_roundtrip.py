"""Round trip (issue 5): every procedure in bpmn/ and the Camunda example models open in the modeler
(uploaded as a user would) and come back through Download without losing the Camunda dialect."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT, login, open_modeler, shot
from .roundtrip import dialect_of, losses

CAMUNDA_EXAMPLES = ROOT.parent / "shared" / "external" / "camunda"
OURS = sorted((ROOT / "bpmn").glob("*.bpmn"))
THEIRS = sorted(CAMUNDA_EXAMPLES.rglob("*.bpmn"))


@pytest.fixture(scope="module")
def modeler_page(chromium, live_server):
    """The quality manager on the new-procedure page (no backend call needed to upload and download);
    one page for the whole module: each file is uploaded over the previous one."""
    context = chromium.new_context(viewport={"width": 1500, "height": 950}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    login(page, live_server, "iso")
    open_modeler(page, live_server, "/quality/procedures/new")
    yield page
    context.close()


def upload_and_download(page, path: Path, tmp_path: Path) -> bytes:
    """Upload a file through the toolbar, wait until it is drawn, download it through the toolbar."""
    page.evaluate("document.querySelector('#qt-status').textContent = ''")
    page.set_input_files("input[name=upload]", str(path))
    page.wait_for_function("name => document.querySelector('#qt-status').textContent.includes(name)", arg=path.name)
    with page.expect_download() as info:
        page.click("button[name=download]")
    target = tmp_path / f"saved-{path.name}"
    info.value.save_as(str(target))
    return target.read_bytes()


def test_examples_are_there():
    assert len(OURS) >= 6, "bpmn/ has the procedures"
    if not CAMUNDA_EXAMPLES.exists():
        pytest.skip(f"{CAMUNDA_EXAMPLES} is not checked out")
    assert len(THEIRS) >= 13


@pytest.mark.parametrize("path", OURS + THEIRS, ids=lambda p: p.name)
def test_round_trip_keeps_the_dialect(modeler_page, path, tmp_path):
    original = path.read_bytes()
    saved = upload_and_download(modeler_page, path, tmp_path)
    assert losses(original, saved) == []
    assert modeler_page.js_errors == []
    if path.name == "QT-XD-01.bpmn":
        shot(modeler_page, "roundtrip-QT-XD-01")


def test_the_comparison_notices_a_loss():
    """The checker itself: dropping an extension element or a camunda attribute is reported."""
    xml = (ROOT / "bpmn" / "QT-XD-01.bpmn").read_text(encoding="utf-8")
    assert losses(xml, xml) == []
    assert dialect_of(xml)["attributes"], "the procedure has camunda:* attributes to compare"
    assert losses(xml, xml.replace(' camunda:dueDate="P9D"', "", 1))
    assert losses(xml, xml.replace('<camunda:constraint name="required" />', "", 1))
