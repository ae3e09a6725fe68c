"""Tables of the internal audit (audits/programme.py, audits/index766.py): audit plans, teams, checklists,
samples, findings, and the QĐ 766 scores entered by hand.

They live on the same MetaData as processes/schema.py (processes/db.py imports this module so that
`create_all` creates them).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .schema import UTCDateTime, metadata

# One internal audit (ISO 9001 clause 9.2) of one unit in one period; procedures: JSON list of codes.
audit_plans = Table(
    "audit_plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("period", String(20), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("procedures", Text, nullable=False, default="[]"),
    Column("objective", Text, nullable=False, default=""),
    Column("planned_from", Date, nullable=False),
    Column("planned_to", Date, nullable=False),
    Column("status", String(20), nullable=False, default="planned"),
    Column("seed", Integer, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_audit_plans_year", "year", "unit_id"),
)

audit_team = Table(
    "audit_team", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("audit_plans.id"), nullable=False),
    Column("username", String(80), nullable=False),
    Column("role", String(10), nullable=False),  # lead | member
    UniqueConstraint("plan_id", "username"),
)

# answer: conformity | observation | nonconformity | not_applicable (NULL until audited).
audit_checklist = Table(
    "audit_checklist", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("audit_plans.id"), nullable=False),
    Column("procedure", String(60), nullable=False),
    Column("item_no", Integer, nullable=False),
    Column("clause", String(20), nullable=False),
    Column("element_id", String(200), nullable=True),
    Column("question", Text, nullable=False),
    Column("answer", String(20), nullable=True),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("plan_id", "procedure", "item_no"),
)

audit_samples = Table(
    "audit_samples", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("audit_plans.id"), nullable=False),
    Column("instance_id", ForeignKey("instances.id"), nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("plan_id", "instance_id"),
)

# evidence: JSON [{"instance_id", "dossier", "seq", "activity"}]; capa_instance_id: the QT-CAPA-01 case of a
# nonconformity.
audit_findings = Table(
    "audit_findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("audit_plans.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # conformity | observation | nonconformity
    Column("clause", String(20), nullable=False, default=""),
    Column("procedure", String(60), nullable=True),
    Column("statement", Text, nullable=False),
    Column("evidence", Text, nullable=False, default="[]"),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("capa_instance_id", ForeignKey("instances.id"), nullable=True),
    UniqueConstraint("plan_id", "number"),
)

# QĐ 766 criteria quytrinh cannot compute, entered per unit and period (criterion: "1", "4", "6.3"…).
index766_manual_scores = Table(
    "index766_manual_scores", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("period", String(20), nullable=False),
    Column("criterion", String(10), nullable=False),
    Column("points", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("entered_by", String(80), nullable=False),
    Column("entered_at", UTCDateTime, nullable=False),
    UniqueConstraint("unit_id", "period", "criterion"),
)

# The conformance verdict of a closed case (audits/stored_conformance.py), computed once and kept while
# the model it was checked against is the same: model_key = hash of the version's BPMN and of the checker.
# trace, deviations: JSON; tokens: the token replay's counts (missing, consumed, remaining, produced).
case_conformance = Table(
    "case_conformance", metadata,
    Column("case_id", ForeignKey("instances.id"), primary_key=True),
    Column("definition_id", ForeignKey("definitions.id"), nullable=False),
    Column("model_key", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("fitness", Float, nullable=True),
    Column("token_fitness", Float, nullable=True),
    Column("cost", Integer, nullable=True),
    Column("worst_cost", Integer, nullable=True),
    Column("tokens", String(80), nullable=True),
    Column("trace", Text, nullable=False),
    Column("deviations", Text, nullable=False),
    Column("checked_at", UTCDateTime, nullable=False),
    Index("ix_case_conformance_definition", "definition_id", "model_key"),
)

# The SLA step figures of one month's completed steps, grouped (processes/step_rollups.py, issue 14 item 6):
# a row per (month received, dossier unit and procedure, version, step, result, performer, roles) with the
# count, the group's earliest row (its name and limit) and the office times and late completions packed.
step_rollups = Table(
    "step_rollups", metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False),  # local month the steps were completed in (YYYY-MM)
    Column("received_month", String(7), nullable=False),  # local month their dossiers were received in
    Column("unit_id", Integer, nullable=False),  # the dossier's unit
    Column("procedure", String(60), nullable=False),  # the dossier's procedure code
    Column("definition_id", Integer, nullable=False),
    Column("element_id", String(200), nullable=False),
    Column("result", String(10), nullable=True),
    Column("completed_by", String(80), nullable=True),
    Column("roles", String(500), nullable=False),
    Column("count", Integer, nullable=False),
    Column("first_task_id", Integer, nullable=False),
    Column("first_name", String(500), nullable=False),
    Column("first_due", String(40), nullable=True),
    Column("seconds", LargeBinary, nullable=False),  # float64 little-endian: each step's office seconds
    Column("late", LargeBinary, nullable=False),  # (task id, case id: int64, seconds: float64) per late step
    Index("ix_step_rollups_month", "month", "received_month"),
)

# What each month's rollup was built from: the completed steps of that month (count and highest id). A
# month whose steps differ now (a step added, a case purged) is rolled up again before it is read.
step_rollup_months = Table(
    "step_rollup_months", metadata,
    Column("month", String(7), primary_key=True),
    Column("steps", Integer, nullable=False),
    Column("last_task_id", Integer, nullable=False),
    Column("built_at", UTCDateTime, nullable=False),
)
