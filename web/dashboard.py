"""The leader dashboard: received / in progress / done, early / on time / late per unit and procedure, overdue."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import stats

from .auth import login_required
from .charts import stacked_bars
from .context import clock, database
from .labels import RESULT_LABELS, VN
from .permissions import may_see_dashboard
from .request_args import period

bp = Blueprint("dashboard", __name__)


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
