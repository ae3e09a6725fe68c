"""What-if on a version's page (issue 18): a year simulated on the version in force and on this version (or
another roster), side by side.

The simulation runs as a background job (kind "what_if", simulation/job.py): the form posts, the request is
checked at once (a draft with a dead end is refused like when it is sent for approval, nothing is queued),
and the page follows the job — a progress bar polled by the site's static/jobs.js, which reloads the page
when the job ends, so the result is rendered here by the server, side by side with its charts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from jobs import submit
from processes import jobs, procedures
from processes.errors import InvalidInput, NotFound
from processes.lint import LintFailed
from simulation.job import check, element_names, roles_of

from .auth import login_required
from .context import clock, database, job_queue
from .error_text import error_message
from .jobs import state
from .permissions import role_kinds
from .problem_text import localise_all
from .what_if_charts import numbers, outcome_bars, queue_columns, spread_columns

bp = Blueprint("what_if", __name__, url_prefix="/quality/procedures")
ROSTER_FIELD = "roster-"  # one number input per role: holders added (+) or removed (−)


@bp.before_request
@login_required
def quality_manager_only() -> None:
    """The what-if is the quality manager's (the procedure's editor)."""
    with database().read() as conn:
        if not procedures.may_edit(conn, g.user):
            abort(403)


def _roles(code: str, version: int) -> list[dict[str, str]]:
    try:
        return roles_of(database(), code, version)
    except NotFound:
        abort(404)


def _job(code: str, version: int) -> jobs.Job | None:
    """The what-if job named by ?job=, if it is the user's and about this version."""
    job_id = request.args.get("job", type=int)
    if job_id is None:
        return None
    job = jobs.get_for(database(), job_id, g.user, "admin" in role_kinds())
    if job.kind != "what_if" or job.params.get("code") != code or int(job.params.get("version", -1)) != version:
        abort(404)
    return job


@bp.get("/<code>/versions/<int:version>/what-if")
def page(code: str, version: int) -> ResponseReturnValue:
    """The form; with ?job=…, that simulation's progress, then its result side by side."""
    roles = _roles(code, version)
    job = _job(code, version)
    params = job.params if job is not None else {"year": dt.date.today().year + 1, "roster": {}}
    return _render(code, version, roles, params, job)


@bp.post("/<code>/versions/<int:version>/what-if")
def start(code: str, version: int) -> ResponseReturnValue:
    """Check the request and start the simulation as a job; back to this page, which follows it."""
    roles = _roles(code, version)
    form = request.form
    roster = {r["code"]: form.get(f"{ROSTER_FIELD}{r['code']}", "0").strip() or "0" for r in roles}
    params: dict[str, Any] = {"code": code, "version": version, "year": form.get("year", "").strip(),
                              "roster": roster}
    problems: list[str] = []
    try:
        check(database(), params)
        params["year"] = int(params["year"])
        params["roster"] = {k: int(v) for k, v in roster.items() if int(v)}
        job = submit(database(), clock(), job_queue(), "what_if", params, g.user, max_attempts=1)
    except LintFailed as exc:
        names = element_names(database(), code, version)
        problems = [f"{names[p['element_id']]}: {p['message']}" if p.get("element_id") in names else p["message"]
                    for p in localise_all(exc.problems) if p.get("severity") == "error"]
    except InvalidInput as exc:
        problems = [str(v) for v in exc.errors.values()] or [error_message(exc)]
    if problems:
        return _render(code, version, roles, params, None, problems), 400
    return redirect(url_for("what_if.page", code=code, version=version, job=job.id))


def _render(code: str, version: int, roles: list[dict[str, str]], params: dict[str, Any], job: jobs.Job | None,
            problems: list[str] | None = None) -> str:
    result = job.result if job is not None and job.status == jobs.DONE else None
    return render_template(
        "quality/what_if.html", code=code, version=version, roles=roles, params=params, job=job,
        job_state=state(job) if job is not None else None, result=result, problems=problems or [],
        roster_field=ROSTER_FIELD, fmt=numbers, title=_("Dự báo tác động"),
        outcome_chart=outcome_bars(result) if result else None,
        spread_chart=spread_columns(result) if result else None,
        queue_charts=queue_columns(result) if result else [])
