"""The quality manager's pages: the master list of procedures and a procedure under document control."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.errors import EngineError, ModelInvalid
from jobs import submit as submit_job
from processes import (
    approval_views,
    migration,
    names,
    procedure_import,
    procedures,
    tasks,
    version_views,
    versions,
)
from processes.errors import ServiceError
from processes.keys import VN
from processes.lint import LintFailed, lint_xml, problems_of
from processes.queries import full_names
from processes.version_status import OPEN
from processes.view_schemas import VersionDiffSchema

from . import bpmn_view, quality_review
from .auth import login_required
from .context import clock, database, job_queue
from .error_text import error_message, reason_text
from .labels import LEVEL_LABELS, VERSION_LABELS
from .modeler_text import aspect_words
from .problem_text import error_fields, localise_all, model_problems
from .request_args import form_values
from .ui import ui_fields

bp = Blueprint("quality", __name__, url_prefix="/quality/procedures")


def _may_edit() -> bool:
    with database().read() as conn:
        return procedures.may_edit(conn, g.user)


def _back(code: str, **args: Any):
    return redirect(url_for("quality.procedure", code=code, **args))


def _attempt(action, success: str) -> bool:
    """Run a use case from a form; say how it went as a flash message."""
    try:
        action()
    except LintFailed as exc:
        errors = error_fields(exc.problems)
        flash(_("Dự thảo còn %(n)d lỗi, chưa thể trình: %(first)s", n=len(errors),
                first=next(iter(errors.values()), "")), "error")
        return False
    except ModelInvalid as exc:
        reason = "\n".join(f"[{p['element_id']}] {p['message']}" if p["element_id"] else p["message"]
                           for p in model_problems(exc))
        flash(_("Tệp BPMN không đọc được: %(reason)s", reason=reason[:300]), "error")
        return False
    except (ServiceError, EngineError) as exc:
        flash(error_message(exc) if isinstance(exc, ServiceError) else str(exc), "error")
        return False
    flash(success, "ok")
    return True


@bp.get("")
@login_required
def catalog() -> ResponseReturnValue:
    """The master list (danh mục tài liệu): each procedure with its issue in force; obsolete versions marked."""
    db = database()
    versions.activate_due(db, clock())
    return render_template("quality/catalog.html", rows=procedures.list_catalog(db), may_edit=_may_edit(),
                           labels=VERSION_LABELS, levels=LEVEL_LABELS,
                           modeler="modeler.new" in current_app.view_functions)


@bp.post("/upload")
@login_required
def upload() -> ResponseReturnValue:
    """Add a procedure from a .bpmn file made in Camunda Modeler (its first draft)."""
    file = request.files.get("bpmn")
    code = (request.form.get("code") or "").strip() or None
    if file is None or not file.filename:
        flash(_("Chọn tệp .bpmn để tải lên."), "error")
        return redirect(url_for("quality.catalog"))
    created: dict[str, Any] = {}
    issued = {k: request.form.get(k, "") for k in procedures.ISSUE_PROPERTIES}
    if issued["issue_date"] and not _past_day(issued["issue_date"]):
        flash(_("Ngày ban hành không hợp lệ (không được sau hôm nay)."), "error")
        return redirect(url_for("quality.catalog"))

    def action() -> None:
        """Add the procedure (in force at once when it was issued on paper); remember what was made."""
        if issued["issue_date"]:
            created.update(procedure_import.import_issued(database(), clock(), g.user, file.read(), code, issued))
            return
        created.update(procedures.create_from_bpmn(database(), clock(), g.user, file.read(), code,
                                                   request.form.get("note", "")))

    if _attempt(action, _("Đã thêm quy trình từ tệp BPMN.")):
        return _back(created["code"])
    return redirect(url_for("quality.catalog"))


def _past_day(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text) <= clock().now().astimezone(VN).date()
    except ValueError:
        return False


@bp.post("/create")
@login_required
def create() -> ResponseReturnValue:
    """Add a procedure from its code and name; its first draft has one step to draw on."""
    form = request.form
    code = (form.get("code") or "").strip()
    ok = _attempt(lambda: procedures.create_blank(database(), clock(), g.user, code, form.get("name", ""),
                                                  form.get("field", ""), form.get("level", ""),
                                                  form.get("deadline", ""), form.get("legal_basis", "")),
                  _("Đã tạo dự thảo quy trình."))
    return _back(code) if ok else redirect(url_for("quality.catalog"))


@bp.get("/<code>")
@login_required
def procedure(code: str) -> ResponseReturnValue:
    """A procedure: metadata, versions, revision table, picture, diff, approval and migration."""
    return _page(code)


def _page(code: str, dry_run: dict | None = None, filters: dict | None = None) -> str:
    db = database()
    meta = procedures.get_procedure(db, code)
    listed = versions.list_versions(db, code)
    if not listed:
        abort(404)
    numbers = [v["version"] for v in listed]
    shown = request.args.get("v", type=int) or _default_version(listed)
    if shown not in numbers:
        abort(404)
    source, target = request.args.get("from", type=int), request.args.get("to", type=int)
    changes = VersionDiffSchema().dump(version_views.diff(db, code, source, target)) \
        if source in numbers and target in numbers and source != target else None
    open_version = next((v for v in reversed(listed) if v["status"] in OPEN), None)
    # Who reviews and approves, and what they said: the drafter reads the comments of a send-back here.
    notes = approval_views.notes(db, code, open_version["version"] if open_version else shown)
    pending = _decisions(code, open_version)
    people = {n.by for n in notes} | {d["task"].assignee for d in pending if d["task"].assignee}
    people |= {v[k] for v in listed for k in ("drafted_by", "reviewed_by", "approved_by") if v.get(k)}
    moves, editor = migration.list_migrations(db, code), _may_edit()
    people |= {m[k] for m in moves for k in ("created_by", "reverted_by") if m.get(k)}
    return render_template(
        "quality/procedure.html", meta=meta, versions=listed, shown=shown, source=source, target=target,
        changes=changes, open_version=open_version, problems=_problems(code, open_version),
        decisions=pending, revisions=version_views.revision_table(db, code), role_names=names.role_names(db),
        migrations=moves, choices=migration.filter_choices(db, code) if editor else None,
        may_edit=editor, labels=VERSION_LABELS,
        levels=LEVEL_LABELS, dry_run=dry_run, filters=filters or {},
        modeler="modeler.edit" in current_app.view_functions, signers=approval_views.signers(db), notes=notes,
        names=full_names(db, people))


def _default_version(listed: list[dict]) -> int:
    effective = [v["version"] for v in listed if v["status"] == "effective"]
    return effective[-1] if effective else listed[-1]["version"]


def _problems(code: str, open_version: dict | None) -> list[dict]:
    if open_version is None or open_version["status"] != "draft":
        return []
    xml = versions.version_xml(database(), code, open_version["version"])
    try:
        with database().read() as conn:
            return localise_all(problems_of(lint_xml(conn, xml, code)))
    except ModelInvalid as exc:
        return model_problems(exc)


def _decisions(code: str, open_version: dict | None) -> list[dict]:
    """The open steps of the version's approval case, with a form for those the user may do now."""
    if open_version is None:
        return []
    db = database()
    mine = {t.id for t in tasks.list_tasks(db, user=g.user)}
    found = []
    for task in versions.approval_tasks(db, code, open_version["version"]):
        detail = tasks.task_detail(db, task.id)
        found.append({"task": task, "mine": task.id in mine, "fields": ui_fields(detail.get("form"))})
    return found


