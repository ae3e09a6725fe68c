"""Marshmallow schemas of what `quytrinh … --json` prints: the audit figures and the demo year's summary.

They live here because the CLI is the only layer that turns these views (audits.indicators, audits.index766,
demo.year) into JSON; web/ shows them as pages. The schemas read the dataclasses by attribute.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from processes.view_schemas import Share


class CountsSchema(Schema):
    """Resolved items by result (audits.indicators.Counts), with the rates."""

    resolved = fields.Integer()
    early = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    early_rate = Share()
    on_time_rate = Share()
    late_rate = Share()
    in_time_rate = Share()


class StepFigureSchema(Schema):
    """One step of one procedure with its counts flattened in (audits.indicators.StepFigure)."""

    procedure = fields.String()
    element_id = fields.String()
    name = fields.String()
    limit = fields.String(allow_none=True)
    limit_hours = fields.Float(allow_none=True)
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)
    late_in_late_dossiers = fields.Integer()
    overrun_hours = fields.Float()
    # The step's counts sit beside its own fields (one flat row per step, as spreadsheets want it).
    resolved = fields.Integer(attribute="counts.resolved")
    early = fields.Integer(attribute="counts.early")
    on_time = fields.Integer(attribute="counts.on_time")
    late = fields.Integer(attribute="counts.late")
    early_rate = Share(attribute="counts.early_rate")
    on_time_rate = Share(attribute="counts.on_time_rate")
    late_rate = Share(attribute="counts.late_rate")
    in_time_rate = Share(attribute="counts.in_time_rate")


class CauseSchema(Schema):
    """A step that made dossiers late (a StepFigure seen as a cause)."""

    procedure = fields.String()
    element_id = fields.String()
    name = fields.String()
    late_dossiers = fields.Integer(attribute="late_in_late_dossiers")
    overrun_hours = fields.Function(lambda step: round(step.overrun_hours, 1))


class SlaReportSchema(Schema):
    """SLA conformance over a period (audits.indicators.SlaReport)."""

    period = fields.String(attribute="period.label")
    received = fields.Integer()
    received_online = fields.Integer()
    overall = fields.Nested(CountsSchema)
    by_procedure = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    by_unit = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    by_month = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    by_department = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    steps = fields.List(fields.Nested(StepFigureSchema))
    causes = fields.List(fields.Nested(CauseSchema))
    late_without_apology = fields.List(fields.String())
    names = fields.Dict(keys=fields.String(), values=fields.String())


class CriterionScoreSchema(Schema):
    """One criterion of the QĐ 766 index (audits.index766.CriterionScore)."""

    code = fields.String()
    name = fields.String()
    max = fields.Float()
    source = fields.String()
    value = fields.Float(allow_none=True)
    points = fields.Float()
    basis = fields.String()
    missing = fields.Boolean()


class UnitIndexSchema(Schema):
    """The QĐ 766 index of one unit for one period (audits.index766.UnitIndex)."""

    unit = fields.String()
    unit_name = fields.String()
    period = fields.String()
    rules = fields.String()
    criteria = fields.List(fields.Nested(CriterionScoreSchema))
    groups = fields.Dict(keys=fields.String(), values=fields.Float())
    total = fields.Float()
    grade = fields.String()
    figures = fields.Dict(keys=fields.String(), values=fields.Integer())


class DemoSummarySchema(Schema):
    """What a generated demo year contains, and how long it took (demo.year.DemoSummary)."""

    year = fields.Integer()
    scale = fields.Float()
    seed = fields.Integer()
    dossiers = fields.Integer()
    by_procedure = fields.Dict(keys=fields.String(), values=fields.Integer())
    counter_visits = fields.Integer()
    online = fields.Integer()
    completed = fields.Integer()
    refused = fields.Integer()
    withdrawn = fields.Integer()
    running = fields.Integer()
    supplements = fields.Integer()
    second_supplements = fields.Integer()
    apologies = fields.Integer()
    apology_failures = fields.Integer()
    ratings = fields.Integer()
    attachments = fields.Integer()
    deviations = fields.Integer()
    signed = fields.Integer()
    steps = fields.Integer()
    use_cases = fields.Integer()
    seconds = fields.Float()
    resumed_at_day = fields.Integer(allow_none=True)
    ends_at = fields.DateTime(allow_none=True)
