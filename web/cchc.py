"""Pages of the district's oversight (issue 17): the CCHC plan's progress per section and unit, the quality-system
registry, the year's inspections. Read-only; staff with a role read them (the plan is the district's own)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from oversight import inspections, plan_progress, registry
from processes import cchc_plan
from processes import inspections as inspection_records
from processes.keys import VN

from .auth import login_required
from .context import clock, database
from .permissions import role_kinds

bp = Blueprint("cchc", __name__, url_prefix="/cchc")


@bp.before_request
@login_required
def staff_only() -> None:
    """Anyone holding a role in the organisation reads these pages."""
    if not role_kinds():
        abort(403)


def _today() -> dt.date:
    return clock().now().astimezone(VN).date()


def _year() -> int:
    text = (request.args.get("year") or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else _today().year


def _day() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("date") or "")
    except ValueError:
        return _today()


@bp.get("/plan")
def plan() -> ResponseReturnValue:
    """The year's plan: each section and lead unit done on time / late, overdue, open; every item."""
    year = _year()
    day = min(_day(), dt.date(year, 12, 31)) if year < _today().year else _day()
    names = {u.code: u.name for u in cchc_plan.directory(database()).units}
    return render_template("cchc/plan.html", year=year, progress=plan_progress.progress(database(), year, day),
                           states=plan_progress.STATE_NAMES, names=names, years=cchc_plan.plan_years(database()))


@bp.get("/registry")
def registry_page() -> ResponseReturnValue:
    """Each agency's quality system and what is behind."""
    day = _day()
    return render_template("cchc/registry.html", day=day, lines=registry.registry(database(), day))


@bp.get("/inspections")
def inspections_page() -> ResponseReturnValue:
    """The year's inspections and coverage against the target."""
    year = _year()
    names = {u.code: u.name for u in cchc_plan.directory(database()).units}
    return render_template("cchc/inspections.html", year=year, coverage=inspections.coverage(database(), year),
                           rows=inspection_records.list_inspections(database(), year), names=names)
