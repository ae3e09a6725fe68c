"""The internal audit programme in the browser (ISO 9001:2015 clause 9.2): the year's coverage of units, planning
an audit, its drawn sample, answering the checklist with evidence, findings (a nonconformity starts its CAPA case),
closing the plan, and the plan, checklist and report as PDF/DOCX (ISO 19011:2018 structure).

Anyone who reads audits sees the pages; the auditors and the ISO secretary plan; only the plan's team answers,
records findings and closes it (audits.programme checks that, this module only says it in Vietnamese).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from audits import programme, programme_views
from audits.programme import NotIndependent
from documents.audit_documents import render_audit_document
from processes.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from processes.keys import VN

from .auth import login_required
from .context import clock, database
from .error_text import error_message
from .i18n import N_
from .permissions import may_read_audits

bp = Blueprint("audit_programme", __name__, url_prefix="/audit/programme")

MIMETYPES = {"pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# The programme's use cases raise uncoded errors; what each field's complaint means, in Vietnamese.
FIELD_TEXTS = {
    "procedures": N_("Không có quy trình nào để đánh giá tại đơn vị này trong kỳ đã chọn; hãy chọn quy trình."),
    "checklist": N_("Còn %(n)s nội dung kiểm tra chưa trả lời; trả lời hết trước khi kết thúc đợt đánh giá."),
    "statement": N_("Ghi nội dung phát hiện (ít nhất 5 ký tự)."),
    "plan": N_("Đợt đánh giá đã kết thúc, không sửa được nữa."),
    "auditors": N_("Chọn ít nhất một chuyên gia đánh giá."),
    "kind": N_("Chọn loại phát hiện."),
}


@bp.before_request
@login_required
def only_readers() -> None:
    """The programme is read by those who read audits (auditors, quality managers, leaders, administrators)."""
    if not may_read_audits():
        abort(403)


def _attempt(action, success: str) -> bool:
    """Run a use case; say how it went in Vietnamese."""
    try:
        action()
    except NotIndependent as exc:
        flash(_("Chuyên gia %(who)s không được đánh giá đơn vị này: họ làm việc tại đơn vị được đánh giá hoặc "
                "trong cùng dòng quản lý (TCVN ISO 9001:2015, 9.2.2 c — không tự đánh giá công việc của mình).",
                who=exc.errors.get("auditors", "")), "error")
        return False
    except PermissionDenied as exc:
        flash(_("Bạn không thuộc đoàn đánh giá của đợt này.") if exc.code is None else error_message(exc), "error")
        return False
    except InvalidInput as exc:
        if exc.code is None and exc.errors:
            key, value = next(iter(exc.errors.items()))
            flash(_(FIELD_TEXTS[key], n=value) if key in FIELD_TEXTS else str(exc), "error")
        else:
            flash(error_message(exc), "error")
        return False
    except NotFound as exc:
        flash(_("Không tìm thấy: %(what)s", what=str(exc)) if exc.code is None else error_message(exc), "error")
        return False
    except ServiceError as exc:
        flash(error_message(exc), "error")
        return False
    flash(success, "ok")
    return True


@bp.get("")
def index() -> ResponseReturnValue:
    """The year's programme: every unit and whether an audit covered it, the plans, the form to plan one."""
    db = database()
    year = request.args.get("year", type=int) or clock().now().astimezone(VN).year
    coverage = programme_views.coverage(db, year)
    return render_template(
        "audit/programme.html", year=year, coverage=coverage, plans=programme.list_plans(db, year),
        covered=sum(1 for u in coverage if u.audited), may_plan=programme_views.may_plan(db, g.user),
        units=programme_views.units(db), auditors=programme_views.auditors(db),
        procedures=programme_views.procedure_codes(db), statuses=programme_views.STATUS_LABELS)


