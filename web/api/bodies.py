"""JSON request bodies: only JSON for writes, read through a marshmallow schema with field errors a client can show."""

from __future__ import annotations

from flask import abort, g, request
from marshmallow import Schema, ValidationError

from processes.errors import InvalidInput


def load_body(schema: Schema) -> dict:
    """The request's JSON body loaded by `schema`; InvalidInput (422) naming each bad field otherwise."""
    try:
        return schema.load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        fields = {k: "; ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in exc.messages.items()}
        raise InvalidInput("the request body is not valid", fields) from None


def require_json() -> None:
    """Writes need JSON bodies: with a session cookie, that keeps cross-site forms out (no CSRF token)."""
    writing = request.method in ("POST", "PUT", "PATCH", "DELETE")
    # Who asks comes before what is sent: an anonymous write is 401 (as the OpenAPI description says),
    # except on the public blueprint, which citizens use without an account.
    if writing and g.get("user") is None and request.blueprint != "public_api":
        abort(401)
    if writing and not g.get("via_token") and not request.is_json:
        abort(415)
