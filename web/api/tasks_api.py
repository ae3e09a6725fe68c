"""The JSON API of cases and steps (me, procedures, tasks, cases, the OpenAPI document), by session or token."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, g, jsonify

from processes import (
    access,
    approval_signing,
    catalog,
    decisions,
    eventlog,
    instances,
    step_override,
    tasks,
)
from processes.lookup import find_instance

from ..auth import login_required, memberships
from ..context import attachments_root, clock, database
from ..permissions import case_of
from .bodies import load_body, require_json
from .openapi import spec_document
from .schemas import (
    CompleteSchema,
    DefinitionSchema,
    EventSchema,
    MeSchema,
    MovedSchema,
    StartSchema,
    TaskDetailSchema,
    TaskSchema,
)
from .workspace_schemas import OverrideSchema

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(require_json)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(spec_document())


@bp.get("/me")
@login_required
def me():
    """The caller and their roles."""
    roles = [{"role": m.role, "unit": m.unit_code, "kind": m.role_kind} for m in memberships()]
    return jsonify(MeSchema().dump({"username": g.user, "roles": roles}))


@bp.get("/procedures")
@login_required
def procedures():
    """Every procedure version in the catalog."""
    rows = catalog.list_definitions(database())
    return jsonify(DefinitionSchema(many=True).dump(rows))


@bp.get("/tasks")
@login_required
def list_tasks():
    """The caller's inbox: tasks assigned to them or open to a role they hold."""
    rows = tasks.list_tasks(database(), g.user, now=clock().now())
    return jsonify(TaskSchema(many=True).dump(rows))


@bp.get("/tasks/<task_id>")
@login_required
def task_detail(task_id: str):
    """One task with its form (JSON Schema), for those who may see its case."""
    detail = tasks.task_detail(database(), task_id)
    case_of(detail["instance_id"])
    return jsonify(TaskDetailSchema().dump(detail))


@bp.post("/tasks/<task_id>/complete")
@login_required
def complete(task_id: str):
    """Complete a task with form data; 422 with per-field errors when the data is not valid."""
    body = load_body(CompleteSchema())
    case_of(tasks.task_detail(database(), task_id)["instance_id"])
    # the page's path too (web/quality_review.py): approving a procedure version signs its ISO document with
    # the stored key, opened with signing_password (never kept); any other step completes as usual
    moved = approval_signing.decide_with_stored_key(database(), attachments_root(), task_id, body["data"], g.user,
                                                    clock(), password=body["signing_password"],
                                                    title=body["signing_title"])
    return jsonify(MovedSchema().dump(moved))


@bp.post("/tasks/<task_id>/override")
@login_required
def override(task_id: str):
    """A leader moves the case past a step (handled outside the system, or passed over) with a reason."""
    body = load_body(OverrideSchema())
    case_of(tasks.task_detail(database(), task_id)["instance_id"])
    done = step_override.override(database(), task_id, body["kind"], body["reason"], g.user, clock(), body["data"])
    return jsonify(MovedSchema().dump(done.moved))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    """Take a task."""
    tasks.claim(database(), task_id, g.user, clock())
    return jsonify(task=task_id, assignee=g.user)


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    """Give a task back to its role's queue."""
    tasks.unclaim(database(), task_id, g.user, clock())
    return jsonify(task=task_id, assignee=None)


@bp.post("/cases")
@login_required
def start():
    """Start a case (receive a dossier)."""
    body = load_body(StartSchema())
    moved = instances.start(database(), body["procedure"], body["data"], g.user, clock(), body["unit"])
    return jsonify(MovedSchema().dump(moved)), 201


@bp.get("/cases/<ref>/history")
@login_required
def history(ref: str):
    """The event log of a case, for those who may see the case (processes.access)."""
    db = database()
    row = find_instance(db, ref)
    with db.read() as conn:
        access.check_may_see(conn, g.user, row.id, clock().now())
        rows = eventlog.history(conn, row.id)
    said = {d.seq: [asdict(a) for a in d.answers] for d in decisions.of_case(db, row.id)}
    return jsonify(EventSchema(many=True).dump([{**r, "answers": said.get(r["seq"], [])} for r in rows]))
