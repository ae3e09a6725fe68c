"""JSON API of the officer workspace: inbox, reassignment, reception, dossiers, comments, scans, dashboard,
apologies. Each endpoint does what its page does, with the same server-side checks."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, g, jsonify, request, send_file, url_for
from flask.typing import ResponseReturnValue

from processes import (
    apology,
    attachments,
    comments,
    decisions,
    dossier_actions,
    dossiers,
    queries,
    reception,
    stats,
    tasks,
    timeline,
)
from processes.errors import InvalidInput

from ..auth import login_required
from ..context import attachments_root, clock, database
from ..labels import VN
from ..permissions import case_of, is_counter, may_see_dashboard, visible_reception
from ..request_args import dossier_filter, dossier_sort, inbox_args, page_number, period
from . import workspace_schemas as s
from .bodies import load_body, require_json

bp = Blueprint("workspace_api", __name__, url_prefix="/api")
bp.before_request(require_json)


def decode(filename: str, content: str, field: str) -> tuple[str, bytes]:
    """A base64 file from a JSON body."""
    try:
        return filename, base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the file is not valid base64", {field: "not base64"}) from None


@bp.get("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    """My open steps and my units' queues: filters scope, procedure, sla, q, sort, page, per_page."""
    page = queries.inbox(database(), g.user, clock(), **inbox_args(request.args))
    return jsonify(s.InboxPageSchema().dump(page))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str) -> ResponseReturnValue:
    """A leader hands a step to a named officer."""
    body = load_body(s.AssignSchema())
    tasks.assign(database(), task_id, body["assignee"], g.user, clock())
    return jsonify(task=task_id, assignee=body["assignee"])


@bp.post("/receptions")
@login_required
def receive() -> ResponseReturnValue:
    """Receive a dossier at the counter: accept, ask for a supplement, or refuse."""
    if not is_counter():
        abort(403)
    body = load_body(s.ReceptionSchema())
    uploads = [reception.Upload(*decode(u["filename"], u["content_base64"], f"uploads.{i}"))
               for i, u in enumerate(body["uploads"])]
    counter = reception.Counter(reception.Applicant(**body["applicant"]), body["documents"], body["form"],
                                body["note"], uploads)
    done = reception.receive(database(), body["procedure"], counter, body["outcome"], g.user, clock(),
                             attachments_root(), body["unit"])
    accepted = done.instance_id is not None
    return jsonify(s.ReceivedSchema().dump({
        "reception_id": done.reception_id, "ref": done.ref, "outcome": done.outcome, "instance": done.instance_id,
        "appointment_at": done.appointment_at,
        "receipt_url": url_for("dossiers.document", code=done.ref, form="receipt", fmt="pdf") if accepted else
        url_for("reception.slip", ref=done.ref, fmt="pdf"),
        "lookup_url": url_for("citizen.lookup", ma=done.ref, _external=True) if accepted else None})), 201


@bp.get("/receptions/<ref>")
@login_required
def reception_record(ref: str) -> ResponseReturnValue:
    """A counter record (accepted dossier or slip)."""
    view = visible_reception(ref)
    return jsonify(s.ReceptionRecordSchema().dump(view))


@bp.get("/dossiers")
@login_required
def search() -> ResponseReturnValue:
    """Search the dossiers I may see (same filters as the page: code, applicant, procedure, status, unit,
    from, to, sla; sort; page)."""
    try:
        page_no = max(1, int(request.args.get("page", 1)))
        per_page = int(request.args.get("per_page", 20))
        page_number(request.args)  # a page beyond any list is refused (400) before the offset overflows
    except ValueError:
        raise InvalidInput("page and per_page must be whole numbers") from None
    f, sort = dossier_filter(request.args), dossier_sort(request.args)
    page = queries.search_dossiers(database(), g.user, clock(), f, sort, page_no, per_page)
    return jsonify(s.DossierPageSchema().dump(page))


@bp.get("/dossiers/<code>")
@login_required
def dossier(code: str) -> ResponseReturnValue:
    """A dossier with its steps, counter record, attachments and comments."""
    instance_id = case_of(code)
    view = dossiers.get(database(), instance_id, clock())
    return jsonify(s.DossierDetailSchema().dump({
        "dossier": view, "steps": timeline.steps(database(), instance_id),
        "decisions": decisions.of_case(database(), instance_id),
        "counter": reception.of_case(database(), instance_id),
        "attachments": attachments.of_case(database(), instance_id),
        "comments": comments.of_case(database(), instance_id)}))


