"""JSON shapes of the what-if API (web/api/what_if_api.py)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class WhatIfRequestSchema(Schema):
    """The year to simulate and the roster changes: role code → holders added (+) or removed (−)."""

    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    roster = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)),
                         values=fields.Integer(validate=validate.Range(-50, 50)), load_default=dict)


class WhatIfJobSchema(Schema):
    """A what-if job: progress, then the result (`current` and `changed`, as `quytrinh simulate --json`)."""

    id = fields.Integer()
    title = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    percent = fields.Integer()
    message = fields.String()
    error = fields.String(allow_none=True)
    params = fields.Dict()
    url = fields.String(metadata={"description": "where to follow the job"})
    page = fields.String(metadata={"description": "the page showing it to people"})
    result = fields.Dict(allow_none=True)


SCHEMAS: dict[str, type[Schema]] = {"WhatIfRequest": WhatIfRequestSchema, "WhatIfJob": WhatIfJobSchema}
