"""The what-if through the API (issue 18): start a simulation of a version against the one in force as a job,
then read its progress and, once done, its result (the same figures the page shows side by side).

POST answers 201 with the job; a bad request (unknown version or role, a draft with a dead end) is refused
at once with 422 and the problems, and nothing is queued. Only the quality manager may ask.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, url_for
from flask.typing import ResponseReturnValue

from jobs import submit
from processes import jobs, procedures
from processes.lint import LintFailed
from simulation.job import check

from ..auth import login_required
from ..context import clock, database, job_queue
from ..permissions import role_kinds
from ..problem_text import error_fields, localise_all
from .bodies import load_body, require_json
from .what_if_schemas import WhatIfJobSchema, WhatIfRequestSchema

bp = Blueprint("what_if_api", __name__, url_prefix="/api")
bp.before_request(require_json)


@bp.before_request
@login_required
def quality_manager_only() -> None:
    """The what-if is the quality manager's."""
    with database().read() as conn:
        if not procedures.may_edit(conn, g.user):
            abort(403)


@bp.errorhandler(LintFailed)
def lint_failed(exc: LintFailed) -> ResponseReturnValue:
    """The draft has errors that would block sending it for approval: 422 with every finding."""
    return jsonify(error=str(exc), fields=error_fields(exc.problems), problems=localise_all(exc.problems)), 422


def _shown(job: jobs.Job) -> dict[str, Any]:
    return {"id": job.id, "title": job.title, "status": job.status, "percent": job.percent, "message": job.message,
            "error": job.error or None, "params": job.params,
            "url": url_for("what_if_api.follow", job_id=job.id),
            "page": url_for("what_if.page", code=job.params["code"], version=job.params["version"], job=job.id),
            "result": job.result if job.status == jobs.DONE else None}


@bp.post("/procedures/<code>/versions/<int:version>/what-if")
def start(code: str, version: int) -> ResponseReturnValue:
    """Check the request and queue the simulation; 201 with the job to follow (Location: where)."""
    body = load_body(WhatIfRequestSchema())
    params = {"code": code, "version": version, "year": body["year"], "roster": body["roster"]}
    check(database(), params)
    params["roster"] = {k: v for k, v in body["roster"].items() if v}
    job = submit(database(), clock(), job_queue(), "what_if", params, g.user, max_attempts=1)
    shown = _shown(job)
    return jsonify(WhatIfJobSchema().dump(shown)), 201, {"Location": shown["url"]}


@bp.get("/what-if/<int:job_id>")
def follow(job_id: int) -> ResponseReturnValue:
    """A what-if job: its progress, then its result (the version in force and the change side by side)."""
    job = jobs.get_for(database(), job_id, g.user, "admin" in role_kinds())
    if job.kind != "what_if":
        abort(404)
    reply = jsonify(WhatIfJobSchema().dump(_shown(job)))
    reply.headers["Cache-Control"] = "no-store"
    return reply
