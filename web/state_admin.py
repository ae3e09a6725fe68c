"""The administrator's list of cases whose stored workflow state this release cannot read (issue 11 item 3).

Such a case is stuck: officers who open it are told the administrator must check it. This page tells the
administrator which cases (of the units they administer), of which procedure and version, and why, and what
can be done; `quytrinh db check-states` gives the same list in the shell.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import state_check

from .administration import admin_required
from .context import database

bp = Blueprint("state_admin", __name__)


def problem_text(case: state_check.UnreadableCase) -> str:
    """Why the case's state does not load, in the reader's language (the technical detail is shown apart)."""
    if case.problem == state_check.NO_CONVERTER:
        return _("Trạng thái được ghi bởi phiên bản “%(version)s”; bản phát hành đang chạy không có bộ chuyển đổi "
                 "từ phiên bản đó.", version=case.version or "?")
    if case.problem == state_check.REFUSED:
        return _("Bộ chuyển đổi trạng thái không chuyển được trạng thái của hồ sơ này.")
    return _("Trạng thái đã lưu không khôi phục được (dữ liệu hỏng hoặc không khớp với phiên bản quy trình).")


@bp.get("/admin/states")
@admin_required
def unreadable() -> ResponseReturnValue:
    """Running cases of this administrator's units whose stored state cannot be read, with the reason."""
    cases = state_check.unreadable_cases_for(database(), g.user)
    return render_template("admin/states.html", cases=cases, problem_text=problem_text)
