"""Read-only pages for auditors (and quality managers, leaders): conformance, SLA, QĐ 766, reports, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from audits.casecheck import check_cases
from audits.export import export_text
from audits.index766 import index766
from audits.indicators import sla_report
from audits.periods import parse_period
from audits.report_data import build_annual_report
from audits.reports import render_report
from processes.keys import VN

from .auth import login_required
from .context import clock, database
from .permissions import may_read_audits

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


def _year() -> int:
    default = clock().now().astimezone(VN).year
    try:
        return int(request.args.get("year", default))
    except ValueError:
        abort(404)


@bp.get("")
def overview() -> ResponseReturnValue:
    """Conformance of executions to the procedures and SLA results for a year."""
    year = _year()
    db = database()
    procedures, _cases = check_cases(db)
    sla = sla_report(db, parse_period(str(year)))
    return render_template("audit/overview.html", year=year, procedures=sorted(procedures.values(),
                           key=lambda p: p.code), sla=sla)


@bp.get("/index766")
def index() -> ResponseReturnValue:
    """The QĐ 766 index per unit for a period (?period=2025-Q4)."""
    period = parse_period(request.args.get("period") or f"{_year()}-Q4")
    return render_template("audit/index766.html", period=period, rows=index766(database(), period))


# The file a person saves, named in Vietnamese (without diacritics, so every system keeps it).
REPORT_FILES = {"annual": "bao-cao-danh-gia-noi-bo-nam", "review": "ho-so-xem-xet-cua-lanh-dao-nam",
                "cchc": "bao-cao-cai-cach-hanh-chinh-nam"}


@bp.get("/report-<int:year>.<fmt>")
def report(year: int, fmt: str) -> ResponseReturnValue:
    """The annual internal-audit report, or the management-review pack with ?kind=review."""
    kind = request.args.get("kind", "annual")
    if fmt not in REPORT_TYPES or kind not in ("annual", "review", "cchc"):
        abort(404)
    built = build_annual_report(database(), year, pictures=kind == "annual", png=fmt != "html")
    reply = Response(render_report(built, fmt, kind), mimetype=REPORT_TYPES[fmt])
    if fmt != "html":
        reply.headers["Content-Disposition"] = f'attachment; filename="{REPORT_FILES[kind]}-{year}.{fmt}"'
    return reply


@bp.get("/event-log.<fmt>")
def event_log(fmt: str) -> ResponseReturnValue:
    """The event log as XES (IEEE 1849) or CSV, optionally of one procedure (?procedure=CODE)."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    body = export_text(database(), fmt, request.args.get("procedure") or None)
    reply = Response(body, mimetype=EXPORT_TYPES[fmt])
    reply.headers["Content-Disposition"] = f'attachment; filename="nhat-ky-su-kien.{fmt}"'
    return reply
