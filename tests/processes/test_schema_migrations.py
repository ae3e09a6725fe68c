"""Schema migrations (processes.schema_upgrade): head equals the tables declared in code, an interrupted upgrade
is finished by upgrading again, a database newer than the code is refused, downgrades only where safe.

On SQLite and PostgreSQL (the `db` fixture: an empty database that `initialise` upgraded to head).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Column, Integer, String, Table, event, inspect, text

from cli.main import main
from processes import schema_upgrade
from processes.db import Database, metadata
from processes.errors import ConflictError
from processes.schema_guard import MIGRATIONS, head, known_revisions

REVISIONS = Path(__file__).resolve().parent / "migration_revisions"


def test_the_head_revision_makes_exactly_the_tables_declared_in_code(db):
    # The db fixture's database was made by upgrading an empty one to head (processes.setup.initialise).
    assert schema_upgrade.current(db) == head()
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert differences == [], "the tables in code and the head revision disagree: add a revision"


def test_upgrading_an_up_to_date_database_does_nothing(db):
    done = schema_upgrade.upgrade(db)
    assert (done.before, done.after, done.applied, done.stamped_baseline) == (head(), head(), [], False)


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _columns(db: Database, table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_an_interrupted_upgrade_stops_at_the_last_whole_revision_and_upgrading_again_finishes_it(empty, monkeypatch):
    monkeypatch.setenv("QUYTRINH_TEST_BREAK_REVISION", "t2_second")
    with pytest.raises(schema_upgrade.UpgradeStopped) as stopped:
        schema_upgrade.upgrade(empty, version_locations=[REVISIONS])
    assert stopped.value.reached == "t1_first" and "run `quytrinh db upgrade` again" in str(stopped.value)
    # t1 is whole, nothing of t2 is left: no table, no column, no updated row
    assert _tables(empty) == {"alembic_version", "mig_a"} and _columns(empty, "mig_a") == {"id", "name"}
    with empty.read() as conn:
        assert list(conn.execute(text("SELECT id, name FROM mig_a"))) == [(1, "one")]
    monkeypatch.delenv("QUYTRINH_TEST_BREAK_REVISION")
    done = schema_upgrade.upgrade(empty, version_locations=[REVISIONS])
    assert (done.before, done.after, done.applied) == ("t1_first", "t2_second", ["t2_second"])
    with empty.read() as conn:
        assert list(conn.execute(text("SELECT id, name, note FROM mig_a"))) == [(1, "one", "half-way")]
        assert list(conn.execute(text("SELECT id, a_id FROM mig_b"))) == [(1, 1)]
    with empty.engine.connect() as conn:
        assert [c["nullable"] for c in inspect(conn).get_columns("mig_a") if c["name"] == "name"] == [False]


def test_a_downgrade_is_refused_through_a_revision_not_marked_safe(empty):
    schema_upgrade.upgrade(empty, version_locations=[REVISIONS])
    with pytest.raises(Exception, match="t2_second, which cannot be undone without losing data"):
        schema_upgrade.downgrade(empty, "t1_first", version_locations=[REVISIONS])
    assert "mig_b" in _tables(empty)


def test_the_jobs_table_can_be_downgraded_and_upgraded_again_but_not_the_baseline(empty):
    assert schema_upgrade.upgrade(empty, "jobs_table").applied == ["baseline_0_1_0", "jobs_table"]
    assert schema_upgrade.downgrade(empty, schema_upgrade.BASELINE) == ["jobs_table"]
    assert "jobs" not in _tables(empty) and schema_upgrade.current(empty) == schema_upgrade.BASELINE
    with pytest.raises(Exception, match="baseline_0_1_0, which cannot be undone"):
        schema_upgrade.downgrade(empty, "base")
    assert schema_upgrade.upgrade(empty, "jobs_table").applied == ["jobs_table"] and "jobs" in _tables(empty)


def _stamp_future(db: Database) -> None:
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'zz_from_the_future'"))


def test_a_database_upgraded_by_a_newer_release_is_refused_when_opened(db):
    _stamp_future(db)
    url, schema = db.url, (None if db.is_sqlite else _schema(db))
    with pytest.raises(ConflictError) as refused:
        Database(url, schema=schema)
    assert refused.value.code == "database_newer_than_code"
    assert "zz_from_the_future" in str(refused.value) and f"knows up to {head()}" in str(refused.value)
    with pytest.raises(ConflictError):
        schema_upgrade.upgrade(db)


def _schema(db: Database) -> str:
    with db.read() as conn:
        return conn.execute(text("SELECT current_schema()")).scalar_one()


def test_the_cli_refuses_a_newer_database_with_a_clear_message_and_a_non_zero_exit(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--database", url, "init-db"]).exit_code == 0
    current = runner.invoke(main, ["--database", url, "db", "current", "--json"])
    assert current.exit_code == 0 and f'"revision": "{head()}"' in current.output
    _stamp_future(Database(url))
    for args in (["db", "upgrade"], ["tasks"], ["db", "check-states"]):
        refused = runner.invoke(main, ["--database", url, *args])
        assert refused.exit_code != 0 and "zz_from_the_future, which this release does not know" in refused.output
    said = runner.invoke(main, ["--database", url, "db", "current"])  # it still says where the database is
    assert said.exit_code == 5 and "database at zz_from_the_future" in said.output and "newer release" in said.output


def test_the_code_knows_the_baseline_and_the_jobs_table_in_order():
    assert {"baseline_0_1_0", "jobs_table"} <= known_revisions()
    assert [r.revision for r in schema_upgrade.history()][:2] == ["baseline_0_1_0", "jobs_table"]


def test_a_new_revision_is_written_from_the_tables_in_code_and_brings_head_to_them(empty, tmp_path):
    versions = tmp_path / "versions"
    shutil.copytree(MIGRATIONS / "versions", versions, ignore=shutil.ignore_patterns("__pycache__"))
    schema_upgrade.upgrade(empty, version_locations=[versions])
    added = Table("tmp_notes", metadata, Column("id", Integer, primary_key=True), Column("body", String(200)))
    try:
        path = schema_upgrade.new_revision(empty, "A table of notes", "tmp_notes", version_locations=[versions])
        assert path == versions / "tmp_notes.py"
        source = path.read_text(encoding="utf-8")
        assert "op.create_table('tmp_notes'" in source and "safe_downgrade = False" in source
        assert schema_upgrade.upgrade(empty, version_locations=[versions]).applied == ["tmp_notes"]
        with empty.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        metadata.remove(added)


def _bounded(db: Database) -> None:
    """Make a lost race fail within seconds instead of waiting forever on the other session's locks."""
    if not db.is_sqlite:
        @event.listens_for(db.engine, "connect")
        def _timeout(dbapi_conn, _record):
            dbapi_conn.execute("SET SESSION lock_timeout = '15s'")
            dbapi_conn.commit()

        db.engine.dispose()


