"""Test-only revision 2 of 2: a table referencing the first, rows, batch ALTERs, then (when told) a failure.

The failure comes after every kind of change, so that a revision left half-done would show.

Revision ID: t2_second
Revises: t1_first
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "t2_second"
down_revision = "t1_first"
branch_labels = None
depends_on = None
safe_downgrade = False


def upgrade() -> None:
    op.create_table("mig_b", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("a_id", sa.Integer(), sa.ForeignKey("mig_a.id"), nullable=False))
    op.execute("INSERT INTO mig_b (id, a_id) VALUES (1, 1)")
    # On SQLite, changing a column's nullability rebuilds mig_a (batch "move and copy") under mig_b's key.
    with op.batch_alter_table("mig_a") as batch:
        batch.add_column(sa.Column("note", sa.String(40), nullable=True))
        batch.alter_column("name", existing_type=sa.String(40), nullable=False)
    op.execute("UPDATE mig_a SET note = 'half-way'")
    if os.environ.get("QUYTRINH_TEST_BREAK_REVISION") == "t2_second":
        raise RuntimeError("the machine went down half-way through t2_second")


def downgrade() -> None:
    op.drop_table("mig_b")
