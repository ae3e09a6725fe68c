"""A small simulated year of the demo district, generated once per test process and copied per test."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import text

from demo import AuditSummary, DemoSummary, generate_year, run_demo_audits
from processes import catalog
from processes.clock import FixedClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation
from tests.conftest import BPMN_DIR

YEAR, SCALE, SEED = 2025, 0.3, 7
_made: dict[str, tuple[Path, DemoSummary, AuditSummary]] = {}


def prepared(url: str) -> Database:
    """A database with the demo organisation and every procedure of bpmn/ deployed."""
    db = Database(url)
    clock = FixedClock(dt.datetime(YEAR - 1, 12, 1, 1, tzinfo=dt.UTC))
    initialise(db, clock)
    load_demo_organisation(db, clock)
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        catalog.deploy(db, path.read_bytes(), clock, "iso", None, path.name)
    return db


def demo_year() -> tuple[Path, DemoSummary, AuditSummary]:
    """(SQLite file, generation summary, audit summary) of the shared demo year."""
    if "year" not in _made:
        folder = Path(tempfile.mkdtemp(prefix="qt-demo-"))
        path = folder / "demo.sqlite"
        db = prepared(f"sqlite:///{path}")
        summary = generate_year(db, YEAR, SCALE, SEED, attachments_root=folder / "attachments")
        audits = run_demo_audits(db, YEAR)
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.dispose()
        _made["year"] = (path, summary, audits)
    return _made["year"]


def demo_copy(tmp_path: Path) -> Database:
    """A private copy of the shared demo year (tests may change it)."""
    source, _, _ = demo_year()
    target = tmp_path / "demo.sqlite"
    shutil.copyfile(source, target)
    return Database(f"sqlite:///{target}")
