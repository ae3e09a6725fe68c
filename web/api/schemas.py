"""Marshmallow schemas at the edge of the JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields

# Where a case is after a start or a completion: the CLI prints the same, so the schema lives in processes.
from processes.view_schemas import MovedSchema, OpenedStepSchema  # noqa: F401


class ErrorSchema(Schema):
    """Every API error: a message and, where known, the fields at fault."""

    error = fields.String(required=True)
    code = fields.String(metadata={"description": "a service error's stable code"})
    field_codes = fields.Dict(keys=fields.String(), values=fields.String(),
                              metadata={"description": "each field message's stable code, for programs"})
    problems = fields.List(fields.Dict(), metadata={"description": "a model's problems (procedure API, 413/422)"})
    fields = fields.Dict(keys=fields.String(), values=fields.String(),  # (shadows the module: keep it last)
                         metadata={"description": "what is wrong with each field, in the request's language"})


class DefinitionSchema(Schema):
    """A deployed version of a procedure in the catalog."""

    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    name = fields.String()
    status = fields.String()
    deployed_at = fields.DateTime()


class TaskSchema(Schema):
    """A human task as the inbox shows it."""

    id = fields.String(required=True)
    instance_id = fields.Integer()
    business_key = fields.String()
    procedure = fields.String()
    element_id = fields.String()
    name = fields.String()
    roles = fields.String()
    assignee = fields.String(allow_none=True)
    state = fields.String()
    due = fields.DateTime(allow_none=True, metadata={"description": "the step's deadline (ISO 8601 date-time)"})
    time_limit = fields.String(allow_none=True, metadata={"description": "the step's time limit in working time "
                                                                         "as the BPMN gives it (ISO 8601 duration)"})
    created_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class TaskDetailSchema(TaskSchema):
    """A task with its form as JSON Schema."""

    form_key = fields.String(allow_none=True)
    form = fields.Dict(allow_none=True)
    procedure_name = fields.String()


class CompleteSchema(Schema):
    """Body of a completion: the form values; for a step that signs a generated document (QT-ISO-01's approval
    signs the ISO procedure document), the password of the user's stored key, used for this signing only."""

    data = fields.Dict(load_default=dict)
    signing_password = fields.String(load_default=None, allow_none=True, load_only=True)
    signing_title = fields.String(load_default="")


class StartSchema(Schema):
    """Body of a start: which procedure, in which agency, with what data."""

    procedure = fields.String(required=True)
    unit = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(load_default=dict)


class EventSchema(Schema):
    """One event of a case's log, with the hashes that chain it to the one before."""

    id = fields.Integer()
    case_id = fields.Integer()
    seq = fields.Integer()
    activity = fields.String()
    activity_name = fields.String()
    lifecycle = fields.String()
    actor = fields.String(allow_none=True)
    at = fields.DateTime()
    payload = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()
    answers = fields.List(fields.Dict(), metadata={"description": "a completed step's values with the BPMN's labels "
                                                                  "(field, label, type, value, text)"})


class MeSchema(Schema):
    """The caller and their roles."""

    username = fields.String()
    roles = fields.List(fields.Dict())
