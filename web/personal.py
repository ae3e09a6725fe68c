"""The user's own pages: substitutes (ủy quyền) and notifications."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import mail_outbox, notifications, queries, substitutes
from processes.errors import InvalidInput

from .auth import login_required
from .context import clock, database
from .error_text import error_message
from .request_args import MAX_ID, form_date

bp = Blueprint("personal", __name__)


def _substitutes_page(errors: dict | None = None, values=None, status: int = 200):
    items = substitutes.of_user(database(), g.user)
    people = {s.username for s in items} | {s.substitute for s in items}
    return render_template("officer/substitutes.html", items=items, names=queries.full_names(database(), people),
                           colleagues=substitutes.colleagues(database(), g.user),  # picked by full name
                           errors=errors or {}, values=values or {}, today=substitutes.today(clock())), status


@bp.get("/substitutes")
@login_required
def substitutes_page() -> ResponseReturnValue:
    """My delegations: who stands in for me, for whom I stand in."""
    return _substitutes_page()


@bp.post("/substitutes")
@login_required
def add_substitute() -> ResponseReturnValue:
    """Name a substitute for a date range (for myself, or, as a leader, for someone in my unit)."""
    form = request.form
    try:
        substitutes.set_substitute(database(), (form.get("username") or g.user).strip(),
                                   (form.get("substitute") or "").strip(), form_date(form, "starts_on"),
                                   form_date(form, "ends_on"), g.user, clock(), form.get("reason", ""))
    except InvalidInput as exc:
        return _substitutes_page(exc.errors or {"_": error_message(exc)}, form, 422)
    flash(_("Đã ghi nhận ủy quyền."), "success")
    return redirect(url_for("personal.substitutes_page"))


@bp.post("/substitutes/<int:substitution_id>/revoke")
@login_required
def revoke_substitute(substitution_id: int) -> ResponseReturnValue:
    """End a delegation early."""
    substitutes.revoke(database(), substitution_id, g.user, clock())
    flash(_("Đã thu hồi ủy quyền."), "success")
    return redirect(url_for("personal.substitutes_page"))


@bp.get("/notifications")
@login_required
def notifications_page() -> ResponseReturnValue:
    """My notifications, newest first."""
    unread_only = request.args.get("unread") == "1"
    items = notifications.inbox(database(), g.user, unread_only=unread_only, limit=200)
    return render_template("officer/notifications.html", items=items, unread_only=unread_only,
                           mode=mail_outbox.mode_of(database(), g.user))


@bp.post("/notifications/mode")
@login_required
def mail_mode() -> ResponseReturnValue:
    """Choose e-mail for each notification at once, or one digest a day."""
    mode = request.form.get("mode", "")
    if mode in mail_outbox.MODES:
        mail_outbox.set_mode(database(), g.user, mode)
        flash(_("Đã lưu cách nhận thư thông báo."), "success")
    return redirect(url_for("personal.notifications_page"))


@bp.post("/notifications/read")
@login_required
def mark_read() -> ResponseReturnValue:
    """Mark notifications read (the ones ticked, or all shown)."""
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit() and int(i) <= MAX_ID]  # larger: no such id
    if not ids and request.form.get("all"):
        ids = [n["id"] for n in notifications.inbox(database(), g.user, unread_only=True, limit=1000)]
    notifications.mark_read(database(), g.user, ids, clock())
    return redirect(url_for("personal.notifications_page"))
