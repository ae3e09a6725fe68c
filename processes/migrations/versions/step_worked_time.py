"""human_tasks.worked_seconds: each completed step's office time, kept at completion (issue 14 item 6).

Steps completed before this revision keep NULL; the reports compute their time the way they always did
and write it back the first time they count them (processes/step_times.py), so no figure changes.

Revision ID: step_worked_time
Revises: par_self_scores
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "step_worked_time"
down_revision = "par_self_scores"
branch_labels = None
depends_on = None
# A figure derived from the steps' times and the calendar, computed again when missing: dropping it loses nothing.
safe_downgrade = True


def upgrade() -> None:
    with op.batch_alter_table("human_tasks") as batch:
        batch.add_column(sa.Column("worked_seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_tasks") as batch:
        batch.drop_column("worked_seconds")
