"""The case_conformance table: each closed case's conformance verdict, kept while its model is the same.

Issue 14 item 6 (processes/audit_schema.py, audits/stored_conformance.py).

Revision ID: case_conformance
Revises: notices_search
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "case_conformance"
down_revision = "notices_search"
branch_labels = None
depends_on = None
# The rows are derived from the event log and recomputed when missing: dropping them loses nothing.
safe_downgrade = True


def upgrade() -> None:
    op.create_table(
        "case_conformance",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("model_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fitness", sa.Float(), nullable=True),
        sa.Column("token_fitness", sa.Float(), nullable=True),
        sa.Column("cost", sa.Integer(), nullable=True),
        sa.Column("worst_cost", sa.Integer(), nullable=True),
        sa.Column("tokens", sa.String(length=80), nullable=True),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("deviations", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["instances.id"]),
        sa.ForeignKeyConstraint(["definition_id"], ["definitions.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_index("ix_case_conformance_definition", "case_conformance", ["definition_id", "model_key"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_conformance_definition", table_name="case_conformance")
    op.drop_table("case_conformance")
