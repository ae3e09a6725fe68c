"""Oversight tables: unit aliases, the year's CCHC plan and its items (issue 17 item 2).

processes/oversight_schema.py.

Revision ID: cchc_plan
Revises: case_conformance
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cchc_plan"
down_revision = "case_conformance"
branch_labels = None
depends_on = None
# Dropping the plan loses its items' link to their cases; the cases themselves stay (instances).
safe_downgrade = False


def upgrade() -> None:
    op.create_table(
        "unit_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.Column("folded", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("folded"),
    )
    op.create_table(
        "cchc_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year"),
    )
    op.create_table(
        "cchc_plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("section_no", sa.String(length=10), nullable=False),
        sa.Column("section_title", sa.String(length=500), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("product", sa.String(length=500), nullable=False),
        sa.Column("lead_text", sa.Text(), nullable=False),
        sa.Column("leads", sa.Text(), nullable=False),
        sa.Column("cooperating", sa.Text(), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("deadline_text", sa.String(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["cchc_plans.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "position"),
    )
    op.create_index("ix_cchc_plan_items_instance", "cchc_plan_items", ["instance_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cchc_plan_items_instance", table_name="cchc_plan_items")
    op.drop_table("cchc_plan_items")
    op.drop_table("cchc_plans")
    op.drop_table("unit_aliases")
