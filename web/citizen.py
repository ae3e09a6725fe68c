"""Citizen pages (no login): look a dossier up by code and ID number, or from the receipt's QR code; rate it.

Both the code and the ID number are needed, and the answer is the same whether the code exists or not.
Lookups are rate limited per client address (CITIZEN_LOOKUP_LIMIT, default 10 per minute).
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import public, ratings
from processes.errors import ConflictError, InvalidInput, NotFound

from .context import clock, database
from .extensions import LOOKUP

bp = Blueprint("citizen", __name__)
SESSION_KEY = "tra_cuu"  # the codes this browser proved it may see (code + ID number), for the rating


def _not_found_message() -> str:
    return _("Không tìm thấy hồ sơ với mã hồ sơ và số giấy tờ đã nhập. Vui lòng kiểm tra lại.")


@bp.get("/tra-cuu")
def lookup() -> ResponseReturnValue:
    """The lookup form; `?ma=CODE` (the receipt's QR code) fills the code and asks for the ID number."""
    code = public.normalise_code(request.args.get("ma"))
    return render_template("citizen/lookup.html", code=code, error=None, result=None)


@bp.post("/tra-cuu")
@LOOKUP
def lookup_post() -> ResponseReturnValue:
    """Show the dossier when the code and the ID number match; the same message otherwise."""
    code = public.normalise_code(request.form.get("ma"))
    id_number = (request.form.get("so_giay_to") or "").strip()[:40]
    if not code or not id_number:
        return render_template("citizen/lookup.html", code=code, result=None,
                               error=_("Vui lòng nhập cả mã hồ sơ và số giấy tờ của người nộp.")), 400
    found = public.lookup(database(), code, id_number, clock())
    if found is None:
        return render_template("citizen/lookup.html", code=code, result=None, error=_not_found_message()), 404
    seen = [c for c in session.get(SESSION_KEY, []) if c != found.code][-9:]
    session[SESSION_KEY] = [*seen, found.code]
    return render_template("citizen/lookup.html", code=code, result=found, error=None)


@bp.post("/tra-cuu/danh-gia")
@LOOKUP
def rate() -> ResponseReturnValue:
    """Rate a finished dossier (once); only from a browser that just looked it up with its ID number."""
    code = public.normalise_code(request.form.get("ma"))
    id_number = (request.form.get("so_giay_to") or "").strip()[:40]
    if code not in session.get(SESSION_KEY, []):
        return render_template("citizen/lookup.html", code=code, result=None, error=_not_found_message()), 404
    try:
        score = int(request.form.get("muc_do") or 0)
        ratings.rate(database(), code, id_number, score, request.form.get("y_kien", ""), clock())
    except (ValueError, InvalidInput):
        flash(_("Vui lòng chọn một mức độ hài lòng."), "error")
    except NotFound:
        return render_template("citizen/lookup.html", code=code, result=None, error=_not_found_message()), 404
    except ConflictError:
        flash(_("Hồ sơ này đã được đánh giá hoặc chưa giải quyết xong."), "error")
    else:
        flash(_("Cảm ơn ông/bà đã đánh giá chất lượng phục vụ."), "success")
    found = public.lookup(database(), code, id_number, clock())
    return render_template("citizen/lookup.html", code=code, result=found, error=None if found else
                           _not_found_message()), 200 if found else 404
