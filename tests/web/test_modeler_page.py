"""The modeler page (web/modeler.py): who may open and save, its configuration, its words in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from web import modeler
from web.modeler_text import _BPMN_JS

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "frontend" / "src"
PO = ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
EDIT = "/quality/procedures/QT-XD-01/versions/1/edit"


@pytest.fixture(autouse=True)
def bundle(tmp_path, monkeypatch):
    """The page refuses to render without the built bundle; these tests do not need a real one."""
    fake = tmp_path / "modeler.js"
    fake.write_text("/* test */")
    monkeypatch.setattr(modeler, "BUNDLE", fake)
    return fake


def config_of(html: bytes) -> dict:
    match = re.search(rb'<script type="application/json" id="qt-config">(.*?)</script>', html, re.S)
    assert match, "the page carries its configuration"
    return json.loads(match.group(1))


def test_anonymous_visitors_are_sent_to_log_in(client):
    reply = client.get(EDIT)
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_the_quality_manager_may_edit(login):
    reply = login("iso").get(EDIT)
    assert reply.status_code == 200
    config = config_of(reply.data)
    assert config["can_edit"] is True
    assert (config["code"], config["version"]) == ("QT-XD-01", 1)
    assert config["edit_url"] == "/quality/procedures/{code}/versions/{version}/edit"
    assert {"code": "mot_cua", "name": "Công chức Bộ phận một cửa"} in config["roles"]
    assert b'name="save"' in reply.data and b'name="upload"' in reply.data
    assert b"modeler/dist/modeler.js" in reply.data and b"modeler/dist/modeler.css" in reply.data
    assert b'href="/quality/procedures/QT-XD-01" title=' in reply.data  # back to the procedure's page


def test_others_only_look(login):
    officer = login("motcua")
    reply = officer.get(EDIT)
    assert reply.status_code == 200
    assert config_of(reply.data)["can_edit"] is False
    assert b'name="save"' not in reply.data and b'name="submit"' not in reply.data
    assert officer.get("/quality/procedures/new").status_code == 403


def test_admin_may_start_a_new_procedure(login):
    reply = login("admin").get("/quality/procedures/new")
    assert reply.status_code == 200
    config = config_of(reply.data)
    assert config["code"] is None and config["can_edit"] is True


def test_without_the_bundle_the_page_says_how_to_build_it(login, monkeypatch, tmp_path):
    monkeypatch.setattr(modeler, "BUNDLE", tmp_path / "missing.js")
    reply = login("iso").get(EDIT)
    assert reply.status_code == 503


def _keys_used_by_the_javascript() -> tuple[set[str], set[str]]:
    """Literal keys t('a.b') and the prefixes of built keys t(`a.${x}`) in frontend/src."""
    literal, prefixes = set(), set()
    for path in JS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        literal |= set(re.findall(r"\bt\('([a-z_.]+)'", text))
        literal |= set(re.findall(r"'(status\.[a-z_]+)'", text))
        prefixes |= set(re.findall(r"\bt\(`([a-z_.]+)\$\{", text))
    return literal, prefixes


def test_every_word_of_the_javascript_is_supplied(login):
    strings = config_of(login("iso").get(EDIT).data)["strings"]
    literal, prefixes = _keys_used_by_the_javascript()
    assert literal and prefixes
    assert sorted(literal - set(strings)) == []
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in strings), prefix
    for key in ("form.type.string", "form.type.long", "form.type.boolean", "form.type.date", "form.type.enum",
                "form.required", "form.min", "form.maxlength", "diff.added", "diff.removed", "diff.changed",
                "status.draft", "status.in_review", "status.effective", "status.superseded"):
        assert key in strings


def test_every_modeler_text_has_an_english_translation():
    with PO.open("rb") as handle:
        english = {m.id: m.string for m in read_po(handle) if m.id}
    sources = [ROOT / "web" / "modeler_text.py", ROOT / "web" / "templates" / "modeler.html"]
    ids = {m.group(2) for path in sources for m in re.finditer(r"""_\((["'])(.*?)\1\)""", path.read_text("utf-8"))}
    assert len(ids) > 100
    assert sorted(i for i in ids if not english.get(i)) == []
    # bpmn-js's words: on English pages they must come back exactly as bpmn-js wrote them.
    assert [(en, vi) for en, vi in _BPMN_JS if english.get(vi) != en] == []


def test_the_page_speaks_english_on_request(login):
    reply = login("iso").get(EDIT + "?lang=en")
    assert b"Save draft" in reply.data
    strings = config_of(reply.data)["strings"]
    assert strings["status.saved"] == "Draft saved as version {version}."
    assert strings["bpmnjs:Create task"] == "Create task"
    assert config_of(login("iso").get(EDIT + "?lang=vi").data)["strings"]["bpmnjs:Create task"] == "Thêm bước"
