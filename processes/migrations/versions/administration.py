"""Administration (issue 12): the administration log and chain heads, login attempts, retired roles, a user's
phone and forced password change, API token expiry.

Revision ID: administration
Revises: runtime_tables
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "administration"
down_revision = "runtime_tables"
branch_labels = None
depends_on = None
# The administration log is a tamper-evident record of who granted, revoked, reset and retired what:
# dropping it loses that history, and a forced password change would be forgotten.
safe_downgrade = False


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = set(inspector.get_table_names())
    if "admin_events" not in have:
        op.create_table('admin_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('seq', name='uq_admin_events_seq')
        )
    if "chain_heads" not in have:
        op.create_table('chain_heads',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('head', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('name')
        )
    if "login_attempts" not in have:
        op.create_table('login_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_login_attempts_user', 'login_attempts', ['username', 'at'], unique=False)
    columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in ("roles", "users", "api_tokens")}
    if "retired_at" not in columns["roles"]:
        op.add_column('roles', sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    if "phone" not in columns["users"]:
        op.add_column('users', sa.Column('phone', sa.String(length=40), nullable=True))
    if "must_change_password" not in columns["users"]:
        op.add_column('users', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    if "expires_at" not in columns["api_tokens"]:
        op.add_column('api_tokens', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # safe_downgrade is False: processes.schema_upgrade refuses to run this; kept for completeness.
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('must_change_password')
        batch.drop_column('phone')
    with op.batch_alter_table('roles') as batch:
        batch.drop_column('retired_at')
    op.drop_index('ix_login_attempts_user', table_name='login_attempts')
    op.drop_table('login_attempts')
    op.drop_table('chain_heads')
    op.drop_table('admin_events')
