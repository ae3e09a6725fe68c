"""Marshmallow schemas of the leader dashboard's JSON (processes.stats.Dashboard and its Counts)."""

from __future__ import annotations

from marshmallow import Schema, fields

from processes.view_schemas import Share

__all__ = ["CountsSchema", "DashboardSchema", "OverdueDossierSchema", "OverdueStepSchema"]


class CountsSchema(Schema):
    """Received / open / done figures of a procedure, agency or unit, the done ones split by result."""

    key = fields.String()
    label = fields.String()
    received = fields.Integer()
    open = fields.Integer()
    done = fields.Integer()
    early = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    overdue = fields.Integer()
    early_rate = Share()
    on_time_rate = Share()
    late_rate = Share()


class OverdueDossierSchema(Schema):
    """A running dossier past its appointment."""

    code = fields.String()
    procedure = fields.String()
    applicant_name = fields.String(allow_none=True)
    appointment_at = fields.DateTime()
    status_code = fields.Integer()


class OverdueStepSchema(Schema):
    """An open step past its due time."""

    code = fields.String()
    task_uuid = fields.String()
    name = fields.String()
    assignee = fields.String(allow_none=True)
    roles = fields.String()
    due_at = fields.DateTime()


class DashboardSchema(Schema):
    """The leader dashboard's figures."""

    since = fields.Date()
    until = fields.Date()
    agencies = fields.List(fields.String())
    total = fields.Nested(CountsSchema)
    by_procedure = fields.List(fields.Nested(CountsSchema))
    by_agency = fields.List(fields.Nested(CountsSchema))
    steps_by_unit = fields.List(fields.Nested(CountsSchema))
    overdue_dossiers = fields.List(fields.Nested(OverdueDossierSchema))
    overdue_steps = fields.List(fields.Nested(OverdueStepSchema))
    ratings = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "how many ratings gave each score, 1 to 5"})
