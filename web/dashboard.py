"""The leader dashboard: received / in progress / done, early / on time / late per unit and procedure, overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import stats

from .auth import login_required
from .charts import stacked_bars
from .context import clock, database
from .workspace import RESULT_LABELS, VN, may_see_dashboard

bp = Blueprint("dashboard", __name__)


def period(args: Mapping[str, str], today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for (from / to, or a preset), this month by default; at most ten years."""
    preset = args.get("period", "month")
    try:
        since = dt.date.fromisoformat(args["from"]) if args.get("from") else None
        until = dt.date.fromisoformat(args["to"]) if args.get("to") else None
    except ValueError:
        since = until = None
    if since is not None and until is None:
        until = max(since, today)
    elif until is not None and since is None:
        since = until.replace(day=1)
    if since is None or until is None:
        if preset == "year":
            since, until = today.replace(month=1, day=1), today
        elif preset == "quarter":
            since, until = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
        elif preset == "week":
            since, until = today - dt.timedelta(days=today.weekday()), today
        else:
            since, until = today.replace(day=1), today
    if until < since:
        since, until = until, since
    return max(since, until - dt.timedelta(days=3660)), until


@bp.get("/dashboard")
@login_required
def index() -> ResponseReturnValue:
    """Figures for the agencies the user leads or oversees."""
    if not may_see_dashboard():
        abort(403)
    today = clock().now().astimezone(VN).date()
    since, until = period(request.args, today)
    board = stats.dashboard(database(), g.user, clock(), since, until)
    results = ("early", "on_time", "late")
    labels = {k: str(v) for k, v in RESULT_LABELS.items()}
    charts = {
        "procedures": stacked_bars([(c.label, c.__dict__) for c in board.by_procedure], results,
                                   _("Kết quả giải quyết theo thủ tục"), labels=labels),
        "units": stacked_bars([(c.label, c.__dict__) for c in board.steps_by_unit], results,
                              _("Kết quả xử lý các bước theo đơn vị"), width=1000, label_width=260, labels=labels),
        "flow": stacked_bars([(_("Tiếp nhận"), {"received": board.total.received}),
                              (_("Đang giải quyết"), {"open": board.total.open}),
                              (_("Đã giải quyết"), {"done": board.total.done}),
                              (_("Quá hạn"), {"overdue": board.total.overdue})],
                             ("received", "open", "done", "overdue"), _("Hồ sơ trong kỳ"), width=420,
                             label_width=130),
    }
    return render_template("dashboard/index.html", board=board, charts=charts, preset=request.args.get("period",
                                                                                                        "month"))