@bp.post("/<code>/tasks/<task_id>")
@login_required
def decide(code: str, task_id: str) -> ResponseReturnValue:
    """Do an approval step (review, approve, send back, submit) from the procedure page."""
    detail = tasks.task_detail(database(), task_id)
    data = form_values(ui_fields(detail.get("form")), request.form)
    _attempt(lambda: quality_review.complete(task_id, data), _("Đã ghi nhận ý kiến."))  # approving signs
    return _back(code)


@bp.post("/<code>/metadata")
@login_required
def metadata(code: str) -> ResponseReturnValue:
    """Save the metadata the BPMN does not carry (scope, purpose, references, terms, records)."""
    form = request.form
    values = {
        "scope": form.get("scope", ""), "purpose": form.get("purpose", ""),
        "reference_docs": [line.strip() for line in form.get("reference_docs", "").splitlines() if line.strip()],
        "terms": [dict(zip(("term", "meaning"), _cells(line, ":", 2), strict=True))
                  for line in form.get("terms", "").splitlines() if line.strip()],
        "records": [dict(zip(("record", "where", "retention"), _cells(line, "|", 3), strict=True))
                    for line in form.get("records", "").splitlines() if line.strip()],
    }
    _attempt(lambda: procedures.update_metadata(database(), clock(), g.user, code, values), _("Đã lưu thông tin."))
    return _back(code)


def _cells(line: str, sep: str, count: int) -> list[str]:
    parts = [p.strip() for p in line.split(sep, count - 1)]
    return parts + [""] * (count - len(parts))


@bp.post("/<code>/versions/<int:version>/new-draft")
@login_required
def new_draft(code: str, version: int) -> ResponseReturnValue:
    """Open a new draft from a version."""
    made: list[int] = []
    _attempt(lambda: made.append(versions.new_draft_from(database(), clock(), g.user, code, version)),
             _("Đã tạo dự thảo mới."))
    return _back(code, v=made[0]) if made else _back(code)


@bp.post("/<code>/versions/<int:version>/submit")
@login_required
def submit(code: str, version: int) -> ResponseReturnValue:
    """Send a draft for approval."""
    _attempt(lambda: versions.submit(database(), clock(), g.user, code, version, request.form.get("note", "")),
             _("Đã trình xem xét, phê duyệt."))
    return _back(code, v=version)


