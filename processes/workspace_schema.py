"""Tables of the officer workspace: counter receptions, attachments, comments, substitutes, citizen ratings.

They live on the same MetaData as processes/schema.py (processes/db.py imports this module so that
`create_all` creates them).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table, Text

from .schema import UTCDateTime, dossiers, human_tasks, metadata

# One row per visit at the one-stop counter: an accepted dossier (instance_id set, ref = dossier code),
# or a supplement request / refusal slip handed to the applicant without receiving the dossier.
receptions = Table(
    "receptions", metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(60), nullable=False, unique=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=True, unique=True),
    Column("procedure", String(60), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("outcome", String(12), nullable=False),  # accepted | supplement | refused
    Column("applicant_name", String(300), nullable=False),
    Column("applicant_id_number", String(40), nullable=False),
    Column("address", String(500), nullable=False, default=""),
    Column("phone", String(20), nullable=False, default=""),
    Column("email", String(200), nullable=False, default=""),
    Column("channel", String(20), nullable=False),
    Column("documents", Text, nullable=False, default="[]"),  # JSON: [{name, kind, sets}]
    Column("note", Text, nullable=False, default=""),  # what is missing, or why it is refused
    Column("officer", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_receptions_unit_created", "unit_id", "created_at"),
)

# Files are stored once by content hash under instance/attachments/; a row links one to a case.
attachments = Table(
    "attachments", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    Column("task_uuid", String(36), nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Index("ix_attachments_instance", "instance_id"),
)

comments = Table(
    "comments", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    Column("task_uuid", String(36), nullable=True),
    Column("author", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_comments_instance", "instance_id"),
)

# Ủy quyền: `substitute` may see and do `username`'s tasks from `starts_on` to `ends_on` (Vietnam dates).
substitutes = Table(
    "substitutes", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False),
    Column("substitute", String(80), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("reason", String(500), nullable=False, default=""),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Index("ix_substitutes_substitute", "substitute", "starts_on"),
)

# Citizen satisfaction, once per dossier (the unique instance_id enforces "once").
ratings = Table(
    "ratings", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=False, unique=True),
    Column("score", SmallInteger, nullable=False),  # 5 rất hài lòng … 1 rất không hài lòng
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
)

# Indexes for the workspace's queries on tables owned elsewhere (created with the tables on a fresh database).
# The inbox: open steps by assignee, or by (roles, unit) for the queues, with the due instants the page sorts
# and filters on, all inside the index (processes/queries.py never reads the table rows of other pages).
# Within a queue the entries are in the page's order, (due_at, id): a page reads its rows, not the queue
# (processes/inbox_index.py).
Index("ix_tasks_inbox", human_tasks.c.state, human_tasks.c.assignee, human_tasks.c.roles, human_tasks.c.unit_id,
      human_tasks.c.due_at, human_tasks.c.id, human_tasks.c.soon_at, human_tasks.c.instance_id)
Index("ix_tasks_completed", human_tasks.c.state, human_tasks.c.completed_at)  # step results of a period
Index("ix_dossiers_overdue", dossiers.c.status_code, dossiers.c.appointment_at)
Index("ix_dossiers_received", dossiers.c.received_at)
Index("ix_dossiers_done", dossiers.c.done_at)
