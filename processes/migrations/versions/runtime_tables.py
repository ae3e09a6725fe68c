"""Tables the service's processes share: web sessions, rate-limit counters, cache generations.

Issue 11 items 4 and 8 (processes/runtime_schema.py).

Revision ID: runtime_tables
Revises: jobs_table
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "runtime_tables"
down_revision = "jobs_table"
branch_labels = None
depends_on = None
# Sessions, counters and tokens are transient: dropping them logs everyone out and resets the counters,
# no case, step or event is lost.
safe_downgrade = True


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "web_sessions" not in have:
        op.create_table('web_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_web_sessions_username', 'web_sessions', ['username'], unique=False)
    if "rate_limits" not in have:
        op.create_table('rate_limits',
        sa.Column('key', sa.String(length=512), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key')
        )
    if "cache_generations" not in have:
        op.create_table('cache_generations',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name')
        )


def downgrade() -> None:
    op.drop_table("cache_generations")
    op.drop_table("rate_limits")
    op.drop_index("ix_web_sessions_username", table_name="web_sessions")
    op.drop_table("web_sessions")
