"""The citizen's JSON API (no login): look a dossier up with code and ID number; rate it once it is done."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import public, ratings
from processes.errors import NotFound

from ..context import clock, database
from ..extensions import LOOKUP
from . import public_schemas as s
from .bodies import load_body, require_json

bp = Blueprint("public_api", __name__, url_prefix="/api/public")
bp.before_request(require_json)


@bp.post("/lookup")
@LOOKUP
def lookup() -> ResponseReturnValue:
    """The dossier's public view; the same 404 whether the code is unknown or the ID number wrong."""
    body = load_body(s.LookupSchema())
    found = public.lookup(database(), body["code"], body["id_number"], clock())
    if found is None:
        raise NotFound(_("Không tìm thấy hồ sơ với mã hồ sơ và số giấy tờ đã nhập. Vui lòng kiểm tra lại."))
    return jsonify(s.PublicDossierSchema().dump(found))


@bp.post("/rating")
@LOOKUP
def rate() -> ResponseReturnValue:
    """Rate a finished dossier (once per dossier)."""
    body = load_body(s.RatingSchema())
    try:
        rating_id = ratings.rate(database(), body["code"], body["id_number"], body["score"], body["comment"], clock())
    except NotFound:
        raise NotFound(_("Không tìm thấy hồ sơ với mã hồ sơ và số giấy tờ đã nhập. Vui lòng kiểm tra lại.")) from None
    return jsonify(id=rating_id, score=body["score"]), 201
