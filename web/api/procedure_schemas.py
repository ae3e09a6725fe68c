"""Marshmallow schemas of the quality manager's JSON API (procedures, versions, diffs, migrations)."""

from __future__ import annotations

from marshmallow import Schema, fields

from processes.view_schemas import FindingSchema, VersionDiffSchema

from ..error_text import reason_text

__all__ = [
    "DiffSchema", "DraftSchema", "MigrationRequestSchema", "MigrationResultSchema", "MigrationSchema", "ProblemsSchema",
    "ProcedureSchema", "RevertResultSchema", "SavedDraftSchema", "SubmitSchema", "SubmittedSchema", "ValidateSchema",
    "VersionSchema",
]


class ProblemSchema(FindingSchema):
    """One validator or design-lint finding (FindingSchema's fields), its message in the request's language."""


class ProblemsSchema(Schema):
    """The findings of a model (validate)."""

    problems = fields.List(fields.Nested(ProblemSchema))


class VersionSchema(Schema):
    """A version of a procedure under document control."""

    version = fields.Integer(required=True)
    issue_number = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": ["draft", "in_review", "approved", "effective", "superseded",
                                              "withdrawn"]})
    obsolete = fields.Boolean()
    issue_date = fields.Date(allow_none=True)
    effective_date = fields.Date(allow_none=True)
    revision_note = fields.String()
    based_on = fields.Integer(allow_none=True)
    drafted_by = fields.String(allow_none=True)
    drafted_at = fields.DateTime(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    obsolete_at = fields.DateTime(allow_none=True)
    definition_id = fields.Integer(allow_none=True)
    approval_case = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProcedureSchema(Schema):
    """A procedure's catalog entry and ISO metadata."""

    code = fields.String()
    name = fields.String()
    field = fields.String()
    level = fields.String()
    legal_basis = fields.String()
    deadline = fields.String(allow_none=True)
    scope = fields.String()
    purpose = fields.String()
    reference_docs = fields.List(fields.String())
    terms = fields.List(fields.Dict())
    records = fields.List(fields.Dict())
    versions = fields.List(fields.Nested(VersionSchema))


class DraftSchema(Schema):
    """Body of a draft save: the BPMN and what changed and why."""

    xml = fields.String(required=True)
    note = fields.String(load_default="")


class SavedDraftSchema(Schema):
    """A saved draft: its number, status and every finding."""

    version = fields.Integer()
    status = fields.String()
    problems = fields.List(fields.Nested(ProblemSchema))


class ValidateSchema(Schema):
    """Body of a validation: the BPMN (and, optionally, the procedure code it must carry)."""

    xml = fields.String(required=True)
    code = fields.String(load_default=None, allow_none=True)


class DiffSchema(VersionDiffSchema):
    """Elements added, removed and changed between two versions."""


class SubmitSchema(Schema):
    """Body of a submission (optional note for the revision table)."""

    note = fields.String(load_default="")


class SubmittedSchema(Schema):
    """A draft sent for approval: its status and the approval case carrying it."""

    version = fields.Integer()
    status = fields.String()
    approval_case = fields.String()
    case_status = fields.String()
    problems = fields.List(fields.Nested(ProblemSchema))


class MigrationRequestSchema(Schema):
    """Which running cases to move: from version, to version, and an optional filter."""

    source = fields.Integer(required=True, data_key="from")
    target = fields.Integer(required=True, data_key="to")
    filter = fields.Dict(load_default=dict)


class ReasonSchema(Schema):
    """Why a case does not move: a stable code and its params (a client may say it in its own words)."""

    code = fields.String()
    params = fields.Dict()


class CaseVerdictSchema(Schema):
    """One case: where it is, whether it can move (or moved), and why not (in the request's language)."""

    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    steps = fields.List(fields.Dict())
    can_move = fields.Boolean()
    reasons = fields.Method("said")
    why = fields.List(fields.Nested(ReasonSchema))
    outcome = fields.String()

    def said(self, verdict: dict) -> list[str]:
        """Each reason in the request's language."""
        return [reason_text(w) for w in verdict["why"]]


class MigrationResultSchema(Schema):
    """A dry run or a migration: per-case results and counts."""

    procedure = fields.String()
    source = fields.Integer(attribute="from", data_key="from")
    target = fields.Integer(attribute="to", data_key="to")
    movable = fields.Integer()
    blocked = fields.Integer()
    migration = fields.Integer()
    instances = fields.List(fields.Nested(CaseVerdictSchema))


class MigrationItemSchema(Schema):
    """One case a migration considered, and what became of it."""

    instance_id = fields.Integer()
    business_key = fields.String()
    outcome = fields.String()
    reasons = fields.List(fields.String())
    steps = fields.List(fields.Dict())


class MigrationSchema(Schema):
    """A recorded migration with its per-case outcomes (reverted_at once put back)."""

    id = fields.Integer()
    procedure_id = fields.Integer()
    from_version = fields.Integer()
    to_version = fields.Integer()
    from_definition_id = fields.Integer()
    to_definition_id = fields.Integer()
    filter = fields.Dict()
    created_by = fields.String()
    created_at = fields.DateTime()
    reverted_by = fields.String(allow_none=True)
    reverted_at = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(MigrationItemSchema))


class RevertResultSchema(Schema):
    """A revert: per-case outcomes."""

    migration = fields.Integer()
    reverted = fields.Integer()
    instances = fields.List(fields.Nested(CaseVerdictSchema(only=("instance_id", "business_key", "outcome", "reasons",
                                                                   "why"))))
