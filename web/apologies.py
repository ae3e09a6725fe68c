"""Late dossiers: the officer asks for an apology with a new date; the head of the unit signs or declines it."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.field_errors import FieldError
from processes import apology, dossiers, queries
from processes.errors import InvalidInput

from .auth import login_required
from .context import clock, database
from .labels import VN
from .permissions import case_of

bp = Blueprint("apologies", __name__)


def _day_end(text: str | None, field: str) -> dt.datetime | None:
    """A date typed on a form as the end of that office day (17:00 Vietnam time)."""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("Ngày không hợp lệ."), {field: FieldError("date")}) from None
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=VN).astimezone(dt.UTC)


@bp.post("/dossiers/<code>/apology")
@login_required
def request_apology(code: str) -> ResponseReturnValue:
    """Ask the head of the handling unit to sign an apology and a new appointment date."""
    case_of(code)
    apology.request(database(), code, g.user, clock(), request.form.get("reason", ""),
                    _day_end(request.form.get("proposed_on"), "proposed_on"))
    flash(_("Đã gửi đề nghị ký thư xin lỗi đến lãnh đạo đơn vị."), "success")
    return redirect(url_for("dossiers.show", code=code, _anchor="xin-loi"))


@bp.get("/apologies")
@login_required
def pending() -> ResponseReturnValue:
    """Apologies waiting for my signature."""
    return render_template("officer/apologies.html", items=apology.pending_for(database(), g.user))


@bp.get("/apologies/<int:apology_id>")
@login_required
def show(apology_id: int) -> ResponseReturnValue:
    """One apology request with the sign / decline forms."""
    found = apology.get(database(), apology_id)
    case_of(found.instance_id)
    view = dossiers.get(database(), found.instance_id, clock())
    names = queries.full_names(database(), {n for n in (found.requested_by, found.decided_by) if n})
    return render_template("officer/apology.html", a=found, dossier=view, names=names)


@bp.post("/apologies/<int:apology_id>/sign")
@login_required
def sign(apology_id: int) -> ResponseReturnValue:
    """Sign: the dossier's appointment moves to the new date (once per dossier)."""
    done = apology.sign(database(), apology_id, g.user, clock(), _day_end(request.form.get("new_on"), "new_on"))
    flash(_("Đã ký thư xin lỗi; ngày hẹn trả mới đã được cập nhật."), "success")
    return redirect(url_for("dossiers.show", code=done.dossier))


@bp.post("/apologies/<int:apology_id>/dismiss")
@login_required
def dismiss(apology_id: int) -> ResponseReturnValue:
    """Decline the request."""
    done = apology.dismiss(database(), apology_id, g.user, clock(), request.form.get("note", ""))
    flash(_("Đã không chấp thuận đề nghị."), "success")
    return redirect(url_for("dossiers.show", code=done.dossier))
