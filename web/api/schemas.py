"""Marshmallow schemas at the edge of the JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """Every API error: a message and, where known, the fields at fault."""

    error = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.String())


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
    due = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class TaskDetailSchema(TaskSchema):
    """A task with its form as JSON Schema."""

    form_key = fields.String(allow_none=True)
    form = fields.Dict(allow_none=True)
    procedure_name = fields.String()


class CompleteSchema(Schema):
    """Body of a completion: the form values."""

    data = fields.Dict(load_default=dict)


class StartSchema(Schema):
    """Body of a start: which procedure, in which agency, with what data."""

    procedure = fields.String(required=True)
    unit = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(load_default=dict)


class OpenedStepSchema(Schema):
    """A step that became ready."""

    id = fields.String()
    element_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due = fields.String(allow_none=True)


class MovedSchema(Schema):
    """Where a case is after a start or a completion."""

    instance = fields.Integer()
    business_key = fields.String()
    status = fields.String()
    end_event = fields.String(allow_none=True)
    opened = fields.List(fields.Nested(OpenedStepSchema))


class MeSchema(Schema):
    """The caller and their roles."""

    username = fields.String()
    roles = fields.List(fields.Dict())
