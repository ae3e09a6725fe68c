"""human_tasks indexes for the inbox at a province's size and a lighter completion (issue 15 items 2 and 3).

- ix_tasks_inbox gains `id` after `due_at`: within a queue (state, assignee or roles and unit) its entries
  are then in the inbox page's order (due_at, id), so a page reads its own rows instead of sorting the
  queue (processes/inbox_index.py);
- ix_tasks_state_assignee goes: ix_tasks_inbox begins with the same two columns and answers every query it
  served; it only cost a page write whenever a step opened, was claimed or closed.

Revision ID: tasks_inbox_index
Revises: step_worked_time
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "tasks_inbox_index"
down_revision = "step_worked_time"
branch_labels = None
depends_on = None
# Indexes only: dropping or rebuilding them changes no data.
safe_downgrade = True

_OLD_INBOX = ["state", "assignee", "roles", "unit_id", "due_at", "soon_at", "instance_id"]
_NEW_INBOX = ["state", "assignee", "roles", "unit_id", "due_at", "id", "soon_at", "instance_id"]


def upgrade() -> None:
    op.drop_index("ix_tasks_state_assignee", table_name="human_tasks")
    op.drop_index("ix_tasks_inbox", table_name="human_tasks")
    op.create_index("ix_tasks_inbox", "human_tasks", _NEW_INBOX, unique=False)


def downgrade() -> None:
    op.drop_index("ix_tasks_inbox", table_name="human_tasks")
    op.create_index("ix_tasks_inbox", "human_tasks", _OLD_INBOX, unique=False)
    op.create_index("ix_tasks_state_assignee", "human_tasks", ["state", "assignee"], unique=False)