@bp.get("/dossiers/<code>/timeline")
@login_required
def dossier_timeline(code: str) -> ResponseReturnValue:
    """Every event of a dossier, with who, when and each step's result."""
    instance_id = case_of(code)
    return jsonify(s.TimelineEntrySchema(many=True).dump(timeline.timeline(database(), instance_id)))


@bp.get("/dossiers/<code>/comments")
@login_required
def list_comments(code: str) -> ResponseReturnValue:
    """A dossier's comments."""
    return jsonify(s.CommentSchema(many=True).dump(comments.of_case(database(), case_of(code))))


@bp.post("/dossiers/<code>/comments")
@login_required
def add_comment(code: str) -> ResponseReturnValue:
    """Comment on a dossier."""
    body = load_body(s.CommentInSchema())
    found = comments.add(database(), case_of(code), body["text"], g.user, clock(), body["task"])
    return jsonify(s.CommentSchema().dump(found)), 201


@bp.get("/dossiers/<code>/attachments")
@login_required
def list_attachments(code: str) -> ResponseReturnValue:
    """A dossier's attachments."""
    rows = attachments.of_case(database(), case_of(code))
    return jsonify(s.AttachmentSchema(many=True).dump(rows))


@bp.post("/dossiers/<code>/attachments")
@login_required
def add_attachment(code: str) -> ResponseReturnValue:
    """Attach a file (base64 in JSON; type and size checked by content)."""
    body = load_body(s.UploadSchema())
    name, data = decode(body["filename"], body["content_base64"], "content_base64")
    found = attachments.attach(database(), attachments_root(), case_of(code), name, data, g.user, clock(),
                               body["task"])
    return jsonify(s.AttachmentSchema().dump(found)), 201


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment_file(attachment_id: int) -> ResponseReturnValue:
    """An attachment's bytes."""
    found, path = attachments.open_for(database(), attachments_root(), attachment_id, g.user, clock())
    reply = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.filename)
    reply.headers["X-Content-Type-Options"] = "nosniff"
    return reply


@bp.get("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    """The leader dashboard's figures (from, to: ISO dates; this month by default)."""
    if not may_see_dashboard():
        abort(403)
    since, until = period(request.args, clock().now().astimezone(VN).date())
    return jsonify(s.DashboardSchema().dump(stats.dashboard(database(), g.user, clock(), since, until)))


@bp.post("/dossiers/<code>/apology")
@login_required
def request_apology(code: str) -> ResponseReturnValue:
    """Ask the head of the handling unit for an apology and a new appointment date."""
    body = load_body(s.ApologyInSchema())
    case_of(code)
    found = apology.request(database(), code, g.user, clock(), body["reason"], body["proposed_at"])
    return jsonify(s.ApologySchema().dump(found)), 201


@bp.get("/apologies")
@login_required
def pending_apologies() -> ResponseReturnValue:
    """Apologies waiting for my signature."""
    return jsonify(s.ApologySchema(many=True).dump(apology.pending_for(database(), g.user)))


@bp.post("/apologies/<int:apology_id>/sign")
@login_required
def sign_apology(apology_id: int) -> ResponseReturnValue:
    """Sign an apology: the dossier's appointment moves (once)."""
    body = load_body(s.ApologySignSchema())
    found = apology.sign(database(), apology_id, g.user, clock(), body["new_appointment_at"])
    return jsonify(s.ApologySchema().dump(found))


@bp.post("/apologies/<int:apology_id>/dismiss")
@login_required
def dismiss_apology(apology_id: int) -> ResponseReturnValue:
    """Decline an apology request."""
    body = request.get_json(silent=True) or {}
    found = apology.dismiss(database(), apology_id, g.user, clock(), str(body.get("note", ""))[:500])
    return jsonify(s.ApologySchema().dump(found))


@bp.post("/dossiers/<code>/withdraw")
@login_required
def withdraw(code: str) -> ResponseReturnValue:
    """Record the applicant's withdrawal (status 7; one-stop officers and leaders)."""
    body = load_body(s.ReasonSchema())
    case_of(code)
    return jsonify(s.DossierViewSchema().dump(dossier_actions.withdraw(database(), code, g.user, clock(),
                                                                      body["reason"])))


@bp.post("/dossiers/<code>/stop")
@login_required
def stop(code: str) -> ResponseReturnValue:
    """Stop handling the dossier (status 8; leaders)."""
    body = load_body(s.ReasonSchema())
    case_of(code)
    return jsonify(s.DossierViewSchema().dump(dossier_actions.stop(database(), code, g.user, clock(), body["reason"])))
