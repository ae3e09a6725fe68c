"""Dossier list and search, CSV export, the dossier page, its scans, comments and printed forms."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.field_errors import FieldError
from processes import attachments, catalog, comments, dossier_actions, queries
from processes.access import overseen_agencies
from processes.dossier_rules import DossierStatus
from processes.errors import InvalidInput

from . import paperwork
from .auth import login_required
from .context import attachments_root, clock, database
from .error_text import error_message
from .field_text import field_message
from .labels import CHANNEL_LABELS, RESULT_LABELS, SLA_LABELS, STATUS_LABELS, VN, vn_time
from .panels import dossier_context
from .permissions import case_of
from .request_args import date_arg, dossier_filter, dossier_sort, page_number

bp = Blueprint("dossiers", __name__)

CSV_COLUMNS = ("Mã hồ sơ", "Thủ tục", "Tên thủ tục", "Cơ quan", "Người nộp", "Số CCCD", "Kênh nộp", "Trạng thái",
               "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày giải quyết xong", "Kết quả", "Tình trạng hạn")


def _procedures() -> list[dict]:
    seen: dict[str, dict] = {}
    for d in catalog.list_definitions(database()):
        seen.setdefault(d["code"], d)
    return list(seen.values())


@bp.get("/dossiers")
@login_required
def index() -> ResponseReturnValue:
    """Search the dossiers the user may see."""
    f = dossier_filter(request.args)
    page_no = page_number(request.args)  # 1 when unreadable; 400 beyond any list (the offset would overflow)
    sort = dossier_sort(request.args)
    page = queries.search_dossiers(database(), g.user, clock(), f, sort, page_no)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("officer/dossiers.html", page=page, f=f, args=args, sort=sort, procedures=_procedures(),
                           statuses=[(s.value, STATUS_LABELS[s.value]) for s in DossierStatus])


def _cell(value) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _as_text(value: str | None) -> str:
    """An identity number as a text cell: ="001…" keeps the leading zeros spreadsheets drop from a number."""
    text = value or ""
    return f'="{text}"' if text.isdigit() else text


def csv_lines(rows: Iterator[queries.DossierRow]) -> Iterator[str]:
    """The export as CSV text chunks: a UTF-8 BOM (so Excel reads Vietnamese), a header, one line per dossier."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)  # the header is sent: without this it went out again with the first rows (issue 13)
    buffer.truncate()
    for n, r in enumerate(rows, 1):
        cells = [_cell(v) for v in (
            r.code, r.procedure, r.procedure_name, r.unit, r.applicant_name, r.applicant_id_number,
            CHANNEL_LABELS.get(r.channel, r.channel), r.status, vn_time(r.received_at), vn_time(r.appointment_at),
            vn_time(r.done_at), RESULT_LABELS.get(r.result, "") if r.result else "",
            SLA_LABELS.get(r.sla_state, "") if r.sla_state else "")]
        cells[5] = _as_text(r.applicant_id_number)  # digits only, so not a formula risk
        writer.writerow(cells)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


@bp.get("/dossiers/export.csv")
@login_required
def export() -> ResponseReturnValue:
    """The search result as CSV (UTF-8 with BOM)."""
    f = dossier_filter(request.args)
    rows = queries.export_dossiers(database(), g.user, clock(), f)
    lines = csv_lines(rows)
    name = f"ho-so-{clock().now():%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}",
                             "Content-Type": "text/csv; charset=utf-8"})


@bp.get("/dossiers/tracking-book.<fmt>")
@login_required
def tracking_book(fmt: str) -> ResponseReturnValue:
    """The tracking book of the dossiers received in a date range (counter officers and overseers)."""
    with database().read() as conn:
        agencies = overseen_agencies(conn, g.user)
    chosen = [a for a in agencies if a.code == request.args.get("unit")] or agencies[:1]
    if not chosen:
        abort(403)
    today = clock().now().astimezone(VN).date()
    start = date_arg(request.args.get("from")) or today.replace(day=1)
    end = date_arg(request.args.get("to")) or today
    if end < start or (end - start).days > 366:
        raise InvalidInput(_("Khoảng ngày không hợp lệ (tối đa một năm)."), {"to": FieldError("period_too_long")})
    return paperwork.tracking_book(chosen[0].id, chosen[0].name, start, end, fmt)


