"""Schemas of the citizens' API: looking a dossier up and rating it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class LookupSchema(Schema):
    """Body of a citizen lookup: both are required."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=40))


class PublicDossierSchema(Schema):
    """What a citizen sees about their dossier."""

    code = fields.String()
    procedure_name = fields.String()
    applicant_name = fields.String(allow_none=True)
    status_code = fields.Integer()
    status = fields.String()
    received_at = fields.DateTime()
    appointment_at = fields.DateTime(allow_none=True)
    original_appointment_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    current_steps = fields.List(fields.String())
    missing = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)
    may_rate = fields.Boolean()


class RatingSchema(Schema):
    """Body of a citizen rating."""

    code = fields.String(required=True)
    id_number = fields.String(required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="")
