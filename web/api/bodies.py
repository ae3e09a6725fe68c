"""Reading a JSON request body through a marshmallow schema, with field errors a client can show."""

from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError

from processes.errors import InvalidInput


def load_body(schema: Schema) -> dict:
    """The request's JSON body loaded by `schema`; InvalidInput (422) naming each bad field otherwise."""
    try:
        return schema.load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        fields = {k: "; ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in exc.messages.items()}
        raise InvalidInput("the request body is not valid", fields) from None
