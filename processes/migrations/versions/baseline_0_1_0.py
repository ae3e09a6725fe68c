"""Baseline: the schema of release 0.1.0 (what `init-db` made with `create_all` up to commit 7794ea1).

A database made by that `create_all` has exactly these tables and no alembic_version: `quytrinh init-db`
and `quytrinh db upgrade` stamp it at this revision instead of running it (processes.schema_upgrade).

Revision ID: baseline_0_1_0
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from processes.migrations import baseline_0_1_0_a, baseline_0_1_0_b

revision = "baseline_0_1_0"
down_revision = None
branch_labels = None
depends_on = None
# Undoing the baseline would drop every table with every case in it.
safe_downgrade = False


def upgrade() -> None:
    baseline_0_1_0_a.create_tables()
    baseline_0_1_0_b.create_tables()


def downgrade() -> None:
    raise RuntimeError("the baseline cannot be undone: it would drop every table")