@bp.get("/dossiers/<code>")
@login_required
def show(code: str) -> ResponseReturnValue:
    """A dossier: summary, applicant, papers, comments, steps, timeline, diagram, printed forms."""
    instance_id = case_of(code)
    ctx = dossier_context(instance_id)
    mine = [i for i in queries.inbox(database(), g.user, clock(), q=ctx["dossier"].code if ctx["dossier"] else code,
                                     per_page=10).items if i.instance_id == instance_id]
    return render_template("officer/dossier.html", code=ctx["dossier"].code if ctx["dossier"] else code,
                           my_tasks=mine, **ctx)


@bp.get("/cases/<code>")
@login_required
def case_link(code: str) -> ResponseReturnValue:
    """Old-style links in notifications: the dossier page."""
    return redirect(url_for("dossiers.show", code=code))


def _back(code: str):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("dossiers.show", code=code))


def _refused(code: str, exc: InvalidInput):
    """Back to the page the form was on, saying why nothing was done."""
    why = "; ".join(field_message(v) for v in exc.errors.values()) or error_message(exc)
    flash(_("Không thực hiện được: %(why)s", why=why), "error")
    return _back(code)


@bp.post("/dossiers/<code>/comments")
@login_required
def comment(code: str) -> ResponseReturnValue:
    """Add a comment to a dossier."""
    instance_id = case_of(code)
    try:
        comments.add(database(), instance_id, request.form.get("text") or "", g.user, clock(),
                     request.form.get("task") or None)
    except InvalidInput as exc:
        return _refused(code, exc)
    flash(_("Đã gửi ý kiến."), "success")
    return _back(code)


@bp.post("/dossiers/<code>/attachments")
@login_required
def upload(code: str) -> ResponseReturnValue:
    """Attach a scan (PDF, PNG, JPEG, TIFF; size and content checked)."""
    instance_id = case_of(code)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _refused(code, InvalidInput("no file", {"file": FieldError("required")}))
    data = file.read(attachments.MAX_BYTES + 1)
    try:
        attachments.attach(database(), attachments_root(), instance_id, file.filename, data, g.user, clock(),
                           request.form.get("task") or None)
    except InvalidInput as exc:
        return _refused(code, exc)
    flash(_("Đã đính kèm tệp %(name)s.", name=attachments.clean_filename(file.filename)), "success")
    return _back(code)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> ResponseReturnValue:
    """Download an attachment of a dossier the user may see."""
    found, path = attachments.open_for(database(), attachments_root(), attachment_id, g.user, clock())
    reply = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.filename,
                      max_age=0)
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return reply


@bp.get("/dossiers/<code>/documents/<form>.<fmt>")
@login_required
def document(code: str, form: str, fmt: str) -> ResponseReturnValue:
    """A statutory form of the dossier as PDF or DOCX (built by documents/)."""
    instance_id = case_of(code)
    if fmt not in ("pdf", "docx"):
        abort(404)
    return paperwork.dossier_document(instance_id, form, fmt)


@bp.post("/dossiers/<code>/withdraw")
@login_required
def withdraw(code: str) -> ResponseReturnValue:
    """Record that the applicant withdrew the dossier (one-stop officers and leaders)."""
    case_of(code)
    dossier_actions.withdraw(database(), code, g.user, clock(), (request.form.get("reason") or "").strip()[:500])
    flash(_("Đã ghi nhận người nộp rút hồ sơ."), "success")
    return redirect(url_for("dossiers.show", code=code))


@bp.post("/dossiers/<code>/stop")
@login_required
def stop(code: str) -> ResponseReturnValue:
    """Stop handling the dossier (leaders)."""
    case_of(code)
    dossier_actions.stop(database(), code, g.user, clock(), (request.form.get("reason") or "").strip()[:500])
    flash(_("Đã dừng xử lý hồ sơ."), "success")
    return redirect(url_for("dossiers.show", code=code))
