"""Alembic step_rollups_received_not_null: a database holding rollups keeps them; a month with a group lacking
its received month is dropped whole (rows and fingerprint) so that the next report rolls it up again; the
revision can be undone. On SQLite (batch copy of the table) and PostgreSQL (ALTER COLUMN)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from processes import schema_upgrade
from processes.audit_schema import step_rollup_months, step_rollups
from processes.db import Database

BEFORE = "step_rollups"
REVISION = "step_rollups_received_not_null"
BUILT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _group(month: str, received: str | None, element: str) -> dict[str, Any]:
    return {"month": month, "received_month": received, "unit_id": 1, "procedure": "QT-XD-01",
            "definition_id": 1, "element_id": element, "result": "on_time", "completed_by": "cv.ktht",
            "roles": "chuyen_vien", "count": 1, "first_task_id": 7, "first_name": "Thẩm định",
            "first_due": "P3D", "seconds": b"\x00" * 8, "late": b""}


def _rollups(db: Database) -> tuple[list[tuple[str, str | None, str]], list[str]]:
    with db.read() as conn:
        rows = conn.execute(select(step_rollups.c.month, step_rollups.c.received_month, step_rollups.c.element_id)
                            .order_by(step_rollups.c.id)).all()
        months = conn.execute(select(step_rollup_months.c.month).order_by(step_rollup_months.c.month)).scalars()
        return [tuple(r) for r in rows], list(months)


def _nullable(db: Database) -> bool:
    with db.engine.connect() as conn:
        [column] = [c for c in inspect(conn).get_columns("step_rollups") if c["name"] == "received_month"]
        return bool(column["nullable"])


def test_rollups_are_kept_a_month_with_a_null_received_month_is_dropped_whole_and_it_can_be_undone(empty):
    schema_upgrade.upgrade(empty, BEFORE)
    with empty.write() as conn:  # 2026-01 whole; 2026-02 with one group written without its received month
        conn.execute(insert(step_rollups), [
            _group("2026-01", "2025-12", "Task_A"), _group("2026-01", "2026-01", "Task_B"),
            _group("2026-02", "2026-02", "Task_A"), _group("2026-02", None, "Task_B")])
        conn.execute(insert(step_rollup_months), [{"month": m, "steps": 2, "last_task_id": 9, "built_at": BUILT}
                                                  for m in ("2026-01", "2026-02")])

    assert schema_upgrade.upgrade(empty).applied[0] == REVISION
    kept = [("2026-01", "2025-12", "Task_A"), ("2026-01", "2026-01", "Task_B")]
    assert _rollups(empty) == (kept, ["2026-01"])  # 2026-02 is no longer current: the next report rebuilds it
    assert not _nullable(empty)
    with pytest.raises(IntegrityError), empty.write() as conn:
        conn.execute(insert(step_rollups), [_group("2026-03", None, "Task_A")])
    with empty.read() as conn:  # the index the reads use survived SQLite's copy of the table
        assert "ix_step_rollups_month" in {i["name"] for i in inspect(conn).get_indexes("step_rollups")}

    assert REVISION in schema_upgrade.downgrade(empty, BEFORE)
    assert _nullable(empty) and _rollups(empty) == (kept, ["2026-01"])
    assert REVISION in schema_upgrade.upgrade(empty).applied
