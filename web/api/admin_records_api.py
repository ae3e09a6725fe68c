"""JSON API of administration's records (issue 12): API tokens, the staff import, the administration history;
and one's own password and tokens (/api/me/…), which every account may use.

Use cases of processes/admin_users.py, tokens.py, staff_import.py and admin.py: the pages' scope and refusals.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from processes import admin, admin_users, staff_import, tokens
from processes.errors import InvalidInput

from ..auth import login_required
from ..context import clock, database
from . import admin_schemas as s
from .admin_api import require_administrator
from .bodies import load_body, require_json

bp = Blueprint("admin_records_api", __name__, url_prefix="/api")
bp.before_request(require_json)

MAX_STAFF_FILE = 5 * 1024 * 1024  # a staff list of thousands of rows is well under a megabyte


@bp.get("/admin/tokens")
@login_required
def list_tokens() -> ResponseReturnValue:
    """The tokens of the accounts this administrator manages (?username= for one account)."""
    username = request.args.get("username") or None
    return jsonify(s.TokenSchema(many=True).dump(admin_users.tokens_of_user(database(), g.user, username)))


@bp.post("/admin/tokens")
@login_required
def issue_token() -> ResponseReturnValue:
    """Issue a token for an account (expires after `days`, 90 by default); its clear text is in this answer only."""
    body = load_body(s.TokenInSchema())
    token, listing = admin_users.issue_token_view(database(), g.user, body["username"], clock(), body["name"],
                                                  body["days"])
    return jsonify(s.IssuedTokenSchema().dump({"token": token, "listing": listing})), 201


@bp.post("/admin/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke anyone's token within this administrator's units."""
    changed = admin_users.revoke_token(database(), g.user, token_id, clock())
    return jsonify(s.RevokedSchema().dump({"id": token_id, "changed": changed}))


@bp.get("/me/tokens")
@login_required
def my_tokens() -> ResponseReturnValue:
    """My API tokens (never the tokens themselves)."""
    return jsonify(s.TokenSchema(many=True).dump(tokens.list_tokens(database(), g.user)))


@bp.post("/me/tokens/<int:token_id>/revoke")
@login_required
def revoke_my_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of my tokens (404 for anyone else's)."""
    changed = tokens.revoke_own_token(database(), g.user, token_id, clock())
    return jsonify(s.RevokedSchema().dump({"id": token_id, "changed": changed}))


@bp.post("/me/password")
@login_required
def change_password() -> ResponseReturnValue:
    """Change my password (at least 10 characters, not my username, not a common one); my sessions end."""
    body = load_body(s.PasswordChangeSchema())
    admin_users.change_own_password(database(), g.user, body["current"], body["new"], clock())
    return jsonify(changed=True)


def _staff_file() -> tuple[str, bytes]:
    require_administrator()  # who asks before what is sent: a non-administrator learns nothing of the file
    body = load_body(s.StaffFileSchema())
    try:
        data = base64.b64decode(body["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.of("import_unreadable", {"content_base64": "invalid"},
                              reason="nội dung không phải base64") from None
    if len(data) > MAX_STAFF_FILE:
        raise InvalidInput.of("import_unreadable", {"content_base64": "invalid"}, reason="tệp lớn hơn 5 MB")
    return body["filename"].replace("\x00", ""), data


def _plan(found: staff_import.ImportPlan, applied: bool) -> dict:
    return s.StaffPlanSchema().dump({
        "applied": applied, "create": found.create, "unchanged": found.unchanged,
        "update": [{"username": u, "changes": c} for u, c in found.update.items()],
        "grant": [{"username": u, "role": r, "unit": n} for u, r, n in found.grant],
        "problems": [{"row": p.row, "code": p.code, "message": p.message} for p in found.problems],
        "created": [{"username": c.username, "temporary_password": c.temporary_password} for c in found.created]})


@bp.post("/admin/staff-import/preview")
@login_required
def import_preview() -> ResponseReturnValue:
    """What a staff list (XLSX/CSV, base64) would create, change and grant, and its wrong rows; nothing stored."""
    filename, data = _staff_file()
    return jsonify(_plan(staff_import.preview(database(), g.user, filename, data), False))


@bp.post("/admin/staff-import")
@login_required
def import_apply() -> ResponseReturnValue:
    """Import a staff list, all or nothing (422 naming each wrong row); new accounts' temporary passwords once."""
    filename, data = _staff_file()
    return jsonify(_plan(staff_import.apply(database(), g.user, filename, data, clock()), True))


@bp.get("/admin/history")
@login_required
def history() -> ResponseReturnValue:
    """The administration log within this administrator's units, newest first (?limit=&before=)."""
    limit = request.args.get("limit", type=int) or 200
    before = request.args.get("before", type=int)
    if before is not None:
        before = max(0, min(before, 2**31 - 1))  # nothing is before row 1; every row is before a larger one
    rows = admin.history(database(), g.user, max(1, min(limit, 1000)), before)
    return jsonify(s.AdminEventSchema(many=True).dump(rows))
