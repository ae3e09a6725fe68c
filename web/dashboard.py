"""The leader dashboard: received / in progress / done, early / on time / late per unit and procedure, overdue,
the monthly trend, and the same figures as an XLSX workbook."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from documents.tables_xlsx import Sheet, tables_xlsx
from processes import stats

from .auth import login_required
from .charts import columns, stacked_bars
from .context import clock, database
from .labels import RESULT_LABELS, VN
from .permissions import may_see_dashboard
from .request_args import period

bp = Blueprint("dashboard", __name__)

RESULTS = ("early", "on_time", "late")
PRESETS = ("week", "month", "quarter", "year")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _asked() -> tuple[dt.date, dt.date, str]:
    """The period and what the "Kỳ" box shows: a preset, or "custom" when dates were typed (the box said
    "Tháng này" over a custom 2025 range, issue 13)."""
    if not may_see_dashboard():
        abort(403)
    today = clock().now().astimezone(VN).date()
    since, until = period(request.args, today)
    custom = bool(request.args.get("from") or request.args.get("to"))
    preset = request.args.get("period", "month")
    # a period word the box does not know (?period=2025) counts as this month, which period() computed
    return since, until, "custom" if custom else (preset if preset in PRESETS else "month")


@bp.get("/dashboard")
@login_required
def index() -> ResponseReturnValue:
    """Figures for the agencies the user leads or oversees."""
    since, until, preset = _asked()
    board = stats.dashboard(database(), g.user, clock(), since, until)
    trend = stats.monthly(database(), g.user, clock(), since, until)
    labels = {k: str(v) for k, v in RESULT_LABELS.items()} | {"received": _("Tiếp nhận")}
    charts = {
        "procedures": stacked_bars([(c.label, c.__dict__) for c in board.by_procedure], RESULTS,
                                   _("Kết quả giải quyết theo thủ tục"), labels=labels),
        "units": stacked_bars([(c.label, c.__dict__) for c in board.steps_by_unit], RESULTS,
                              _("Kết quả xử lý các bước theo đơn vị"), width=1000, label_width=300, labels=labels),
        "flow": stacked_bars([(_("Tiếp nhận"), {"received": board.total.received}),
                              (_("Đang giải quyết"), {"open": board.total.open}),
                              (_("Đã giải quyết"), {"done": board.total.done}),
                              (_("Đang quá hạn"), {"overdue": board.total.overdue})],
                             ("received", "open", "done", "overdue"), _("Hồ sơ trong kỳ"), width=420,
                             label_width=130),
        "trend": columns([(f"{m.month:%m/%Y}", m.__dict__) for m in trend], RESULTS,
                         _("Xu hướng theo tháng"), labels=labels, line="received"),
    }
    return render_template("dashboard/index.html", board=board, charts=charts, preset=preset, trend=trend)


def _counts_rows(items: list[stats.Counts]) -> list[tuple]:
    return [(c.key, c.label, c.received, c.open, c.done, c.early, c.on_time, c.late,
             c.rate("early") + c.rate("on_time"), c.overdue) for c in items]


@bp.get("/dashboard.xlsx")
@login_required
def export() -> ResponseReturnValue:
    """The dashboard's figures for the same period as a workbook: procedures, agencies, units, months."""
    since, until, _preset = _asked()
    board = stats.dashboard(database(), g.user, clock(), since, until)
    trend = stats.monthly(database(), g.user, clock(), since, until)
    span = _("từ %(a)s đến %(b)s", a=f"{since:%d/%m/%Y}", b=f"{until:%d/%m/%Y}")
    early, on_time, late = (str(RESULT_LABELS[k]) for k in RESULTS)
    header = (_("Mã"), _("Tên"), _("Tiếp nhận"), _("Đang giải quyết"), _("Đã giải quyết"), early, on_time, late,
              _("Tỷ lệ trước hạn và đúng hạn"), _("Đang quá hạn"))
    sheets = [
        Sheet(_("Theo thủ tục"), _("Kết quả giải quyết theo thủ tục") + f" ({span})", header,
              _counts_rows(board.by_procedure), (8,)),
        Sheet(_("Theo cơ quan"), _("Kết quả giải quyết theo cơ quan") + f" ({span})", header,
              _counts_rows(board.by_agency), (8,)),
        Sheet(_("Các bước theo đơn vị"), _("Kết quả xử lý các bước theo đơn vị") + f" ({span})",
              (_("Mã"), _("Đơn vị"), _("Bước đã xong"), early, on_time, late, _("Đang quá hạn")),
              [(c.key, c.label, c.done, c.early, c.on_time, c.late, c.overdue) for c in board.steps_by_unit]),
        Sheet(_("Theo tháng"), _("Xu hướng theo tháng") + f" ({span})",
              (_("Tháng"), _("Tiếp nhận"), _("Đã giải quyết"), early, on_time, late),
              [(f"{m.month:%m/%Y}", m.received, m.done, m.early, m.on_time, m.late) for m in trend]),
    ]
    name = f"thong-ke-ho-so-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"
    return Response(tables_xlsx(sheets), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
