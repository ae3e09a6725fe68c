"""Background jobs in the browser: start a report or an export, watch its progress, take the file, retry.

The page polls /jobs/<id>.json (web/static/jobs.js: no inline script) and reloads itself once the job
is done or failed, so the file link and the retry form are rendered by the server like any page.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audits.report_tables import DEVIATION_LABELS
from jobs import resubmit, submit
from processes import jobs
from processes.access import audited_agencies
from processes.errors import InvalidInput

from .auth import login_required
from .context import clock, database, job_queue
from .error_text import service_message
from .permissions import may_read_audits, role_kinds

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

STATUS_TEXT = {jobs.QUEUED: _l("Đang chờ xử lý"), jobs.RUNNING: _l("Đang thực hiện"), jobs.DONE: _l("Đã xong"),
               jobs.FAILED: _l("Không thành công")}


@bp.before_request
@login_required
def signed_in() -> None:
    """Every job page needs a signed-in user (each sees only the jobs they started)."""


def _is_admin() -> bool:
    return "admin" in role_kinds()


def _mine(job_id: int) -> jobs.Job:
    return jobs.get_for(database(), job_id, g.user, _is_admin())


def _start(kind: str, params: dict[str, Any]) -> ResponseReturnValue:
    if not may_read_audits():
        abort(403)
    try:
        # fresh=1 ("Lập lại"): make the report again even though the data did not change.
        job = submit(database(), clock(), job_queue(), kind, params, g.user, fresh=request.form.get("fresh") == "1")
    except InvalidInput:  # a hand-edited form: say so in plain words, back where the buttons are
        flash(_("Năm hoặc loại báo cáo không hợp lệ."), "error")
        return redirect(url_for("audit.overview"))
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.post("/report")
def start_report() -> ResponseReturnValue:
    """Start the annual report / management-review pack / CCHC figures of a year as a job."""
    form = request.form
    with database().read() as conn:  # the reader's agencies only, like /audit (issue 12 defect 2)
        agencies = sorted(audited_agencies(conn, g.user))
    return _start("report", {"year": form.get("year", ""), "fmt": form.get("fmt", "pdf"),
                             "kind": form.get("kind", "annual"), "agencies": agencies})


@bp.post("/event-log")
def start_event_log() -> ResponseReturnValue:
    """Start an export of the event log (XES or CSV, optionally one procedure) as a job."""
    return _start("event_log", {"fmt": request.form.get("fmt", ""),
                                "procedure": request.form.get("procedure") or None})


@bp.post("/documents")
def start_documents() -> ResponseReturnValue:
    """Start the batch of ISO documents of every procedure in force and the master list (a ZIP) as a job."""
    if not may_read_audits():
        abort(403)
    try:
        job = submit(database(), clock(), job_queue(), "documents", {"fmt": request.form.get("fmt", "pdf")}, g.user)
    except InvalidInput:
        flash(_("Định dạng không hợp lệ."), "error")
        return redirect(url_for("quality.catalog"))
    return redirect(url_for("jobs.show", job_id=job.id))


# A job no worker took within this long: probably no `quytrinh worker` runs; the page says so.
UNCLAIMED_SECONDS = 30


def _message(job: jobs.Job) -> str:
    if job.status == jobs.QUEUED and (clock().now() - job.queued_at).total_seconds() > UNCLAIMED_SECONDS:
        return _("Chưa có bộ xử lý nền nào nhận việc này; xin chờ thêm hoặc báo quản trị hệ thống kiểm tra "
                 "tiến trình xử lý nền (quytrinh worker).")
    return job.message


def _error(job: jobs.Job) -> str:
    """A failure as the reader should read it: a service error's code said in their language, else as stored."""
    code = job.result.get("error_code") if job.status == jobs.FAILED else None
    if not code:
        return job.error
    return _("Không thực hiện được: %(reason)s",
             reason=service_message(code, job.result.get("error_params"), job.error))


def state(job: jobs.Job) -> dict[str, Any]:
    """What the progress page shows, as JSON."""
    return {"id": job.id, "title": job.title, "status": job.status, "status_text": str(STATUS_TEXT[job.status]),
            "percent": job.percent, "done": job.done, "total": job.total, "message": _message(job),
            "error": _error(job), "attempt": job.attempt, "finished": job.finished,
            "file_url": url_for("jobs.file", job_id=job.id) if job.status == jobs.DONE and job.file_path else None}


@bp.get("")
def index() -> ResponseReturnValue:
    """The user's latest jobs."""
    return render_template("jobs/list.html", jobs=jobs.list_for(database(), g.user), status_text=STATUS_TEXT)


@bp.get("/<int:job_id>")
def show(job_id: int) -> ResponseReturnValue:
    """The progress page of one job."""
    job = _mine(job_id)
    return render_template("jobs/progress.html", job=job, state=state(job), deviation_labels=DEVIATION_LABELS)


@bp.get("/<int:job_id>.json")
def status(job_id: int) -> ResponseReturnValue:
    """The job's state, polled by the progress page."""
    reply = jsonify(state(_mine(job_id)))
    reply.headers["Cache-Control"] = "no-store"
    return reply


@bp.get("/<int:job_id>/file")
def file(job_id: int) -> ResponseReturnValue:
    """The file a finished job made."""
    job = _mine(job_id)
    path = jobs.file_of(job)
    if path is None:
        abort(404)
    return send_file(path, mimetype=job.content_type, as_attachment=True, download_name=job.file_name)


@bp.post("/<int:job_id>/retry")
def retry(job_id: int) -> ResponseReturnValue:
    """Run a failed job again."""
    resubmit(database(), clock(), job_queue(), job_id, g.user, _is_admin())
    return redirect(url_for("jobs.show", job_id=job_id))
