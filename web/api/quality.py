"""The quality manager's JSON API: versions, drafts, validation, diffs, submission, migrations.

This is the contract the modeler page (web/modeler.py, frontend/src/api.js) calls; 422 answers that
are about the model carry {"error", "problems": [{element_id, message, severity, code, params}]}; each
message is in the request's language (web/problem_text.py), code and params are for programs.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import ModelInvalid
from engine.xml import MAX_BPMN_BYTES
from processes import migration, procedures, version_views, versions
from processes.errors import InvalidInput
from processes.lint import LintFailed, lint_xml, problems_of

from ..auth import login_required
from ..context import clock, database
from ..extensions import limiter
from ..permissions import may_edit_procedures
from ..problem_text import error_fields, localise_all, model_problems, problem_message
from .bodies import load_body, require_json
from .procedure_schemas import (
    DiffSchema,
    DraftSchema,
    MigrationRequestSchema,
    MigrationResultSchema,
    MigrationSchema,
    ProblemsSchema,
    ProcedureSchema,
    RevertResultSchema,
    SavedDraftSchema,
    SubmitSchema,
    SubmittedSchema,
    ValidateSchema,
    VersionSchema,
)

bp = Blueprint("procedures_api", __name__, url_prefix="/api")
VALIDATE_LIMIT = "30 per minute"  # the modeler validates on demand; a loop of checks would starve the server
bp.before_request(require_json)


@bp.errorhandler(LintFailed)
def lint_failed(exc: LintFailed) -> ResponseReturnValue:
    """The model has errors that block the action: 422 with every finding."""
    return jsonify(error=str(exc), fields=error_fields(exc.problems), problems=localise_all(exc.problems)), 422


@bp.get("/procedures/<code>")
@login_required
def procedure(code: str) -> ResponseReturnValue:
    """A procedure's catalog entry, ISO metadata and versions."""
    db = database()
    data = {**procedures.get_procedure(db, code), "versions": versions.list_versions(db, code)}
    return jsonify(ProcedureSchema().dump(data))


@bp.get("/procedures/<code>/versions")
@login_required
def list_versions(code: str) -> ResponseReturnValue:
    """Every version of a procedure, oldest first."""
    return jsonify(VersionSchema(many=True).dump(versions.list_versions(database(), code)))


@bp.get("/procedures/<code>/versions/<int:version>/bpmn")
@login_required
def version_bpmn(code: str, version: int) -> ResponseReturnValue:
    """A version's BPMN, exactly as saved (?download=1 to save it as a file)."""
    reply = Response(versions.version_xml(database(), code, version), mimetype="application/xml")
    if request.args.get("download"):
        reply.headers["Content-Disposition"] = f'attachment; filename="{code}-v{version}.bpmn"'
    return reply


@bp.put("/procedures/<code>/draft")
@login_required
def save_draft(code: str) -> ResponseReturnValue:
    """Create or update the procedure's one open draft; well-formed BPMN is saved even with problems."""
    body = load_body(DraftSchema())
    try:
        saved = versions.save_draft(database(), clock(), g.user, code, body["xml"], body["note"])
    except ModelInvalid as exc:
        return jsonify(error="the BPMN cannot be read", problems=model_problems(exc)), 422
    return jsonify(SavedDraftSchema().dump({**saved, "problems": localise_all(saved["problems"])}))


@bp.post("/procedures/validate")
@login_required
@limiter.limit(VALIDATE_LIMIT)
def validate() -> ResponseReturnValue:
    """Every validator problem and design finding of a BPMN text; nothing is saved. Only those who edit
    procedures (quality managers, administrators) may: a check costs CPU in the model's size (issue 12)."""
    if not may_edit_procedures():
        abort(403)
    if (request.content_length or 0) > 2 * MAX_BPMN_BYTES:  # refused before the body is read (JSON escapes)
        size = {"limit_mb": MAX_BPMN_BYTES // 1024 // 1024}
        return jsonify(error=problem_message("file_too_large", size, "file too large"), problems=[]), 413
    body = load_body(ValidateSchema())
    try:
        with database().read() as conn:
            problems = localise_all(problems_of(lint_xml(conn, body["xml"], body["code"])))
    except ModelInvalid as exc:
        problems = model_problems(exc)
        too_big = [p for p in exc.problems if p.code in ("file_too_large", "too_many_elements")]
        if too_big:
            return jsonify(error=problems[0]["message"], problems=problems), 413
    return jsonify(ProblemsSchema().dump({"problems": problems}))


@bp.get("/procedures/<code>/diff")
@login_required
def diff(code: str) -> ResponseReturnValue:
    """Elements added, removed and changed from version ?from= to version ?to=."""
    source, target = request.args.get("from", type=int), request.args.get("to", type=int)
    if source is None or target is None:
        raise InvalidInput("give the two versions as ?from=<n>&to=<n>", {"from": "required", "to": "required"})
    return jsonify(DiffSchema().dump(version_views.diff(database(), code, source, target)))


@bp.post("/procedures/<code>/versions/<int:version>/submit")
@login_required
def submit(code: str, version: int) -> ResponseReturnValue:
    """Send a draft for approval (QT-ISO-01); 422 with the problems when lint finds errors."""
    body = load_body(SubmitSchema())
    sent = versions.submit(database(), clock(), g.user, code, version, body["note"])
    return jsonify(SubmittedSchema().dump({**sent, "problems": localise_all(sent.get("problems", []))}))


@bp.post("/procedures/<code>/migrations/dry-run")
@login_required
def migration_dry_run(code: str) -> ResponseReturnValue:
    """Which running cases of a version could move to a newer one, and why the others cannot."""
    body = load_body(MigrationRequestSchema())
    result = migration.dry_run(database(), clock(), g.user, code, body["source"], body["target"], body["filter"])
    return jsonify(MigrationResultSchema().dump(result))


@bp.post("/procedures/<code>/migrations")
@login_required
def migrate(code: str) -> ResponseReturnValue:
    """Move the movable running cases; each move is logged and can be reverted."""
    body = load_body(MigrationRequestSchema())
    result = migration.migrate(database(), clock(), g.user, code, body["source"], body["target"], body["filter"])
    return jsonify(MigrationResultSchema().dump(result))


@bp.get("/procedures/<code>/migrations")
@login_required
def list_migrations(code: str) -> ResponseReturnValue:
    """Every migration of a procedure with its per-case outcomes."""
    rows = migration.list_migrations(database(), code)
    return jsonify(MigrationSchema(many=True).dump(rows))


@bp.post("/procedures/<code>/migrations/<int:migration_id>/revert")
@login_required
def revert(code: str, migration_id: int) -> ResponseReturnValue:
    """Put the cases a migration moved back exactly as they were (unless they moved on since)."""
    return jsonify(RevertResultSchema().dump(migration.revert(database(), clock(), g.user, code, migration_id)))
