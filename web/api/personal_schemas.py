"""Schemas of an officer's own API: delegations to a substitute and in-app notifications."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SubstituteInSchema(Schema):
    """Body of a new delegation."""

    username = fields.String(load_default=None, allow_none=True)
    substitute = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    reason = fields.String(load_default="")


class SubstituteSchema(Schema):
    """A delegation."""

    id = fields.Integer()
    username = fields.String()
    substitute = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    reason = fields.String()
    created_by = fields.String()
    revoked = fields.Boolean()


class NotificationSchema(Schema):
    """An in-app notification."""

    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    link = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MarkReadSchema(Schema):
    """Body of a mark-read request."""

    # Ids are 32-bit columns: a larger number overflowed in PostgreSQL (a 500 under fuzzing, issue 12).
    ids = fields.List(fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1)),
                      validate=validate.Length(max=1000), load_default=list)
    all = fields.Boolean(load_default=False)
