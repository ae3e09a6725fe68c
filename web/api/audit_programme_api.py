"""JSON twin of the internal audit programme pages (web/audit_programme.py): the same use cases and views."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request
from flask.typing import ResponseReturnValue

from audits import programme, programme_views
from processes.keys import VN

from ..auth import login_required
from ..context import clock, database
from ..permissions import may_read_audits
from . import audit_schemas as s
from .bodies import load_body, require_json

bp = Blueprint("audit_programme_api", __name__, url_prefix="/api/audit/programme")
bp.before_request(require_json)


@bp.before_request
@login_required
def only_readers() -> None:
    """Those who read audits; the use cases check who may write."""
    if not may_read_audits():
        abort(403)


@bp.get("")
def programme_of() -> ResponseReturnValue:
    """The year's plans and which units they covered (?year=, this year by default)."""
    db = database()
    year = request.args.get("year", type=int) or clock().now().astimezone(VN).year
    return jsonify(s.ProgrammeSchema().dump({"year": year, "plans": programme.list_plans(db, year),
                                             "coverage": programme_views.coverage(db, year)}))


@bp.post("")
def plan() -> ResponseReturnValue:
    """Plan an audit (independence checked) and draw its sample; 201."""
    db = database()
    if not programme_views.may_plan(db, g.user):
        abort(403)
    body = load_body(s.PlanInSchema())
    made = programme.plan_audit(db, body["unit"], body["period"], body["auditors"], g.user, clock(),
                                body["procedures"] or None, body["objective"], body["planned_from"],
                                body["planned_to"])
    programme.draw_sample(db, made.id)
    return jsonify(s.PlanViewSchema().dump(programme_views.plan_view(db, made.id))), 201


@bp.get("/<code>")
def show(code: str) -> ResponseReturnValue:
    """One audit with its sample, checklist and findings."""
    return jsonify(s.PlanViewSchema().dump(programme_views.plan_view(database(), code)))


@bp.post("/<code>/answers")
def answer(code: str) -> ResponseReturnValue:
    """Answer one checklist item (a member of the team)."""
    body = load_body(s.AnswerInSchema())
    db = database()
    programme.answer(db, code, body["procedure"], body["item_no"], body["answer"], g.user, body["note"],
                     body["evidence"])
    item = next(i for i in programme.checklist(db, code)
                if i["procedure"] == body["procedure"] and i["item_no"] == body["item_no"])
    return jsonify(s.ChecklistItemSchema().dump(item))


@bp.post("/<code>/findings")
def finding(code: str) -> ResponseReturnValue:
    """Record a finding; a nonconformity starts its corrective-action case in the same transaction; 201."""
    body = load_body(s.FindingInSchema())
    made = programme.record_finding(database(), code, body["kind"], body["statement"], g.user, clock(),
                                    body["clause"], body["procedure"], body["evidence"])
    return jsonify(s.FindingMadeSchema().dump(made)), 201


@bp.post("/<code>/close")
def close(code: str) -> ResponseReturnValue:
    """Close the audit once every checklist item is answered."""
    db = database()
    programme.close_plan(db, code, g.user)
    return jsonify(s.PlanSchema().dump(programme.get_plan(db, code)))