@bp.post("")
def plan() -> ResponseReturnValue:
    """Plan an audit (independence checked) and draw its sample."""
    db = database()
    if not programme_views.may_plan(db, g.user):
        abort(403)
    form = request.form
    made: list[programme.Plan] = []
    team = [u for u in dict.fromkeys([form.get("lead", ""), *form.getlist("members")]) if u]  # the lead first

    def action() -> None:
        """Plan, then draw the sample once (it is kept with the plan)."""
        created = programme.plan_audit(db, form.get("unit", ""), (form.get("period") or "").strip(),
                                       team, g.user, clock(), form.getlist("procedures") or None,
                                       (form.get("objective") or "").strip(), _day(form.get("planned_from")),
                                       _day(form.get("planned_to")))
        programme.draw_sample(db, created.id)
        made.append(created)

    if _attempt(action, _("Đã lập kế hoạch đánh giá và chọn mẫu hồ sơ.")):
        return redirect(url_for("audit_programme.show", code=made[0].code))
    return redirect(url_for("audit_programme.index"))


def _day(text: str | None) -> dt.date | None:
    """A date from the form; empty or malformed means the plan's default (after the period)."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/<code>")
def show(code: str) -> ResponseReturnValue:
    """One audit: team, sample, checklist with answers and evidence, findings, documents."""
    try:
        view = programme_views.plan_view(database(), code)
    except NotFound:
        abort(404)
    return render_template("audit/plan.html", view=view, member=g.user in {u for u, _n, _r in view.team},
                           answers=programme_views.ANSWER_LABELS, statuses=programme_views.STATUS_LABELS,
                           kinds=programme.KINDS)


@bp.post("/<code>/answers")
def answer(code: str) -> ResponseReturnValue:
    """Answer one checklist item, with its note and the dossiers/events that show it."""
    form = request.form
    item = form.get("item_no", type=int) or 0
    _attempt(lambda: programme.answer(database(), code, form.get("procedure", ""), item, form.get("answer", ""),
                                      g.user, (form.get("note") or "").strip(),
                                      programme_views.evidence_refs(form.get("evidence", ""))),
             _("Đã ghi câu trả lời."))
    return redirect(url_for("audit_programme.show", code=code, _anchor=f"item-{form.get('procedure')}-{item}"))


@bp.post("/<code>/findings")
def finding(code: str) -> ResponseReturnValue:
    """Record a finding; a nonconformity starts its corrective-action case (QT-CAPA-01) in the same transaction."""
    form = request.form
    made: dict[str, Any] = {}

    def action() -> None:
        """Record it; remember the CAPA case for the message."""
        made.update(programme.record_finding(database(), code, form.get("kind", ""), form.get("statement", ""),
                                             g.user, clock(), (form.get("clause") or "").strip(),
                                             form.get("procedure") or None,
                                             programme_views.evidence_refs(form.get("evidence", ""))))

    if _attempt(action, _("Đã ghi phát hiện.")) and made.get("capa"):
        flash(_("Đã mở hồ sơ hành động khắc phục %(capa)s.", capa=made["capa"]), "ok")
    return redirect(url_for("audit_programme.show", code=code, _anchor="findings"))


@bp.post("/<code>/close")
def close(code: str) -> ResponseReturnValue:
    """Close the audit (every checklist item answered; a member of the team)."""
    _attempt(lambda: programme.close_plan(database(), code, g.user), _("Đã kết thúc đợt đánh giá."))
    return redirect(url_for("audit_programme.show", code=code))


@bp.get("/<code>/<kind>.<fmt>")
def document(code: str, kind: str, fmt: str) -> ResponseReturnValue:
    """The plan, checklist or report of an audit as PDF or DOCX (ISO 19011:2018 structure)."""
    if kind not in ("plan", "checklist", "report") or fmt not in MIMETYPES:
        abort(404)
    try:
        view = programme_views.plan_view(database(), code)
    except NotFound:
        abort(404)
    body = render_audit_document(kind, programme_views.document_data(view), fmt)
    reply = Response(body, mimetype=MIMETYPES[fmt])
    names = {"plan": "ke-hoach", "checklist": "phieu-kiem-tra", "report": "bao-cao"}
    reply.headers["Content-Disposition"] = f'attachment; filename="{code}-{names[kind]}.{fmt}"'
    return reply
