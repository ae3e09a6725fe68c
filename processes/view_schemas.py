"""Marshmallow schemas of views that several layers print as JSON, and fields the views share.

The engine stays free of marshmallow, so the one JSON shape of its views (lint findings, version diffs) lives
here, the lowest layer that serialises them: processes (LintFailed, problems_of), the quality pages and the
JSON API all dump through it. A moved case (instances.Moved) is printed by both the JSON API and the CLI.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


class FindingSchema(Schema):
    """One validator or design-lint finding (engine.findings.Finding), at the element it is about."""

    element_id = fields.String(allow_none=True)
    message = fields.String(required=True)
    severity = fields.String(required=True, metadata={"enum": ["error", "warning"]})
    code = fields.String(metadata={"description": "stable code of the rule (engine: a validator problem)"})
    params = fields.Dict(keys=fields.String(), metadata={
        "description": "the values the message names; params.rule is the exact check when a code covers several"})


class ChangedSchema(Schema):
    """An element present in both versions, with what changed."""

    element_id = fields.String()
    what = fields.List(fields.String())
    name = fields.String()
    details = fields.Dict()


class _Changes(fields.List):
    """VersionDiff.changed (element id -> aspects) as a list of ChangedSchema items, in the diff's order.

    The engine keeps the changes keyed by element id, which is what drawing the diff needs; JSON clients
    want a list with each element's name and before/after details, read from the diff's other mappings.
    """

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[Any] | None:
        if value is None:
            return None
        rows = [{"element_id": eid, "what": list(what), "name": obj.names.get(eid, eid),
                 "details": obj.details.get(eid, {})} for eid, what in value.items()]
        return super()._serialize(rows, attr, obj, **kwargs)


class VersionDiffSchema(Schema):
    """Elements added, removed and changed between two versions (engine.versiondiff.VersionDiff)."""

    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = _Changes(fields.Nested(ChangedSchema))
    names = fields.Dict(keys=fields.String(), values=fields.String())


class Share(fields.Float):
    """A share 0–1 (a rate), rounded to 4 places: a percentage to two decimals, without float noise in JSON."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(None if value is None else round(float(value), 4), attr, obj, **kwargs)


class OpenedStepSchema(Schema):
    """A step that became ready (engine.runner.ReadyStep)."""

    id = fields.String(attribute="task_id")
    element_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due = fields.String(allow_none=True)


class MovedSchema(Schema):
    """Where a case is after a start or a completion (processes.instances.Moved)."""

    instance = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    status = fields.String()
    end_event = fields.String(allow_none=True)
    opened = fields.List(fields.Nested(OpenedStepSchema))


# ---- administration (processes/admin.py, admin_users.py, adminlog.py, tokens.py): the CLI and the pages ----

class RoleViewSchema(Schema):
    """A role with how many active users hold it (processes.admin.RoleView)."""

    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": ["officer", "leader", "admin", "auditor", "quality"]})
    retired = fields.Boolean()
    holders = fields.Integer()


class UserViewSchema(Schema):
    """An account as an administrator lists it (processes.admin_users.UserView); roles as role@UNIT."""

    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    roles = fields.List(fields.String())


class AdminEventSchema(Schema):
    """One row of the administration log (processes.adminlog.AdminEvent)."""

    seq = fields.Integer()
    action = fields.String()
    target = fields.String()
    actor = fields.String(allow_none=True)
    at = fields.DateTime()
    payload = fields.Dict()


class TokenViewSchema(Schema):
    """An API token without its secret (processes.tokens.TokenView)."""

    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked = fields.Boolean()
