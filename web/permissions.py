"""Who may see what, for pages and the JSON API alike: role checks on the current user and case visibility.

The checks that decide (may this actor see this case, receive this dossier…) live in processes/;
here they are asked about the request's user, in one place both the pages and the API import.
"""

from __future__ import annotations

from flask import abort, g

from processes import dossiers, procedures, reception
from processes.access import check_may_see
from processes.errors import NotFound
from processes.lookup import find_instance

from .auth import memberships
from .context import clock, database

COUNTER_ROLES = ("mot_cua",)
DASHBOARD_KINDS = ("leader", "admin", "quality", "auditor")
AUDIT_READERS = ("auditor", "quality", "leader", "admin")
PROCEDURE_READERS = ("quality", "admin", "leader")


def role_kinds() -> set[str]:
    """The kinds of role the user holds (leader, quality, officer…)."""
    return {m.role_kind for m in memberships()}


def is_counter() -> bool:
    """True when the user works at a one-stop counter."""
    return any(m.role in COUNTER_ROLES for m in memberships())


def may_see_dashboard() -> bool:
    """True for leaders, quality managers, auditors and administrators."""
    return bool(role_kinds() & set(DASHBOARD_KINDS))


def may_read_audits() -> bool:
    """True for auditors, quality managers, leaders and administrators (nobody writes audits)."""
    return bool(role_kinds() & set(AUDIT_READERS))


def may_edit_procedures() -> bool:
    """Only the quality manager (ISO secretary) and administrators save procedures."""
    return bool(role_kinds() & set(procedures.EDITOR_KINDS))


def case_of(ref: str | int) -> int:
    """The case id of a dossier code or case id, after checking the user may see it."""
    db = database()
    with db.read() as conn:
        try:
            instance_id = dossiers.find(conn, ref).instance_id
        except NotFound:
            instance_id = find_instance(db, ref).id
        check_may_see(conn, g.user, instance_id, clock().now())
    return instance_id


def visible_reception(ref: str) -> reception.ReceptionView:
    """A counter record the user may see: its dossier's case, or a slip they issued or oversee (403 otherwise)."""
    view = reception.get(database(), ref)
    if view.instance_id is not None:
        case_of(view.instance_id)
    elif not reception.may_see_slip(database(), view, g.user):
        abort(403)
    return view
