"""`quytrinh backup` and `restore`: cases, events and an attachment round-trip (issue 11 item 7)."""

from __future__ import annotations

import json
import shutil
import tarfile

import pytest
from click.testing import CliRunner

from cli.main import main
from processes import attachments, catalog
from processes.db import Database
from tests.processes.conftest import BPMN, KHAI_SINH, dump_all, run_to_end, start_case
from tests.processes.peer import Peer
from tests.web.workers import app_url
from tests.web.workspace_helpers import PDF

# Rewritten by every restore (processes.generations.new_epoch): not data.
TRANSIENT = {"cache_generations"}


def cli(db: Database, *args: str):
    return CliRunner().invoke(main, ["--database", app_url(db), *args])


def _data(db: Database) -> dict:
    return {k: v for k, v in dump_all(db).items() if k not in TRANSIENT}


@pytest.fixture
def filled(org, clock, deployed, tmp_path):
    """Two cases (one finished, with a PDF attached), their events, and the attachment on disk."""
    if not org.is_sqlite and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    deployed(BPMN)
    done = start_case(org, clock)
    run_to_end(org, clock, done.instance_id)
    start_case(org, clock)
    root = tmp_path / "attachments"
    attachments.attach(org, root, done.instance_id, "to-trinh.pdf", PDF, "motcua", clock)
    return root


def test_backup_then_restore_brings_back_rows_files_and_an_intact_event_log(org, clock, filled, tmp_path):
    root = filled
    before, files = _data(org), {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    archive = tmp_path / "out" / "sao-luu.tar.gz"
    made = cli(org, "backup", "-o", str(archive), "--attachments", str(root))
    assert made.exit_code == 0, made.output
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["format"] == 1 and manifest["database"] == ("sqlite" if org.is_sqlite else "postgresql")
    assert manifest["attachments"] == 1 and manifest["app_version"] and manifest["created_at"]
    assert any(n.startswith("attachments/") for n in names)

    start_case(org, clock)  # work done after the backup, then a lost disk
    shutil.rmtree(root)
    refused = cli(org, "restore", str(archive), "--attachments", str(root))
    assert refused.exit_code == 5 and "--force" in refused.output and "đã có dữ liệu" in refused.output
    assert _data(org) != before  # nothing was touched

    restored = cli(org, "restore", str(archive), "--force", "--attachments", str(root))
    assert restored.exit_code == 0, restored.output
    org.dispose()
    assert _data(org) == before
    assert {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()} == files
    checked = cli(org, "verify-log")
    assert checked.exit_code == 0 and "event log intact" in checked.output
    run_to_end(org, clock, start_case(org, clock).instance_id)  # and the restored database works on


def test_restore_into_an_empty_sqlite_database_needs_no_force(org, filled, tmp_path):
    if not org.is_sqlite:
        pytest.skip("a PostgreSQL dump restores into the schema it was taken from")
    archive = tmp_path / "b.tar.gz"
    assert cli(org, "backup", "-o", str(archive), "--attachments", str(filled)).exit_code == 0
    fresh = Database(f"sqlite:///{tmp_path / 'new' / 'fresh.sqlite'}")
    try:
        done = cli(fresh, "restore", str(archive), "--attachments", str(tmp_path / "new-attachments"))
        assert done.exit_code == 0, done.output
        assert _data(fresh) == _data(org)
        assert cli(fresh, "verify-log").exit_code == 0
    finally:
        fresh.dispose()


def test_a_file_that_is_no_backup_is_refused_clearly(org, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    done = cli(org, "restore", str(junk))
    assert done.exit_code == 6 and "Không đọc được tệp sao lưu" in done.output
    assert cli(org, "restore", str(tmp_path / "missing.tar.gz")).exit_code == 3


def test_a_restore_makes_other_processes_drop_their_caches(org, clock, deployed, filled, tmp_path):
    archive = tmp_path / "b.tar.gz"
    assert cli(org, "backup", "-o", str(archive), "--attachments", str(filled)).exit_code == 0
    peer = Peer(org)
    try:
        first = catalog.deploy(org, KHAI_SINH, clock, "iso")
        assert peer.ask(op="procedure", id=first.definition_id) == first.code  # the other process caches it
        assert cli(org, "restore", str(archive), "--force", "--attachments", str(filled)).exit_code == 0
        org.dispose()
        # After the restore the same id is handed out again, to another procedure.
        second = catalog.deploy(org, BPMN.replace("QT-TEST-01", "QT-TEST-02").replace("QT_TEST_01", "QT_TEST_02"),
                                clock, "iso")
        assert second.definition_id == first.definition_id
        assert peer.ask(op="procedure", id=second.definition_id) == "QT-TEST-02"
    finally:
        peer.close()
