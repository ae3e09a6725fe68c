"""JSON API of the user's own things: substitutes (ủy quyền) and notifications."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from processes import notifications, substitutes

from ..auth import login_required
from ..context import clock, database
from . import personal_schemas as s
from .bodies import load_body, require_json

bp = Blueprint("personal_api", __name__, url_prefix="/api")
bp.before_request(require_json)


@bp.get("/substitutes")
@login_required
def list_substitutes() -> ResponseReturnValue:
    """Delegations I gave or received."""
    return jsonify(s.SubstituteSchema(many=True).dump(substitutes.of_user(database(), g.user)))


@bp.post("/substitutes")
@login_required
def add_substitute() -> ResponseReturnValue:
    """Name a substitute for a date range."""
    body = load_body(s.SubstituteInSchema())
    found = substitutes.set_substitute(database(), body["username"] or g.user, body["substitute"], body["starts_on"],
                                       body["ends_on"], g.user, clock(), body["reason"])
    return jsonify(s.SubstituteSchema().dump(found)), 201


@bp.post("/substitutes/<int:substitution_id>/revoke")
@login_required
def revoke_substitute(substitution_id: int) -> ResponseReturnValue:
    """End a delegation early."""
    return jsonify(s.SubstituteSchema().dump(substitutes.revoke(database(), substitution_id, g.user, clock())))


@bp.get("/notifications")
@login_required
def list_notifications() -> ResponseReturnValue:
    """My notifications, newest first (?unread=1 for the unread ones)."""
    rows = notifications.inbox(database(), g.user, unread_only=request.args.get("unread") == "1", limit=200)
    return jsonify(s.NotificationSchema(many=True).dump(rows))


@bp.post("/notifications/read")
@login_required
def mark_read() -> ResponseReturnValue:
    """Mark some (ids) or all of my notifications read."""
    body = load_body(s.MarkReadSchema())
    ids = body["ids"] or ([n["id"] for n in notifications.inbox(database(), g.user, True, 1000)] if body["all"] else [])
    return jsonify(marked=notifications.mark_read(database(), g.user, ids, clock()))
