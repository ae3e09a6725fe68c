"""Read-only pages for auditors (and quality managers, leaders): conformance, SLA, QĐ 766, reports, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from audits.casecheck import conformance_in
from audits.export import export_text
from audits.external_log import ROLES
from audits.index766 import index766, manual_criteria, manual_scores, score_units, set_manual_score
from audits.indicators import sla_report
from audits.periods import parse_period
from audits.report_data import build_annual_report
from audits.report_diagrams import Viewer
from audits.report_tables import DEVIATION_LABELS
from audits.reports import render_report
from jobs import submit
from jobs.file_kinds import stash
from jobs.kinds import EVENT_LOG_FILE, REPORT_FILES
from processes.access import audited_agencies
from processes.keys import VN

from .auth import login_required
from .context import clock, database, job_queue
from .permissions import may_read_audits, role_kinds

bp = Blueprint("audit", __name__, url_prefix="/audit")

REPORT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXPORT_TYPES = {"xes": "application/xml", "csv": "text/csv; charset=utf-8"}


@bp.before_request
@login_required
def only_readers() -> None:
    """Auditors, quality managers, leaders and administrators read audits; nobody writes here."""
    if not may_read_audits():
        abort(403)


# Who enters the QĐ 766 criteria quytrinh cannot compute: the ISO secretary and the auditors.
SCORE_KINDS = ("quality", "auditor")


def _agencies() -> set[str]:
    """The agencies whose dossiers, activities and officers this reader may see in audits: those they oversee
    (a commune chair the commune, a district leader the district), never every agency (issue 12 defect 2)."""
    with database().read() as conn:
        return audited_agencies(conn, g.user)


def _year() -> int:
    """The year asked for (this year by default); a text that is no year answers in Vietnamese."""
    text = (request.args.get("year") or "").strip() or str(clock().now().astimezone(VN).year)
    return parse_period(text).year


@bp.get("")
def overview() -> ResponseReturnValue:
    """Conformance and SLA results of the dossiers of one year (received in it; answered in it for the SLA)."""
    year = _year()
    db = database()
    period = parse_period(str(year))
    procedures, _cases = conformance_in(db, period, _agencies())
    sla = sla_report(db, period, agencies=_agencies())
    return render_template("audit/overview.html", year=year, procedures=sorted(procedures.values(),
                           key=lambda p: p.code), sla=sla, deviation_labels=DEVIATION_LABELS)


@bp.get("/index766")
def index() -> ResponseReturnValue:
    """The QĐ 766 index per unit for a period (?period=2025-Q4, or a year: the mean of its quarters)."""
    period = parse_period(request.args.get("period") or f"{_year()}-Q4")
    rows = index766(database(), period, agencies=_agencies())
    return render_template("audit/index766.html", period=period, rows=rows,
                           may_score=bool(role_kinds() & set(SCORE_KINDS)))


@bp.route("/index766/manual", methods=["GET", "POST"])
def manual() -> ResponseReturnValue:
    """The criteria entered by hand for a period: who entered them, when, on what evidence; a form to enter one."""
    period = parse_period(request.values.get("period") or f"{_year()}-Q4")
    may_score = bool(role_kinds() & set(SCORE_KINDS))
    if request.method == "POST":
        if not may_score:
            abort(403)
        form = request.form
        try:
            points = float((form.get("points") or "").replace(",", "."))
        except ValueError:
            flash(_("Điểm phải là một số (ví dụ 12 hoặc 12,5)."), "error")
            return redirect(url_for("audit.manual", period=period.label))
        set_manual_score(database(), form.get("unit", ""), period, form.get("criterion", ""), points,
                         g.user, clock(), (form.get("note") or "").strip())
        flash(_("Đã lưu điểm tiêu chí %(criterion)s.", criterion=form.get("criterion", "")), "success")
        return redirect(url_for("audit.manual", period=period.label))
    return render_template("audit/index766_manual.html", period=period, criteria=manual_criteria(period),
                           scores=manual_scores(database(), period), units=score_units(database()),
                           may_score=may_score)


@bp.route("/check-log", methods=["GET", "POST"])
def check_log() -> ResponseReturnValue:
    """Check an event log exported by another system (XES or CSV) against a procedure version, as a job: the
    upload is kept for the worker, the job's page follows the check and shows its figures; nothing else is kept."""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Hãy chọn tệp nhật ký (XES hoặc CSV)."), "error")
            return redirect(url_for("audit.check_log"))
        version, procedure = (request.form.get("version") or "").strip(), (request.form.get("procedure") or "").strip()
        if not procedure:
            flash(_("Hãy nhập mã quy trình cần đối chiếu."), "error")
            return redirect(url_for("audit.check_log"))
        mapping = {role: column.strip() for role in ROLES if (column := request.form.get(role) or "").strip()}
        params = {"upload": stash(upload.read(), upload.filename), "procedure": procedure,
                  "version": int(version) if version.isdigit() else None, "mapping": mapping}
        job = submit(database(), clock(), job_queue(), "log_check", params, g.user)
        return redirect(url_for("jobs.show", job_id=job.id))
    return render_template("audit/check_log.html", result=None, form=request.form,
                           deviation_labels=DEVIATION_LABELS)


# The file a person saves, named in Vietnamese (without diacritics, so every system keeps it).


@bp.get("/report-<int:year>.<fmt>")
def report(year: int, fmt: str) -> ResponseReturnValue:
    """The annual internal-audit report, or the management-review pack with ?kind=review."""
    kind = request.args.get("kind", "annual")
    if fmt not in REPORT_TYPES or kind not in ("annual", "review", "cchc"):
        abort(404)
    built = build_annual_report(database(), year, pictures=kind == "annual", png=fmt != "html",
                                agencies=_agencies())
    # The page the app serves loads bpmn-js's viewer from the static files (its CSP forbids inline script).
    viewer = Viewer(url_for("static", filename="modeler/dist/viewer.js"),
                    url_for("static", filename="modeler/dist/viewer.css")) if fmt == "html" else None
    reply = Response(render_report(built, fmt, kind, viewer), mimetype=REPORT_TYPES[fmt])
    if fmt != "html":
        reply.headers["Content-Disposition"] = f'attachment; filename="{REPORT_FILES[kind]}-{year}.{fmt}"'
    return reply


@bp.get("/event-log.<fmt>")
def event_log(fmt: str) -> ResponseReturnValue:
    """The event log as XES (IEEE 1849) or CSV, optionally of one procedure (?procedure=CODE)."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    body = export_text(database(), fmt, request.args.get("procedure") or None, agencies=_agencies())
    reply = Response(body, mimetype=EXPORT_TYPES[fmt])
    reply.headers["Content-Disposition"] = f'attachment; filename="{EVENT_LOG_FILE}.{fmt}"'
    return reply
