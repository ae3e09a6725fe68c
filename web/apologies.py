"""Late dossiers: the officer asks for an apology with a new date; the head of the unit signs or declines it."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import apology, dossiers, queries

from .auth import login_required
from .context import clock, database
from .permissions import case_of
from .request_args import office_day_end

bp = Blueprint("apologies", __name__)


@bp.post("/dossiers/<code>/apology")
@login_required
def request_apology(code: str) -> ResponseReturnValue:
    """Ask the head of the handling unit to sign an apology and a new appointment date."""
    case_of(code)
    apology.request(database(), code, g.user, clock(), request.form.get("reason", ""),
                    office_day_end(request.form, "proposed_on"))
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
    done = apology.sign(database(), apology_id, g.user, clock(), office_day_end(request.form, "new_on"))
    flash(_("Đã ký thư xin lỗi; ngày hẹn trả mới đã được cập nhật."), "success")
    return redirect(url_for("dossiers.show", code=done.dossier))


@bp.post("/apologies/<int:apology_id>/dismiss")
@login_required
def dismiss(apology_id: int) -> ResponseReturnValue:
    """Decline the request."""
    done = apology.dismiss(database(), apology_id, g.user, clock(), request.form.get("note", ""))
    flash(_("Đã không chấp thuận đề nghị."), "success")
    return redirect(url_for("dossiers.show", code=done.dossier))
