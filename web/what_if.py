"""What-if on a version's page (issue 18): a year simulated on the version in force and on this version
(or another roster), side by side.

Runs in the request for now (a district's year takes seconds); simulation.job.run_what_if is the same
work as a background job, for when the jobs queue offers a "what_if" kind. Registration: add this module
to web/blueprints.PAGES, and a link to `what_if.page` on the version page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from processes import procedures
from processes.errors import InvalidInput, NotFound
from processes.lint import LintFailed
from processes.version_status import OPEN
from processes.versions import list_versions, version_xml
from simulation.whatif import what_if

from .auth import login_required
from .charts import stacked_bars
from .context import database
from .error_text import error_message

bp = Blueprint("what_if", __name__, url_prefix="/quality/procedures")


def number(value: float | int | None, decimals: int = 1) -> str:
    """A number the Vietnamese way (decimal comma, dot between thousands); a dash when unknown."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(share: float | None) -> str:
    """A share as a Vietnamese percentage: 0.924 → '92,4 %'."""
    return "—" if share is None else f"{number(share * 100)} %"


def days(value: float | None) -> str:
    """Working days in words: 6.25 → '6,2 ngày làm việc' (a dash when no dossier finished)."""
    return "—" if value is None else f"{number(value)} ngày làm việc"


def read_roster(text: str) -> dict[str, int]:
    """Roster changes typed as lines `role +1` (the same as `quytrinh simulate --roster`)."""
    changes: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split("#", 1)[0].replace(":", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[1].lstrip("+-").isdigit():
            raise InvalidInput(f"Dòng không hiểu được: {line.strip()}")
        changes[parts[0]] = changes.get(parts[0], 0) + int(parts[1])
    return changes


@bp.route("/<code>/versions/<int:version>/what-if", methods=["GET"])
@login_required
def page(code: str, version: int) -> ResponseReturnValue:
    """The form; with ?year=…, the year simulated on the version in force and on this version."""
    with database().read() as conn:
        if not procedures.may_edit(conn, g.user):
            abort(403)
    year = request.args.get("year", type=int)
    roster_text = request.args.get("roster", "")
    result: dict[str, Any] | None = None
    problems: list[str] = []
    if year is not None:
        try:
            result = _simulate(code, version, year, read_roster(roster_text))
        except LintFailed as exc:
            problems = [p["message"] for p in exc.problems if p.get("severity") == "error"] or [str(exc)]
        except InvalidInput as exc:
            problems = [error_message(exc)]
    return render_template("quality/what_if.html", code=code, version=version, year=year or dt.date.today().year + 1,
                           roster=roster_text, result=result, problems=problems, number=number,
                           percent=percent, days=days, chart=_chart(result) if result else None)


def _chart(result: dict[str, Any]) -> Markup:
    """Dossiers expected on time and late, one bar per column."""
    rows = [(title, {"on_time": s["dossiers"] - s["late"], "late": s["late"]})
            for title, s in (("Hiện hành", result["current"]), ("Sau thay đổi", result["changed"])) if s]
    return stacked_bars(rows, ("on_time", "late"), "Hồ sơ đúng hạn và trễ hạn dự kiến", label_width=120,
                        labels={"on_time": "đúng hạn", "late": "trễ hạn"})


def _simulate(code: str, version: int, year: int, roster: dict[str, int]) -> dict[str, Any]:
    db = database()
    try:
        states = {v["version"]: v.get("status") for v in list_versions(db, code)}
    except NotFound:
        states = {}
    if states.get(version) in OPEN:  # not in force yet: checked like a draft sent for approval
        found = what_if(db, code, year, draft=version_xml(db, code, version), roster_changes=roster or None)
    else:
        found = what_if(db, code, year, version=version, roster_changes=roster or None)
    return found.as_dict()
