"""step_rollups.received_month NOT NULL: every group is written with the month its dossiers were received in.

processes/step_rollups.py always writes it, so no row should lack it. Should one anyway, its whole month is
dropped (its rows and its step_rollup_months fingerprint, which would otherwise say the month is current
with a group missing): the next report that needs the month rolls it up again from the completed steps.

Revision ID: step_rollups_received_not_null
Revises: step_rollups
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "step_rollups_received_not_null"
down_revision = "step_rollups"
branch_labels = None
depends_on = None
# Downgrading only allows NULL again: no row is touched.
safe_downgrade = True


def upgrade() -> None:
    rollups = sa.table("step_rollups", sa.column("month", sa.String), sa.column("received_month", sa.String))
    months = sa.table("step_rollup_months", sa.column("month", sa.String))
    broken = sa.select(rollups.c.month).where(rollups.c.received_month.is_(None))
    op.execute(sa.delete(months).where(months.c.month.in_(broken)))
    op.execute(sa.delete(rollups).where(rollups.c.month.in_(broken)))
    with op.batch_alter_table("step_rollups") as batch:
        batch.alter_column("received_month", existing_type=sa.String(length=7), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("step_rollups") as batch:
        batch.alter_column("received_month", existing_type=sa.String(length=7), nullable=True)
