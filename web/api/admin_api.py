"""JSON API of administration (issue 12): roles, accounts, memberships, the unit tree and the delegations.

The same use cases as the pages (processes/admin.py, admin_users.py, admin_views.py), hence the same scope and
refusals: an agency's administrator manages its units only, roles need an administrator of the whole
organisation, every change is written to the administration log. Tokens, the staff import, the history and
one's own password are in admin_records_api.py.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from processes import admin, admin_users, admin_views, substitutes
from processes.errors import NotFound

from ..auth import login_required
from ..context import clock, database
from . import admin_schemas as s
from .bodies import load_body, require_json

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")
bp.before_request(require_json)


def require_administrator() -> None:
    """403 with the stable code not_an_administrator for anyone who administers nothing."""
    with database().read() as conn:
        admin.administrator(conn, g.user)


def _user(username: str) -> admin_users.UserView:
    """An account this administrator manages (404 for any other: whether it exists is not told)."""
    found = next((u for u in admin_users.list_users(database(), g.user) if u.username == username), None)
    if found is None:
        raise NotFound.of("user_not_found", user=username.replace("\x00", ""))
    return found


def _role(code: str) -> admin.RoleView:
    found = next((r for r in admin.list_roles(database(), include_retired=True) if r.code == code), None)
    if found is None:
        raise NotFound.of("role_not_found", role=code.replace("\x00", ""))
    return found


@bp.get("/roles")
@login_required
def list_roles() -> ResponseReturnValue:
    """Every role with how many hold it (?retired=1: the retired ones too)."""
    require_administrator()
    rows = admin.list_roles(database(), include_retired=request.args.get("retired") == "1")
    return jsonify(s.RoleSchema(many=True).dump(rows))


@bp.post("/roles")
@login_required
def add_role() -> ResponseReturnValue:
    """Add a role."""
    body = load_body(s.RoleInSchema())
    admin.add_role(database(), g.user, body["code"].strip(), body["name"], body["kind"], clock())
    return jsonify(s.RoleSchema().dump(_role(body["code"].strip()))), 201


@bp.post("/roles/<code>/rename")
@login_required
def rename_role(code: str) -> ResponseReturnValue:
    """Change a role's name (its code stays)."""
    body = load_body(s.NameSchema())
    admin.rename_role(database(), g.user, code, body["name"], clock())
    return jsonify(s.RoleSchema().dump(_role(code)))


@bp.post("/roles/<code>/retire")
@login_required
def retire_role(code: str) -> ResponseReturnValue:
    """Retire a role (409 while a procedure in force or a holder uses it)."""
    admin.retire_role(database(), g.user, code, clock())
    return jsonify(s.RoleSchema().dump(_role(code)))


@bp.get("/users")
@login_required
def list_users() -> ResponseReturnValue:
    """The accounts this administrator manages (?active=1: only active ones)."""
    rows = admin_users.list_users(database(), g.user, include_inactive=request.args.get("active") != "1")
    return jsonify(s.UserSchema(many=True).dump(rows))


@bp.post("/users")
@login_required
def create_user() -> ResponseReturnValue:
    """Create an account; the answer carries its temporary password, once."""
    body = load_body(s.UserInSchema())
    made = admin_users.create_user(database(), g.user, body["username"], body["full_name"], clock(), body["email"],
                                   body["phone"])
    return jsonify(s.PasswordGivenSchema().dump(made)), 201


@bp.get("/users/<username>")
@login_required
def get_user(username: str) -> ResponseReturnValue:
    """One account with its roles."""
    require_administrator()
    return jsonify(s.UserSchema().dump(_user(username)))


@bp.patch("/users/<username>")
@login_required
def edit_user(username: str) -> ResponseReturnValue:
    """Change full name, email or phone (only the fields sent)."""
    body = load_body(s.UserEditSchema())
    admin_users.edit_user(database(), g.user, username, clock(), body.get("full_name"),
                          "" if "email" in body and body["email"] is None else body.get("email"),
                          "" if "phone" in body and body["phone"] is None else body.get("phone"))
    return jsonify(s.UserSchema().dump(_user(username)))


@bp.post("/users/<username>/deactivate")
@login_required
def deactivate(username: str) -> ResponseReturnValue:
    """Deactivate an account: its sessions end, its tokens stop (409 while it holds claimed steps)."""
    admin_users.deactivate(database(), g.user, username, clock())
    return jsonify(s.UserSchema().dump(_user(username)))


@bp.post("/users/<username>/reactivate")
@login_required
def reactivate(username: str) -> ResponseReturnValue:
    """Let a deactivated account log in again."""
    admin_users.reactivate(database(), g.user, username, clock())
    return jsonify(s.UserSchema().dump(_user(username)))


@bp.post("/users/<username>/reset-password")
@login_required
def reset_password(username: str) -> ResponseReturnValue:
    """A temporary password the owner must change at the next login; their sessions end."""
    password = admin_users.reset_password(database(), g.user, username, clock())
    return jsonify(s.PasswordGivenSchema().dump({"username": username, "temporary_password": password}))


@bp.post("/memberships")
@login_required
def grant() -> ResponseReturnValue:
    """Give an account a role in a unit (`changed` false when it was held already: nothing written)."""
    body = load_body(s.MembershipInSchema())
    created = admin.grant(database(), g.user, body["username"], body["role"], body["unit"], clock())
    return jsonify(s.MembershipSchema().dump({**body, "changed": created}))


@bp.post("/memberships/revoke")
@login_required
def revoke() -> ResponseReturnValue:
    """Take a role in a unit away (409 while a claimed step needs it)."""
    body = load_body(s.MembershipInSchema())
    admin.revoke(database(), g.user, body["username"], body["role"], body["unit"], clock())
    return jsonify(s.MembershipSchema().dump({**body, "changed": True}))


@bp.get("/units")
@login_required
def unit_tree() -> ResponseReturnValue:
    """The units this administrator manages, parents before children, with each role's holders."""
    return jsonify(s.UnitEntrySchema(many=True).dump(admin_views.unit_tree(database(), g.user)))


@bp.get("/delegations")
@login_required
def delegations() -> ResponseReturnValue:
    """Delegations in force and upcoming of people in these units (?all=1: ended and revoked ones too)."""
    rows = admin_views.delegations(database(), g.user, substitutes.today(clock()), request.args.get("all") == "1")
    return jsonify(s.DelegationSchema(many=True).dump(rows))
