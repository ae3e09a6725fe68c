"""Database tables (SQLAlchemy Core): organisation, catalog, instances, tasks, event log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)

metadata = MetaData()


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


units = Table(
    "units", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False, default="department"),
    Column("parent_id", ForeignKey("units.id"), nullable=True),
    # Materialised path "/ROOT/CHILD/" makes "is inside this unit" a prefix test.
    Column("path", String(1000), nullable=False),
    # Path of the nearest agency at or above this unit: roles are held within one agency, so a
    # commune's officers never act on the district's cases although the commune sits below it.
    Column("agency_path", String(1000), nullable=False),
)

roles = Table(
    "roles", metadata,
    Column("code", String(60), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False, default="officer"),
    # A retired role is kept (memberships and logs name it) but may no longer be granted (processes/admin.py).
    Column("retired_at", UTCDateTime, nullable=True),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("full_name", String(300), nullable=False, default=""),
    Column("email", String(300), nullable=True),
    Column("password_hash", String(300), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("phone", String(40), nullable=True),
    # Set by an administrator's password reset: the user must choose their own password at the next login.
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false()),
)

memberships = Table(
    "memberships", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("role_code", ForeignKey("roles.code"), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    UniqueConstraint("user_id", "role_code", "unit_id"),
)

definitions = Table(
    "definitions", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(60), nullable=False),
    Column("version", Integer, nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("name", String(500), nullable=False),
    Column("bpmn_xml", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("properties", Text, nullable=False, default="{}"),
    Column("status", String(20), nullable=False, default="active"),
    Column("deployed_at", UTCDateTime, nullable=False),
    Column("deployed_by", String(80), nullable=True),
    UniqueConstraint("code", "version"),
    Index("ix_definitions_sha", "sha256"),
)

instances = Table(
    "instances", metadata,
    Column("id", Integer, primary_key=True),
    Column("business_key", String(60), nullable=False, unique=True),
    Column("definition_id", ForeignKey("definitions.id"), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("state", Text, nullable=False),
    Column("state_version", String(40), nullable=False),
    Column("lock_version", Integer, nullable=False, default=1),
    Column("started_by", String(80), nullable=False),
    Column("end_event", String(200), nullable=True),
    Column("event_count", Integer, nullable=False, default=0),
    Column("event_head", String(64), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    Index("ix_instances_status", "status"),
    Index("ix_instances_definition", "definition_id"),
)

key_sequences = Table(
    "key_sequences", metadata,
    Column("prefix", String(60), primary_key=True),
    Column("last", Integer, nullable=False),
)

human_tasks = Table(
    "human_tasks", metadata,
    Column("id", Integer, primary_key=True),
    Column("task_uuid", String(36), nullable=False, unique=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    Column("element_id", String(200), nullable=False),
    Column("name", String(500), nullable=False),
    Column("roles", String(500), nullable=False, default=""),
    Column("unit_id", ForeignKey("units.id"), nullable=True),
    Column("assignee", String(80), nullable=True),
    Column("state", String(20), nullable=False),
    Column("due_duration", String(40), nullable=True),
    Column("form_key", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("completed_by", String(80), nullable=True),
    # SLA (processes/sla.py): due instant, when "due soon" starts, the state the sweep last
    # recorded, the next instant the sweep must look at the row (NULL once closed), and the result.
    Column("due_at", UTCDateTime, nullable=True),
    Column("soon_at", UTCDateTime, nullable=True),
    Column("sla_state", String(12), nullable=True),
    Column("escalation_level", Integer, nullable=True),
    Column("next_check_at", UTCDateTime, nullable=True),
    Column("result", String(10), nullable=True),
    # Office time from opened to done on the agency calendar, in seconds, kept at completion so that
    # reports sum it instead of running the calendar per step (NULL: completed before it was kept).
    Column("worked_seconds", Float, nullable=True),
    Index("ix_tasks_instance", "instance_id"),
    Index("ix_tasks_next_check", "next_check_at"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("instances.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("activity", String(200), nullable=False),
    Column("activity_name", String(500), nullable=False, default=""),
    Column("lifecycle", String(30), nullable=False),
    Column("actor", String(80), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("case_id", "seq"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False, default=""),
    # Only a hash is kept: a leaked database does not leak working tokens.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    # NULL on tokens issued before expiry existed: they expire TOKEN_DAYS after created_at (processes/tokens.py).
    Column("expires_at", UTCDateTime, nullable=True),
)

# ---- SLA: dossiers, apologies, notifications, calendar settings (processes/dossiers.py, sla.py…) ----

dossiers = Table(
    "dossiers", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=False, unique=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("procedure", String(60), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("channel", String(20), nullable=False, default="truc_tiep"),
    Column("applicant_name", String(300), nullable=True),
    Column("applicant_id_number", String(40), nullable=True),
    Column("status_code", Integer, nullable=False),
    Column("deadline", String(40), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("counted_from", UTCDateTime, nullable=False),
    # due_at: the statutory due instant, moved only by pauses; appointment_at: the date promised to
    # the applicant (ngày hẹn trả), also moved by a signed apology; original: as first computed.
    Column("due_at", UTCDateTime, nullable=True),
    Column("appointment_at", UTCDateTime, nullable=True),
    Column("original_appointment_at", UTCDateTime, nullable=True),
    Column("supplement_count", Integer, nullable=False, default=0),
    Column("paused_since", UTCDateTime, nullable=True),
    Column("paused_reason", String(20), nullable=True),
    Column("paused_minutes", Integer, nullable=False, default=0),
    Column("late_marked", Boolean, nullable=False, default=False),
    Column("new_date_set", Boolean, nullable=False, default=False),
    Column("result", String(10), nullable=True),
    Column("done_at", UTCDateTime, nullable=True),
    Column("returned_at", UTCDateTime, nullable=True),
    Column("soon_at", UTCDateTime, nullable=True),
    Column("apology_at", UTCDateTime, nullable=True),
    Column("sla_state", String(12), nullable=True),
    Column("escalation_level", Integer, nullable=True),
    Column("next_check_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_dossiers_next_check", "next_check_at"),
    Index("ix_dossiers_status", "status_code"),
)

apologies = Table(
    "apologies", metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id"), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("state", String(12), nullable=False),
    Column("reason", Text, nullable=False),
    Column("appointment_at", UTCDateTime, nullable=False),
    Column("proposed_at", UTCDateTime, nullable=False),
    Column("requested_by", String(80), nullable=True),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("decided_by", String(80), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("new_appointment_at", UTCDateTime, nullable=True),
    Index("ix_apologies_state", "state", "unit_id"),
    Index("ix_apologies_dossier", "dossier_id"),
)

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("link", String(500), nullable=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime, nullable=True),
    Column("emailed_at", UTCDateTime, nullable=True),
    Index("ix_notifications_user", "username", "read_at"),
)

calendar_rules = Table(
    "calendar_rules", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=True),  # NULL: every agency
    Column("effective_from", Date, nullable=False),
    Column("sessions", Text, nullable=False),
    Column("saturday_sessions", Text, nullable=False, default="[]"),
    Column("cutoff", String(5), nullable=True),
    Column("note", String(500), nullable=False, default=""),
    Column("created_by", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

calendar_overrides = Table(
    "calendar_overrides", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=True),  # NULL: every agency
    Column("day", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("sessions", Text, nullable=True),
    Column("note", String(500), nullable=False, default=""),
    Column("created_by", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_calendar_overrides_day", "day"),
)

# One row per waiting timer of a running case, kept by processes.timer_index on every save.
# claim_expires_at: before it no scheduler may take the job (a live claim, or a back-off after a failure).
timer_jobs = Table(
    "timer_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    Column("task_uuid", String(36), nullable=False, unique=True),
    Column("element_id", String(200), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(120), nullable=True),
    Column("claim_expires_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index("ix_timer_jobs_due", "due_at"),
    Index("ix_timer_jobs_instance", "instance_id"),
)

# ---- ISO document control (processes/procedures.py, versions.py, migration.py) ----

procedures = Table(
    "procedures", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("name", String(500), nullable=False),
    Column("field", String(200), nullable=False, default=""),
    Column("level", String(20), nullable=False, default=""),
    Column("legal_basis", Text, nullable=False, default=""),
    Column("deadline", String(40), nullable=True),
    Column("scope", Text, nullable=False, default=""),
    Column("purpose", Text, nullable=False, default=""),
    # JSON: ["document", …], [{"term", "meaning"}], [{"record", "where", "retention"}]
    Column("reference_docs", Text, nullable=False, default="[]"),
    Column("terms", Text, nullable=False, default="[]"),
    Column("records", Text, nullable=False, default="[]"),
    Column("created_by", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# status: processes.versions.VERSION_TRANSITIONS. definition_id once deployed (effective);
# approval_instance_id: the QT-ISO-01 case that carries the version through review and approval.
procedure_versions = Table(
    "procedure_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("procedure_id", ForeignKey("procedures.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("issue_number", Integer, nullable=True),
    Column("status", String(20), nullable=False),
    Column("bpmn_xml", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("based_on", Integer, nullable=True),
    Column("revision_note", Text, nullable=False, default=""),
    Column("drafted_by", String(80), nullable=True),
    Column("drafted_at", UTCDateTime, nullable=True),
    Column("reviewed_by", String(80), nullable=True),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("approved_by", String(80), nullable=True),
    Column("approved_at", UTCDateTime, nullable=True),
    Column("issue_date", Date, nullable=True),
    Column("effective_date", Date, nullable=True),
    Column("obsolete_at", UTCDateTime, nullable=True),
    Column("definition_id", ForeignKey("definitions.id"), nullable=True),
    Column("approval_instance_id", ForeignKey("instances.id"), nullable=True),
    Column("created_by", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("procedure_id", "version"),
    Index("ix_procedure_versions_status", "status"),
    Index("ix_procedure_versions_approval", "approval_instance_id"),
)

migrations = Table(
    "migrations", metadata,
    Column("id", Integer, primary_key=True),
    Column("procedure_id", ForeignKey("procedures.id"), nullable=False),
    Column("from_version", Integer, nullable=False),
    Column("to_version", Integer, nullable=False),
    Column("from_definition_id", ForeignKey("definitions.id"), nullable=False),
    Column("to_definition_id", ForeignKey("definitions.id"), nullable=False),
    Column("filter", Text, nullable=False, default="{}"),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("reverted_by", String(80), nullable=True),
    Column("reverted_at", UTCDateTime, nullable=True),
)

# One row per instance considered; old_state is the exact state text before the move (for revert).
migration_items = Table(
    "migration_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("migration_id", ForeignKey("migrations.id"), nullable=False),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    Column("business_key", String(60), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("reasons", Text, nullable=False, default="[]"),
    Column("steps", Text, nullable=False, default="[]"),
    Column("old_definition_id", ForeignKey("definitions.id"), nullable=False),
    Column("old_state", Text, nullable=True),
    Column("new_lock_version", Integer, nullable=True),
    Column("reverted_at", UTCDateTime, nullable=True),
    Index("ix_migration_items_migration", "migration_id"),
)
