"""Tables of the district's oversight (issue 17): unit aliases, the year's CCHC plan and its items.

They live on the same MetaData as processes/schema.py (processes/db.py imports this module so that
`create_all` creates them); written and read only by processes/cchc_plan.py.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, Numeric, String, Table, Text, UniqueConstraint

from .schema import UTCDateTime, metadata

# Other names a unit goes by in the plans agencies type ("Phòng KT-HT", "Văn phòng HĐND-UBND"); stored
# folded (processes.cchc_plan.fold_name) so that matching is one lookup.
unit_aliases = Table(
    "unit_aliases", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("alias", String(300), nullable=False),
    Column("folded", String(300), nullable=False, unique=True),
)

# One CCHC plan per year (the appendix of the district's Kế hoạch cải cách hành chính).
cchc_plans = Table(
    "cchc_plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False, unique=True),
    Column("file_name", String(255), nullable=False, default=""),
    Column("imported_by", String(80), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

# leads / cooperating: JSON lists of unit codes; budget in million VND (NULL when the cell is empty);
# due_date NULL for "Thường xuyên"; instance_id: the QT-CCHC-01 case carrying the item out.
cchc_plan_items = Table(
    "cchc_plan_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("cchc_plans.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("row", Integer, nullable=False),
    Column("section_no", String(10), nullable=False),
    Column("section_title", String(500), nullable=False),
    Column("number", String(20), nullable=False),
    Column("task", Text, nullable=False),
    Column("product", String(500), nullable=False, default=""),
    Column("lead_text", Text, nullable=False, default=""),
    Column("leads", Text, nullable=False, default="[]"),
    Column("cooperating", Text, nullable=False, default="[]"),
    Column("budget", Numeric(14, 3), nullable=True),
    Column("deadline_text", String(300), nullable=False, default=""),
    Column("due_date", Date, nullable=True),
    Column("instance_id", ForeignKey("instances.id"), nullable=True),
    UniqueConstraint("plan_id", "position"),
    Index("ix_cchc_plan_items_instance", "instance_id"),
)

# Each agency's quality system (HTQLCL, issue 17 item 1): its scope, the decision announcing it (công bố), the
# internal procedures it declared (JSON [{"code", "name"}]) and the last management review held.
quality_systems = Table(
    "quality_systems", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=False, unique=True),
    Column("scope", Text, nullable=False, default=""),
    Column("decision_no", String(60), nullable=False, default=""),
    Column("decision_date", Date, nullable=True),
    Column("decision_file", String(500), nullable=False, default=""),
    Column("declared", Text, nullable=False, default="[]"),
    Column("last_review_on", Date, nullable=True),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The year's CCHC/ISO inspections of the district's units (issue 17 item 4); kind: inspection (by the district's
# team) | self (the unit's own self-inspection); team: JSON usernames, the first leads; content: JSON of
# "cchc" / "iso"; status: planned | done.
inspections = Table(
    "inspections", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("planned_from", Date, nullable=False),
    Column("planned_to", Date, nullable=False),
    Column("team", Text, nullable=False, default="[]"),
    Column("content", Text, nullable=False, default="[]"),
    Column("status", String(12), nullable=False, default="planned"),
    Column("done_on", Date, nullable=True),
    Column("conclusion", Text, nullable=False, default=""),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_inspections_year", "year", "unit_id"),
)

# What an inspection found; a nonconformity starts a QT-CAPA-01 case (capa_instance_id), like an audit finding.
inspection_findings = Table(
    "inspection_findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("inspection_id", ForeignKey("inspections.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # observation | nonconformity
    Column("statement", Text, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("capa_instance_id", ForeignKey("instances.id"), nullable=True),
    UniqueConstraint("inspection_id", "number"),
)

# PAR index (Chỉ số CCHC) self-scores a unit enters for a year (issue 17 item 5), with the evidence behind them.
par_self_scores = Table(
    "par_self_scores", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("criterion", String(10), nullable=False),
    Column("points", Numeric(6, 2), nullable=False),
    Column("evidence", Text, nullable=False, default=""),
    Column("entered_by", String(80), nullable=False),
    Column("entered_at", UTCDateTime, nullable=False),
    UniqueConstraint("unit_id", "year", "criterion"),
)
