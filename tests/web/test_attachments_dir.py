"""The attachment store does not follow the working directory (issue 11 item 6)."""

from __future__ import annotations

from pathlib import Path

from processes.db import database_url
from processes.paths import PROJECT_DIR, attachments_dir, instance_dir
from web import create_app
from web.context import attachments_root

ROOT = Path(__file__).resolve().parents[2]


def _web_root(**config) -> Path:
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "t", **config})
    with app.app_context():
        return attachments_root()


def test_default_is_the_projects_instance_folder_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("QUYTRINH_ATTACHMENTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert PROJECT_DIR == ROOT
    assert attachments_dir() == ROOT / "instance" / "attachments" == instance_dir() / "attachments"
    assert _web_root() == attachments_dir()  # web, CLI, demo and workers agree
    monkeypatch.delenv("QUYTRINH_DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{ROOT / 'instance' / 'quytrinh.sqlite'}"  # the database beside them


def test_environment_moves_the_store_for_every_entry_point(tmp_path, monkeypatch):
    shared = tmp_path / "shared" / "attachments"
    monkeypatch.setenv("QUYTRINH_ATTACHMENTS_DIR", str(shared))
    monkeypatch.chdir(tmp_path)
    assert attachments_dir() == shared
    assert _web_root() == shared
