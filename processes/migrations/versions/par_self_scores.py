"""PAR index self-scores per unit, year and criterion, with their evidence (issue 17 item 5).

processes/oversight_schema.py.

Revision ID: par_self_scores
Revises: inspections
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "par_self_scores"
down_revision = "inspections"
branch_labels = None
depends_on = None
# Typed-in scores: dropping them loses the units' self-assessment.
safe_downgrade = False


def upgrade() -> None:
    op.create_table(
        "par_self_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=10), nullable=False),
        sa.Column("points", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=80), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "year", "criterion"),
    )


def downgrade() -> None:
    op.drop_table("par_self_scores")
