"""`quytrinh backup -o FILE` and `quytrinh restore FILE`: the database and the attachments in one archive.

The archive is a tar.gz holding manifest.json (format, database kind, when, app version, schema revision),
the database (SQLite: a copy made with SQLite's online backup API, consistent while the app keeps writing;
PostgreSQL: a plain SQL dump of the app's schema by pg_dump) and the attachment store (attachments/).
Restore refuses a database that already holds data unless --force: a slip of the wrong file must not wipe
an agency's dossiers. Attachments are stored by content hash, so restoring them only adds files.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Connection, func, inspect, select, text

from processes import generations
from processes.db import Database
from processes.paths import attachments_dir
from processes.schema import definitions, instances, units, users

from .output import emit, fail, handled, json_option

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
SQL_FILE = "database.sql"
ATTACHMENTS = "attachments"
# What an agency puts in: a database with any of these rows is not empty (init-db's standard roles are not data).
_DATA_TABLES = {"units": units, "users": users, "definitions": definitions, "instances": instances}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _app_version() -> str:
    try:
        return package_metadata.version("quytrinh")
    except package_metadata.PackageNotFoundError:  # a checkout that was never installed
        return "unknown"


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    found = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
    return ",".join(found) or None


def _schema(conn: Connection) -> str:
    return str(conn.exec_driver_sql("SELECT current_schema()").scalar())


def _sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu hay phục hồi được.", 6)
    return Path(name)


def _pg_env(db: Database) -> dict[str, str]:
    """libpq settings for pg_dump and psql (the password in the environment, not on the command line)."""
    url = db.engine.url
    env = {**os.environ, "PGDATABASE": url.database or "", "PGHOST": url.host or "", "PGPORT": str(url.port or 5432),
           "PGUSER": url.username or ""}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if found is None:
        raise BackupError(f"Không tìm thấy chương trình {name} (gói postgresql-client) để làm việc với PostgreSQL.")
    return found


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} thất bại: {done.stderr.strip()[-800:]}")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now(dt.UTC).timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def make_backup(db: Database, output: Path, attachments: Path) -> dict[str, Any]:
    """Write the archive; return its manifest."""
    with db.read() as conn:
        manifest: dict[str, Any] = {
            "format": FORMAT, "database": "sqlite" if db.is_sqlite else "postgresql",
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "app_version": _app_version(),
            "alembic_revision": _revision(conn), "schema": None if db.is_sqlite else _schema(conn)}
    files = sorted(p for p in attachments.rglob("*") if p.is_file()) if attachments.is_dir() else []
    manifest["attachments"] = len(files)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quytrinh-backup-") as work:
        if db.is_sqlite:
            dump = Path(work) / SQLITE_FILE
            # The online backup API copies a consistent snapshot, WAL included, while the app keeps writing.
            with sqlite3.connect(_sqlite_path(db)) as source, sqlite3.connect(dump) as target:
                source.backup(target)
            source.close()
            target.close()
        else:
            dump = Path(work) / SQL_FILE
            _run([_tool("pg_dump"), "--no-owner", "--no-privileges", "--no-comments", f"--schema={manifest['schema']}",
                  f"--file={dump}"], _pg_env(db), "pg_dump")
        partial = output.with_name(output.name + ".partial")  # never a half-written archive under the real name
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dump, dump.name)
            for path in files:
                tar.add(path, f"{ATTACHMENTS}/{path.relative_to(attachments).as_posix()}")
        partial.replace(output)
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("Tệp này không phải bản sao lưu của quytrinh (thiếu manifest.json).", 6)
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Bản sao lưu định dạng {manifest.get('format')} không được phiên bản này hỗ trợ "
                          f"(hỗ trợ định dạng {FORMAT}).", 6)
    return manifest


def data_counts(db: Database) -> dict[str, int]:
    """Rows of what an agency enters, by table (empty: a database restore may fill without --force)."""
    with db.read() as conn:
        have = set(inspect(conn).get_table_names())
        return {name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in _DATA_TABLES.items() if name in have}


def restore_backup(db: Database, archive: Path, attachments: Path, force: bool) -> dict[str, Any]:
    """Put the archive's database and attachments in place; return its manifest."""
    if not archive.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {archive}.", 3)
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the `with tar` below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"Không đọc được tệp sao lưu {archive}: {exc}", 6) from None
    with tar, tempfile.TemporaryDirectory(prefix="quytrinh-restore-") as work:
        manifest = _read_manifest(tar)
        kind = "sqlite" if db.is_sqlite else "postgresql"
        if manifest["database"] != kind:
            raise BackupError(f"Bản sao lưu là của {manifest['database']}, cơ sở dữ liệu đích là {kind}.", 6)
        filled = {k: v for k, v in data_counts(db).items() if v}
        if filled and not force:
            what = ", ".join(f"{v} {k}" for k, v in filled.items())
            raise BackupError(f"Cơ sở dữ liệu đích đã có dữ liệu ({what}). Phục hồi sẽ ghi đè toàn bộ; "
                              "chạy lại với --force nếu đúng là muốn vậy.", 5)
        tar.extractall(work, filter="data")  # no absolute paths, no "..", no devices
        if db.is_sqlite:
            _restore_sqlite(db, Path(work) / SQLITE_FILE)
        else:
            _restore_postgresql(db, Path(work) / SQL_FILE, manifest["schema"])
        stored = Path(work) / ATTACHMENTS
        if stored.is_dir():
            shutil.copytree(stored, attachments, dirs_exist_ok=True)
    # Every running process drops what it cached of the database that was there before.
    generations.new_epoch(db)
    return manifest


