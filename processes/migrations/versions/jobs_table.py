"""The jobs table: long work (reports, exports, the demo year, bulk migration) run outside the request.

Issue 11 item 5 (processes/jobs_schema.py).

Revision ID: jobs_table
Revises: baseline_0_1_0
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "jobs_table"
down_revision = "baseline_0_1_0"
branch_labels = None
depends_on = None
# The rows are progress records of background work that 0.1.0 does not know: dropping them loses no
# case, step or event, only the list of past jobs (their files stay on disk).
safe_downgrade = True


def upgrade() -> None:
    # A database made by `create_all` between the jobs table's commit (519ecc7) and migrations has it
    # already; it is stamped at the baseline like any pre-migration database, so skip what is there.
    if sa.inspect(op.get_bind()).has_table("jobs"):
        return
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('worker', sa.String(length=120), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_jobs_owner_created', 'jobs', ['owner', 'created_at'], unique=False)
    op.create_index('ix_jobs_status_heartbeat', 'jobs', ['status', 'heartbeat_at'], unique=False)


def downgrade() -> None:
    op.drop_index("ix_jobs_status_heartbeat", table_name="jobs")
    op.drop_index("ix_jobs_owner_created", table_name="jobs")
    op.drop_table("jobs")