def test_two_upgrades_at_once_one_does_the_work_and_the_other_finds_it_done(empty):
    # Two machines deploying the same release at the same time both run `quytrinh db upgrade`.
    other = Database(empty.url, schema=None if empty.is_sqlite else _schema(empty))
    for db in (empty, other):
        _bounded(db)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name: str, db: Database) -> None:
        start.wait()
        try:
            results[name] = schema_upgrade.upgrade(db).applied
        except Exception as exc:  # the test reports whatever went wrong
            results[name] = exc

    threads = [threading.Thread(target=run, args=(n, d), daemon=True) for n, d in (("a", empty), ("b", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    other.dispose()
    assert not any(t.is_alive() for t in threads), "an upgrade is still waiting"
    assert all(isinstance(r, list) for r in results.values()), results
    assert sorted(len(r) for r in results.values()) == [0, len(schema_upgrade.history())]  # type: ignore[arg-type]
    assert schema_upgrade.current(empty) == head()


def test_the_backup_made_before_an_upgrade_can_be_restored_over_the_newer_database(tmp_path):
    url, archive, files = f"sqlite:///{tmp_path / 'r.sqlite'}", tmp_path / "before.tar.gz", tmp_path / "files"
    runner = CliRunner()
    assert runner.invoke(main, ["--database", url, "init-db"]).exit_code == 0
    assert runner.invoke(main, ["--database", url, "backup", "-o", str(archive), "--attachments", str(files)]) \
        .exit_code == 0
    _stamp_future(Database(url))  # a newer release upgraded it, and it is to be undone
    restored = runner.invoke(main, ["--database", url, "restore", str(archive), "--force", "--attachments", str(files)])
    assert restored.exit_code == 0, restored.output
    assert schema_upgrade.current(Database(url)) == head()
