"""JSON shapes of the internal audit programme (web/api/audit_programme_api.py); they read audits' views by
attribute (programme.Plan, programme_views.UnitCoverage, programme_views.PlanView)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from audits.programme import KINDS

ANSWERS = (*KINDS, "not_applicable")


class PlanSchema(Schema):
    """An audit plan as stored."""

    id = fields.Int()
    code = fields.Str()
    unit = fields.Str()
    period = fields.Str()
    procedures = fields.List(fields.Str())
    team = fields.Method("_team")
    planned_from = fields.Date()
    planned_to = fields.Date()
    status = fields.Str()

    def _team(self, plan: Any) -> list[dict[str, str]]:
        return [{"username": u, "role": r} for u, r in plan.team]


class UnitCoverageSchema(Schema):
    """A unit and the year's plans that audited it."""

    code = fields.Str()
    name = fields.Str()
    audited = fields.Bool()
    plans = fields.Method("_plans")
    nonconformities = fields.Int()

    def _plans(self, unit: Any) -> list[dict[str, str]]:
        return [{"code": c, "status": s} for c, s in unit.plans]


class ProgrammeSchema(Schema):
    """The year's plans and coverage."""

    year = fields.Int()
    plans = fields.List(fields.Nested(PlanSchema))
    coverage = fields.List(fields.Nested(UnitCoverageSchema))


class EvidenceSchema(Schema):
    """A dossier (and optionally one event of its log) that shows an answer or a finding."""

    dossier = fields.Str()
    seq = fields.Int(allow_none=True)
    activity = fields.Str()
    activity_name = fields.Str(metadata={"description": "The step's name in Vietnamese (events linked since issue 14)"})
    lifecycle = fields.Str()
    at = fields.Str(metadata={"description": "When the event happened (ISO 8601)"})


class ChecklistItemSchema(Schema):
    """One question with its answer, note and evidence."""

    procedure = fields.Str()
    item_no = fields.Int()
    clause = fields.Str()
    element_id = fields.Str(allow_none=True)
    question = fields.Str()
    answer = fields.Str(allow_none=True)
    note = fields.Str()
    evidence = fields.List(fields.Nested(EvidenceSchema))


class FindingSchema(Schema):
    """A finding with its corrective-action case."""

    ref = fields.Str()
    kind = fields.Str()
    clause = fields.Str()
    procedure = fields.Str(allow_none=True)
    statement = fields.Str()
    evidence = fields.List(fields.Nested(EvidenceSchema))
    by = fields.Str()
    capa = fields.Str(allow_none=True)
    capa_status = fields.Str(allow_none=True)


class PlanViewSchema(Schema):
    """One audit: plan, unit, team, sample, checklist, findings."""

    plan = fields.Nested(PlanSchema)
    unit_name = fields.Str()
    objective = fields.Str()
    period_from = fields.Date()
    period_to = fields.Date()
    sample = fields.List(fields.Str())
    checklist = fields.List(fields.Nested(ChecklistItemSchema))
    findings = fields.List(fields.Nested(FindingSchema))
    unanswered = fields.Int()


class EvidenceInSchema(Schema):
    """Evidence as sent: a dossier code and optionally an event number of its log."""

    dossier = fields.Str(required=True)
    seq = fields.Int(load_default=None, allow_none=True)


class PlanInSchema(Schema):
    """Plan an audit: the first auditor leads."""

    unit = fields.Str(required=True)
    period = fields.Str(required=True)
    auditors = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    procedures = fields.List(fields.Str(), load_default=list)
    objective = fields.Str(load_default="")
    planned_from = fields.Date(load_default=None, allow_none=True)
    planned_to = fields.Date(load_default=None, allow_none=True)


class AnswerInSchema(Schema):
    """Answer one checklist item."""

    procedure = fields.Str(required=True)
    item_no = fields.Int(required=True)
    answer = fields.Str(required=True, validate=validate.OneOf(ANSWERS))
    note = fields.Str(load_default="")
    evidence = fields.List(fields.Nested(EvidenceInSchema), load_default=list)


class FindingInSchema(Schema):
    """Record a finding (a nonconformity starts its QT-CAPA-01 case)."""

    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    statement = fields.Str(required=True)
    clause = fields.Str(load_default="")
    procedure = fields.Str(load_default=None, allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceInSchema), load_default=list)


class FindingMadeSchema(Schema):
    """The finding recorded and the CAPA case it started."""

    ref = fields.Str()
    kind = fields.Str()
    evidence = fields.List(fields.Nested(EvidenceSchema))
    capa = fields.Str(allow_none=True)


SCHEMAS: dict[str, type[Schema]] = {
    "AuditPlan": PlanSchema, "UnitCoverage": UnitCoverageSchema, "AuditProgramme": ProgrammeSchema,
    "AuditEvidence": EvidenceSchema, "ChecklistItem": ChecklistItemSchema, "AuditFinding": FindingSchema,
    "AuditPlanView": PlanViewSchema, "AuditEvidenceIn": EvidenceInSchema, "AuditPlanIn": PlanInSchema,
    "ChecklistAnswerIn": AnswerInSchema, "AuditFindingIn": FindingInSchema, "AuditFindingMade": FindingMadeSchema,
}