def _restore_sqlite(db: Database, dump: Path) -> None:
    db.dispose()  # our pooled connections would keep reading the pages being replaced
    # The backup API writes into the existing file: processes that have it open see the restored pages.
    with sqlite3.connect(dump) as source, sqlite3.connect(_sqlite_path(db), timeout=30) as target:
        source.backup(target)
    source.close()
    target.close()


def _restore_postgresql(db: Database, dump: Path, schema: str) -> None:
    with db.read() as conn:
        current = _schema(conn)
    if current != schema:
        raise BackupError(f"Bản sao lưu là của lược đồ '{schema}', cơ sở dữ liệu đích dùng lược đồ '{current}'.", 6)
    db.dispose()
    # One transaction: a failure half way leaves the database as it was.
    script = Path(dump.parent) / "restore.sql"
    script.write_text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE;\n\\i {dump}\n', encoding="utf-8")
    _run([_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
          f"--file={script}"], _pg_env(db), "psql")


def backup_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach `backup` and `restore` to the main group."""

    @main.command()
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="The archive to write (.tar.gz).")
    @click.option("--attachments", "attachments", default=None, type=click.Path(file_okay=False, path_type=Path),
                  help="Attachment folder (default: QUYTRINH_ATTACHMENTS_DIR, else instance/attachments).")
    @json_option
    @click.pass_context
    @handled
    def backup(ctx: click.Context, output: Path, attachments: Path | None, as_json: bool) -> None:
        """Back up the database and the attachments into one archive."""
        try:
            manifest = make_backup(get_db(ctx), output, attachments_dir(attachments))
        except BackupError as exc:
            fail(str(exc), exc.code, None, as_json)
        emit(as_json, {"file": str(output), **manifest},
             f"Đã sao lưu vào {output} ({manifest['database']}, {manifest['attachments']} tệp đính kèm, "
             f"phiên bản lược đồ {manifest['alembic_revision'] or 'không rõ'}).")

    @main.command()
    @click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
    @click.option("--attachments", "attachments", default=None, type=click.Path(file_okay=False, path_type=Path),
                  help="Attachment folder (default: QUYTRINH_ATTACHMENTS_DIR, else instance/attachments).")
    @json_option
    @click.pass_context
    @handled
    def restore(ctx: click.Context, archive: Path, force: bool, attachments: Path | None, as_json: bool) -> None:
        """Restore a backup made by `quytrinh backup` (refuses a database with data unless --force)."""
        # Putting back the backup made before an upgrade must work on the upgraded (newer) database.
        ctx.obj.setdefault("db", Database(ctx.obj["url"], check_schema=False))
        try:
            manifest = restore_backup(get_db(ctx), archive, attachments_dir(attachments), force)
        except BackupError as exc:
            fail(str(exc), exc.code, None, as_json)
        emit(as_json, {"file": str(archive), **manifest},
             f"Đã phục hồi bản sao lưu lúc {manifest['created_at']} ({manifest['attachments']} tệp đính kèm). "
             "Chạy `quytrinh db upgrade` nếu bản sao lưu cũ hơn phiên bản đang cài.")
