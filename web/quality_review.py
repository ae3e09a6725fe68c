"""The reviewer's and the approver's page for a procedure version under approval (QT-ISO-01).

An approval case is internal: it has no citizen, no receipt and no dossier papers, so the generic step
page (web/officer.py) is the wrong place for it. A step of an approval case opened from the inbox comes
here instead: which procedure and which issue is under review, the draft read-only in the modeler, the
diff against the version in force, the ISO document approval would issue, and the decision form.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import approval_signing, approval_views, signer_keys, tasks, version_views
from processes.errors import ServiceError
from processes.instances import Moved
from processes.lint import LintFailed
from processes.queries import full_names
from processes.view_schemas import VersionDiffSchema

from .auth import login_required
from .context import attachments_root, clock, database
from .error_text import error_message
from .problem_text import error_fields
from .request_args import form_values
from .ui import ui_fields

bp = Blueprint("quality_review", __name__, url_prefix="/quality/review")


@bp.before_app_request
def _approval_steps_open_here() -> ResponseReturnValue | None:
    """The inbox links every step to officer.task; a step of an approval case is shown on this page."""
    if request.method != "GET" or request.endpoint != "officer.task" or not request.view_args:
        return None
    found = approval_views.review_task(database(), str(request.view_args.get("task_id")))
    return redirect(url_for("quality_review.show", task_id=found.task_id)) if found else None


@bp.app_template_global()
def approval_signing_for(task_id: str) -> dict[str, Any] | None:
    """For a step whose approval signs the ISO document: the user's stored key (None: not stored yet) and the
    title over his signature block; None for another step."""
    db = database()
    if not approval_signing.signs_on_some_outcome(db, task_id):
        return None
    try:
        stored = signer_keys.stored(g.user)
    except ServiceError:  # sealed under another installation's key: the personal page says so
        stored = None
    return {"title": approval_signing.default_title(db, task_id, g.user), "key": stored}


def complete(task_id: str, data: dict[str, Any]) -> Moved:
    """Complete an approval step from a form; approving signs the ISO document with the user's stored key,
    opened with the password typed in the form (used for this signing only, never kept)."""
    return approval_signing.decide_with_stored_key(database(), attachments_root(), task_id, data, g.user, clock(),
                                                   password=request.form.get("signing_password", ""),
                                                   title=request.form.get("signing_title", ""))


@bp.get("/<task_id>")
@login_required
def show(task_id: str) -> ResponseReturnValue:
    """What the reviewer (or approver, or the drafter after a send-back) sees and decides."""
    db = database()
    found = approval_views.review_task(db, task_id)
    if found is None:
        abort(404)
    detail = tasks.task_detail(db, task_id)
    mine = any(t.id == task_id for t in tasks.list_tasks(db, user=g.user))
    changes = None
    if found.in_force is not None and found.in_force != found.version:
        changes = VersionDiffSchema().dump(version_views.diff(db, found.code, found.in_force, found.version))
    notes = approval_views.notes(db, found.code, found.version)
    names = full_names(db, {n.by for n in notes} | {found.drafted_by or ""} - {""})
    return render_template(
        "quality/review.html", review=found, detail=detail, mine=mine, fields=ui_fields(detail.get("form")),
        changes=changes, notes=notes, names=names, signers=approval_views.signers(db),
        meta={"code": found.code}, source=found.in_force, target=found.version)


@bp.post("/<task_id>")
@login_required
def decide(task_id: str) -> ResponseReturnValue:
    """Record the decision (approve, send back with comments, submit again); back to the inbox."""
    db = database()
    found = approval_views.review_task(db, task_id)
    if found is None:
        abort(404)
    detail = tasks.task_detail(db, task_id)
    data = form_values(ui_fields(detail.get("form")), request.form)
    try:
        complete(task_id, data)
    except LintFailed as exc:  # the drafter submits again a draft that still has errors
        errors = error_fields(exc.problems)
        flash(_("Dự thảo còn %(n)d lỗi, chưa thể trình: %(first)s", n=len(errors),
                first=next(iter(errors.values()), "")), "error")
        return redirect(url_for("quality_review.show", task_id=task_id))
    except ServiceError as exc:
        flash(error_message(exc), "error")
        return redirect(url_for("quality_review.show", task_id=task_id))
    flash(_("Đã ghi nhận ý kiến."), "ok")
    return redirect(url_for("quality.procedure", code=found.code, v=found.version))
