"""The quality-system registry: each agency's HTQLCL scope, announcement and declared procedures (issue 17 item 1).

processes/oversight_schema.py.

Revision ID: quality_registry
Revises: cchc_plan
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "quality_registry"
down_revision = "cchc_plan"
branch_labels = None
depends_on = None
# Typed-in registry rows only: dropping them loses what agencies declared, not any case.
safe_downgrade = False


def upgrade() -> None:
    op.create_table(
        "quality_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("decision_no", sa.String(length=60), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("decision_file", sa.String(length=500), nullable=False),
        sa.Column("declared", sa.Text(), nullable=False),
        sa.Column("last_review_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id"),
    )


def downgrade() -> None:
    op.drop_table("quality_systems")
