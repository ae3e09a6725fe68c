"""Test-only revision 1 of 2 (tests/processes/test_schema_migrations.py): a table with a row.

Revision ID: t1_first
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "t1_first"
down_revision = None
branch_labels = None
depends_on = None
safe_downgrade = True


def upgrade() -> None:
    op.create_table("mig_a", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(40)))
    op.execute("INSERT INTO mig_a (id, name) VALUES (1, 'one')")


def downgrade() -> None:
    op.drop_table("mig_a")
