"""Marshmallow schemas of the administration API (web/api/admin_api.py, admin_records_api.py).

They dump the views of processes/admin*.py, tokens.py and staff_import.py as they are; bodies are loaded here
with the limits of the use cases (longer texts are refused by the use case in Vietnamese, not cut silently).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from processes.organisation import ROLE_KINDS


class RoleSchema(Schema):
    """A role with how many active accounts hold it."""

    code = fields.String(required=True)
    name = fields.String()
    kind = fields.String(metadata={"enum": list(ROLE_KINDS)})
    retired = fields.Boolean()
    holders = fields.Integer()


class RoleInSchema(Schema):
    """Body of a new role (procedures' lanes name its code)."""

    code = fields.String(required=True, validate=validate.Length(max=60))
    name = fields.String(required=True, validate=validate.Length(max=300))
    kind = fields.String(load_default="officer", validate=validate.OneOf(ROLE_KINDS))


class NameSchema(Schema):
    """Body of a rename."""

    name = fields.String(required=True, validate=validate.Length(max=300))


class HeldRoleSchema(Schema):
    """One role an account holds, in a unit."""

    role = fields.String()
    unit = fields.String()


class UserSchema(Schema):
    """An account as its administrator sees it."""

    username = fields.String(required=True)
    full_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    roles = fields.Method("held", metadata={"type": "array", "items": {"$ref": "#/components/schemas/HeldRole"}})

    def held(self, user: Any) -> list[dict[str, str]]:
        return [dict(zip(("role", "unit"), r.split("@", 1), strict=True)) for r in user.roles]


class UserInSchema(Schema):
    """Body of a new account (its temporary password is in the answer, once)."""

    username = fields.String(required=True, validate=validate.Length(max=80))
    full_name = fields.String(required=True, validate=validate.Length(max=300))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class UserEditSchema(Schema):
    """Body of an edit: only the fields sent change ("" clears email or phone)."""

    full_name = fields.String(validate=validate.Length(max=300))
    email = fields.String(allow_none=True, validate=validate.Length(max=300))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))


class PasswordGivenSchema(Schema):
    """A temporary password to hand to the account's owner, who must change it at the next login."""

    username = fields.String(required=True)
    temporary_password = fields.String(required=True)


class MembershipInSchema(Schema):
    """Body of a grant or a revocation: who, which role, in which unit (by code)."""

    username = fields.String(required=True, validate=validate.Length(max=80))
    role = fields.String(required=True, validate=validate.Length(max=60))
    unit = fields.String(required=True, validate=validate.Length(max=40))


class MembershipSchema(Schema):
    """A membership granted or revoked; `changed` is false when a grant found it held already."""

    username = fields.String(required=True)
    role = fields.String(required=True)
    unit = fields.String(required=True)
    changed = fields.Boolean(required=True)


class TokenSchema(Schema):
    """An API token's listing (never the token itself)."""

    id = fields.Integer(required=True)
    username = fields.String()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked = fields.Boolean()


class TokenInSchema(Schema):
    """Body of an administrator's token issue."""

    username = fields.String(required=True, validate=validate.Length(max=80))
    name = fields.String(load_default="", validate=validate.Length(max=100))
    days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))


class IssuedTokenSchema(Schema):
    """A new token: its clear text is shown this once."""

    token = fields.String(required=True)
    listing = fields.Nested(TokenSchema, required=True)


class RevokedSchema(Schema):
    """A revocation: `changed` is false when the token was revoked already."""

    id = fields.Integer(required=True)
    changed = fields.Boolean(required=True)


class PasswordChangeSchema(Schema):
    """Body of one's own password change."""

    current = fields.String(required=True, validate=validate.Length(max=1000))
    new = fields.String(required=True, validate=validate.Length(max=1000))


class StaffFileSchema(Schema):
    """A staff list (XLSX or CSV) sent inside JSON."""

    filename = fields.String(required=True, validate=validate.Length(max=300))
    content_base64 = fields.String(required=True)


class RowProblemSchema(Schema):
    """One wrong cell: the row number as the spreadsheet shows it, a stable code, the Vietnamese text."""

    row = fields.Integer()
    code = fields.String()
    message = fields.String()


class ChangeSchema(Schema):
    """The contact details an import changes for an existing account."""

    username = fields.String()
    changes = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))


class GrantSchema(Schema):
    """A role an import grants."""

    username = fields.String()
    role = fields.String()
    unit = fields.String()


class StaffPlanSchema(Schema):
    """What an import would do (preview) or did (applied: with the new accounts' temporary passwords)."""

    applied = fields.Boolean()
    create = fields.List(fields.String())
    update = fields.List(fields.Nested(ChangeSchema))
    grant = fields.List(fields.Nested(GrantSchema))
    unchanged = fields.Integer()
    problems = fields.List(fields.Nested(RowProblemSchema))
    created = fields.List(fields.Nested(PasswordGivenSchema))


class AdminEventSchema(Schema):
    """One administrative action of the hash-chained administration log."""

    seq = fields.Integer(required=True)
    action = fields.String()
    target = fields.String()
    actor = fields.String(allow_none=True)
    at = fields.DateTime()
    payload = fields.Dict(metadata={"description": "what changed, as logged (units: the unit paths touched)"})


class HolderSchema(Schema):
    """Someone holding a role in a unit."""

    username = fields.String()
    full_name = fields.String()
    role_code = fields.String()
    role_name = fields.String()
    active = fields.Boolean()


class UnitEntrySchema(Schema):
    """A unit of the administrator's tree, parents before children."""

    code = fields.String(required=True)
    name = fields.String()
    kind = fields.String()
    parent = fields.String(allow_none=True)
    depth = fields.Integer()
    holders = fields.List(fields.Nested(HolderSchema))


class DelegationSchema(Schema):
    """A delegation (ủy quyền) of someone in the administrator's units."""

    id = fields.Integer(required=True)
    username = fields.String()
    full_name = fields.String()
    substitute = fields.String()
    substitute_name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    reason = fields.String()
    created_by = fields.String()
    state = fields.String(metadata={"enum": ["current", "upcoming", "ended", "revoked"]})


SCHEMAS: dict[str, type[Schema]] = {
    "Role": RoleSchema, "RoleIn": RoleInSchema, "Name": NameSchema, "HeldRole": HeldRoleSchema, "User": UserSchema,
    "UserIn": UserInSchema, "UserEdit": UserEditSchema, "PasswordGiven": PasswordGivenSchema,
    "MembershipIn": MembershipInSchema, "Membership": MembershipSchema, "Token": TokenSchema, "TokenIn": TokenInSchema,
    "IssuedToken": IssuedTokenSchema, "Revoked": RevokedSchema, "PasswordChange": PasswordChangeSchema,
    "StaffFile": StaffFileSchema, "RowProblem": RowProblemSchema, "Change": ChangeSchema, "Grant": GrantSchema,
    "StaffPlan": StaffPlanSchema, "AdminEvent": AdminEventSchema, "Holder": HolderSchema, "UnitEntry": UnitEntrySchema,
    "Delegation": DelegationSchema,
}
