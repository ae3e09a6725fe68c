"""step_rollups and step_rollup_months: the SLA step figures of whole months, grouped (issue 14 item 6).

No backfill: the first report that needs a month that is over rolls it up (processes/step_rollups.py);
until then, and for the months not over, reports read the steps row by row as before.

Revision ID: step_rollups
Revises: tasks_inbox_index
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "step_rollups"
down_revision = "tasks_inbox_index"
branch_labels = None
depends_on = None
# Rows derived from human_tasks and rebuilt when missing: dropping them loses nothing.
safe_downgrade = True


def upgrade() -> None:
    op.create_table(
        "step_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("received_month", sa.String(length=7), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=60), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=True),
        sa.Column("completed_by", sa.String(length=80), nullable=True),
        sa.Column("roles", sa.String(length=500), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_task_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=500), nullable=False),
        sa.Column("first_due", sa.String(length=40), nullable=True),
        sa.Column("seconds", sa.LargeBinary(), nullable=False),
        sa.Column("late", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_step_rollups_month", "step_rollups", ["month", "received_month"], unique=False)
    op.create_table(
        "step_rollup_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("last_task_id", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )


def downgrade() -> None:
    op.drop_table("step_rollup_months")
    op.drop_index("ix_step_rollups_month", table_name="step_rollups")
    op.drop_table("step_rollups")