@bp.post("/<code>/versions/<int:version>/withdraw")
@login_required
def withdraw(code: str, version: int) -> ResponseReturnValue:
    """Abandon a draft or abolish a version."""
    _attempt(lambda: versions.withdraw(database(), clock(), g.user, code, version), _("Đã hủy bỏ phiên bản."))
    return _back(code)


@bp.get("/<code>/versions/<int:version>.bpmn")
@login_required
def download(code: str, version: int) -> ResponseReturnValue:
    """Download a version's BPMN file (opens in Camunda Modeler)."""
    reply = Response(versions.version_xml(database(), code, version), mimetype="application/xml")
    reply.headers["Content-Disposition"] = f'attachment; filename="{code}-v{version}.bpmn"'
    return reply


@bp.get("/<code>/versions/<int:version>.svg")
@login_required
def picture(code: str, version: int) -> ResponseReturnValue:
    """The Graphviz picture of a version (lanes as clusters, time limits on steps)."""
    return Response(version_views.version_svg(database(), code, version), mimetype="image/svg+xml")


bp.add_app_template_filter(aspect_words, "aspect_words")
bp.add_app_template_filter(reason_text, "reason_text")


@bp.app_template_global()
def bpmn_version_view(code: str, version: int) -> Markup | None:
    """A version drawn by bpmn-js from its own layout; None when the file has none (the Graphviz picture then)."""
    xml = versions.version_xml(database(), code, version)
    return bpmn_view.view_html(xml) if bpmn_view.has_layout(xml) else None


@bp.app_template_global()
def bpmn_diff_views(code: str, source: int, target: int) -> tuple[Markup, Markup] | None:
    """Both sides of a version diff drawn by bpmn-js, changes marked; None when a file has no layout."""
    db = database()
    old, new = versions.version_xml(db, code, source), versions.version_xml(db, code, target)
    if not (bpmn_view.has_layout(old) and bpmn_view.has_layout(new)):
        return None
    changes = version_views.diff(db, code, source, target)
    return bpmn_view.diff_view(old, changes, "from"), bpmn_view.diff_view(new, changes, "to")


@bp.get("/<code>/diff.svg")
@login_required
def diff_picture(code: str) -> ResponseReturnValue:
    """One side of the visual diff (?from=&to=&side=from|to)."""
    source, target = request.args.get("from", type=int), request.args.get("to", type=int)
    side = "from" if request.args.get("side") == "from" else "to"
    if source is None or target is None:
        abort(404)
    return Response(version_views.diff_svg(database(), code, source, target, side), mimetype="image/svg+xml")


def _migration_form() -> tuple[int | None, int | None, dict[str, Any]]:
    form = request.form
    filters: dict[str, Any] = {}
    keys = [k.strip() for k in form.get("business_keys", "").replace("\n", ",").split(",") if k.strip()]
    steps = [s.strip() for value in form.getlist("steps") for s in value.split(",") if s.strip()]
    if keys:
        filters["business_keys"] = keys
    if steps:
        filters["steps"] = steps
    if form.get("unit", "").strip():
        filters["unit"] = form["unit"].strip()
    return form.get("from", type=int), form.get("to", type=int), filters


@bp.post("/<code>/migrations/dry-run")
@login_required
def dry_run(code: str) -> ResponseReturnValue:
    """Show which running cases could move, and why the others cannot (nothing changes)."""
    source, target, filters = _migration_form()
    try:
        result = migration.dry_run(database(), clock(), g.user, code, source or 0, target or 0, filters)
    except ServiceError as exc:
        flash(error_message(exc), "error")
        return _back(code)
    flash(_("Chạy thử: %(m)d hồ sơ chuyển được, %(b)d hồ sơ giữ nguyên.", m=result["movable"], b=result["blocked"]),
          "ok")
    return _page(code, result, filters)


@bp.post("/<code>/migrations")
@login_required
def migrate(code: str) -> ResponseReturnValue:
    """Move the movable running cases to the newer version, as a background job (many cases take a while; the
    move is still one transaction: all of them or none); its progress page says how it went."""
    if not _may_edit():
        flash(_("Không có quyền thực hiện thao tác này."), "error")
        return _back(code)
    source, target, filters = _migration_form()
    job = submit_job(database(), clock(), job_queue(), "migration", {
        "actor": g.user, "code": code, "source": source or 0, "target": target or 0, "filters": filters}, g.user)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.post("/<code>/migrations/<int:migration_id>/revert")
@login_required
def revert(code: str, migration_id: int) -> ResponseReturnValue:
    """Put the cases a migration moved back as they were."""
    _attempt(lambda: migration.revert(database(), clock(), g.user, code, migration_id),
             _("Đã hoàn tác việc chuyển phiên bản."))
    return _back(code)
