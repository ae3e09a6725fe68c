"""The officer's inbox and task page: filters, paging, claim / release / reassign, the generated step form."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.field_errors import FieldError
from processes import catalog, decisions, form_checks, instances, queries, step_override, tasks
from processes.errors import InvalidInput

from .auth import login_required
from .context import clock, database
from .error_text import error_message
from .panels import dossier_context
from .permissions import case_of
from .request_args import form_values, inbox_args
from .ui import ui_fields

bp = Blueprint("officer", __name__)

def _procedures() -> list[dict]:
    seen: dict[str, dict] = {}
    for d in catalog.list_definitions(database()):
        if d["status"] == "active":
            seen.setdefault(d["code"], d)
    return list(seen.values())


@bp.get("/tasks")
@login_required
def inbox() -> ResponseReturnValue:
    """My steps and my units' queues, with due dates and SLA colours."""
    filters = inbox_args(request.args)
    page = queries.inbox(database(), g.user, clock(), **filters)
    names = queries.full_names(database(), {t.assignee for t in page.items if t.assignee})
    return render_template("officer/inbox.html", page=page, filters=filters, procedures=_procedures(), names=names,
                           args={k: v for k, v in request.args.items() if k != "page"})


def _task_page(task_id: str, errors: dict[str, str] | None = None, values=None, status: int = 200,
               override_errors: dict[str, str] | None = None):
    db = database()
    ctx = queries.task_context(db, task_id, g.user, clock())
    case_of(ctx.instance_id)  # 403 unless the user may see the case
    detail = tasks.task_detail(db, task_id)
    fields = ui_fields(detail.get("form"), rules=form_checks.browser_rules(db, task_id, clock().now()))
    earlier = [d for d in reversed(decisions.of_case(db, ctx.instance_id)) if d.task != task_id]
    # A leader may record the step as handled outside the system, with what it decided (the choices a gateway reads).
    override = step_override.may_override(db, task_id, g.user)
    return render_template("officer/task.html", task=ctx, detail=detail, fields=fields, errors=errors or {},
                           values=values, earlier=earlier, may_override=override,
                           override_fields=[f for f in fields if f.input in ("select", "checkbox")] if override else [],
                           override_errors=override_errors or {}, **dossier_context(ctx.instance_id)), status


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str) -> ResponseReturnValue:
    """A step: its form, the dossier's papers, comments, timeline and diagram."""
    return _task_page(task_id)


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    """Complete a step with the submitted form; errors are shown next to their fields."""
    db = database()
    detail = tasks.task_detail(db, task_id)
    fields = ui_fields(detail.get("form"))
    data = form_values(fields, request.form)
    try:
        case_of(detail["instance_id"])
        moved = instances.complete(db, task_id, data, g.user, clock())
    except InvalidInput as exc:
        return _task_page(task_id, exc.errors or {"_": error_message(exc)}, request.form, 422)
    if moved.opened:
        flash(_("Đã hoàn thành bước «%(step)s» của hồ sơ %(code)s; chuyển tiếp: %(next)s.", step=detail["name"],
                code=moved.business_key, next=", ".join(s.name for s in moved.opened)), "success")
    else:
        flash(_("Đã hoàn thành bước «%(step)s»; hồ sơ %(code)s đã kết thúc xử lý.", step=detail["name"],
                code=moved.business_key), "success")
    return redirect(url_for("officer.inbox"))


@bp.post("/tasks/<task_id>/override")
@login_required
def override(task_id: str) -> ResponseReturnValue:
    """A leader records a step as handled outside the system, or moves the case past it; a reason is required."""
    db = database()
    case_of(tasks.task_detail(db, task_id)["instance_id"])
    data = {k[5:]: v for k, v in request.form.items() if k.startswith("data.") and v != ""}
    try:
        done = step_override.override(db, task_id, request.form.get("kind") or "", request.form.get("reason") or "",
                                      g.user, clock(), data)
    except InvalidInput as exc:
        errors = exc.errors or {"_": error_message(exc)}
        return _task_page(task_id, status=422, override_errors=errors)
    outside = done.kind == step_override.OUTSIDE
    said = _("Đã ghi nhận bước «%(step)s» xử lý ngoài hệ thống.", step=done.step) if outside \
        else _("Đã chuyển hồ sơ qua bước «%(step)s».", step=done.step)
    flash(said, "success")
    return redirect(url_for("dossiers.show", code=done.moved.business_key))


def _back(task_id: str):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("officer.task", task_id=task_id))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    """Take a step from the queue."""
    tasks.claim(database(), task_id, g.user, clock())
    flash(_("Bạn đã nhận xử lý bước này."), "success")
    return _back(task_id)


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> ResponseReturnValue:
    """Give a step back to its queue."""
    tasks.unclaim(database(), task_id, g.user, clock())
    flash(_("Đã trả bước về hàng chờ của đơn vị."), "success")
    return _back(task_id)


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str) -> ResponseReturnValue:
    """A leader hands a step to a named officer."""
    assignee = (request.form.get("assignee") or "").strip()
    if not assignee:
        raise InvalidInput(_("Chọn người được giao."), {"assignee": FieldError("required")})
    tasks.assign(database(), task_id, assignee, g.user, clock())
    flash(_("Đã giao bước cho %(user)s.", user=queries.full_names(database(), {assignee}).get(assignee, assignee)),
          "success")
    return _back(task_id)
