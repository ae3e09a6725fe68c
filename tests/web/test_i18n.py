"""Catalogs are compiled once, beside the .po files: creating apps leaves nothing in the temp directory."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from flask_babel import gettext

from web import create_app, i18n

PO_NAME = "en/LC_MESSAGES/messages.po"


@pytest.fixture
def empty_tempdir(tmp_path, monkeypatch):
    """A private, empty system temp directory (the real one is shared with every other process)."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


def _app(org, clock):
    return create_app({"DATABASE": org, "CLOCK": clock, "TESTING": True, "SECRET_KEY": "test"})


def _english(app, text: str) -> str:
    with app.test_request_context("/?lang=en"):
        return gettext(text)


def test_creating_the_app_twice_leaves_nothing_in_the_temp_directory(org, clock, empty_tempdir):
    first, second = _app(org, clock), _app(org, clock)
    assert os.listdir(empty_tempdir) == []
    assert _english(first, "Đăng nhập") == _english(second, "Đăng nhập") == "Log in"


def test_a_changed_po_is_picked_up_by_the_next_app(org, clock, tmp_path, monkeypatch, empty_tempdir):
    source = tmp_path / "translations"
    shutil.copytree(i18n.SOURCE, source, ignore=shutil.ignore_patterns("*.mo", ".*"))
    monkeypatch.setattr(i18n, "SOURCE", source)
    assert _english(_app(org, clock), "Đăng nhập") == "Log in"

    po = source / PO_NAME
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Log in"', 'msgstr "Sign in"'), encoding="utf-8")
    os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns + 1_000_000_000))
    assert _english(_app(org, clock), "Đăng nhập") == "Sign in"
    # Compiled beside the .po, renamed into place: no temporary file left behind, nothing in /tmp.
    assert sorted(p.name for p in po.parent.iterdir()) == ["messages.mo", "messages.po"]
    assert os.listdir(empty_tempdir) == []


def test_an_up_to_date_catalog_is_not_compiled_again(tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(i18n.SOURCE, source, ignore=shutil.ignore_patterns("*.mo", ".*"))
    mo = source / PO_NAME.replace(".po", ".mo")
    assert i18n.compile_catalogs(source, source) == [mo]
    assert i18n.compile_catalogs(source, source) == []
    # An older .po copied over (its mtime goes back) differs from the compiled one: compiled again.
    po = source / PO_NAME
    os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns - 10_000_000_000))
    assert i18n.compile_catalogs(source, source) == [mo]


def test_a_read_only_source_compiles_into_a_stable_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    folder = i18n.catalog_folder(tmp_path / "installed")
    assert folder.parent == tmp_path / "cache" / "quytrinh" / "translations"
    assert i18n.catalog_folder(tmp_path / "installed") == folder
