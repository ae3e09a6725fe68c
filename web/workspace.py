"""The officer workspace and citizen pages: blueprint registration, labels and template helpers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l

from .audit import READERS as AUDIT_READERS
from .auth import memberships

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COUNTER_ROLES = ("mot_cua",)
DASHBOARD_KINDS = ("leader", "admin", "quality", "auditor")

SLA_LABELS = {"on_track": _l("Trong hạn"), "due_soon": _l("Sắp đến hạn"), "overdue": _l("Quá hạn"),
              "paused": _l("Tạm dừng")}
RESULT_LABELS = {"early": _l("Sớm hạn"), "on_time": _l("Đúng hạn"), "late": _l("Trễ hạn")}
CHANNEL_LABELS = {"truc_tiep": _l("Trực tiếp"), "truc_tuyen": _l("Trực tuyến"), "buu_chinh": _l("Bưu chính")}
KIND_LABELS = {"original": _l("Bản chính"), "certified": _l("Bản sao chứng thực"), "photocopy": _l("Bản sao/bản chụp"),
               "electronic": _l("Bản điện tử")}
STATE_LABELS = {"ready": _l("Chờ nhận"), "claimed": _l("Đã nhận"), "completed": _l("Đã xong"),
                "cancelled": _l("Đã hủy")}
STATUS_LABELS = {1: _l("Mới nộp trực tuyến"), 2: _l("Đã tiếp nhận"), 3: _l("Từ chối"), 4: _l("Đang giải quyết"),
                 5: _l("Yêu cầu bổ sung"), 6: _l("Chờ thực hiện nghĩa vụ tài chính"), 7: _l("Đã rút hồ sơ"),
                 8: _l("Dừng xử lý"), 9: _l("Đã giải quyết"), 10: _l("Đã trả kết quả")}
OUTCOME_LABELS = {"accepted": _l("Tiếp nhận"), "supplement": _l("Yêu cầu bổ sung, hoàn thiện"),
                  "refused": _l("Từ chối tiếp nhận")}
LIFECYCLE_LABELS = {
    "case_start": _l("Tiếp nhận hồ sơ vào hệ thống"), "schedule": _l("Chuyển đến bước"), "assign": _l("Giao xử lý"),
    "claim": _l("Nhận xử lý"), "unclaim": _l("Trả lại hàng chờ"), "complete": _l("Hoàn thành bước"),
    "withdraw": _l("Thu hồi bước"), "case_complete": _l("Kết thúc hồ sơ"), "case_cancel": _l("Hủy hồ sơ"),
    "dossier_status": _l("Đổi trạng thái hồ sơ"), "sla_due_set": _l("Ấn định ngày hẹn trả"),
    "sla_paused": _l("Tạm dừng tính thời hạn"), "sla_resumed": _l("Tiếp tục tính thời hạn"),
    "sla_marked_late": _l("Ghi nhận trễ hạn (bổ sung lần 2)"), "sla_extended": _l("Hẹn lại ngày trả"),
    "sla_due_soon": _l("Sắp đến hạn"), "sla_overdue": _l("Quá hạn"), "sla_escalated": _l("Báo cáo lãnh đạo"),
    "apology_requested": _l("Đề nghị thư xin lỗi"), "apology_signed": _l("Ký thư xin lỗi"),
    "apology_dismissed": _l("Không chấp thuận thư xin lỗi"), "attachment_added": _l("Đính kèm tệp"),
    "comment_added": _l("Ý kiến trao đổi"), "timer_fired": _l("Hết thời gian chờ"),
}
APOLOGY_LABELS = {"pending": _l("Chờ ký"), "signed": _l("Đã ký"), "dismissed": _l("Không chấp thuận")}
DOCUMENT_LABELS = {"receipt": _l("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
                   "control_sheet": _l("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
                   "supplement_request": _l("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
                   "refusal": _l("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
                   "apology": _l("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
                   "stop_notice": _l("Thông báo dừng giải quyết hồ sơ")}
SCORE_LABELS = {5: _l("Rất hài lòng"), 4: _l("Hài lòng"), 3: _l("Bình thường"), 2: _l("Không hài lòng"),
                1: _l("Rất không hài lòng")}

# The engine's and the use cases' field messages, as people at the counter read them.
_MESSAGES: list[tuple[re.Pattern, Any]] = [
    (re.compile(r"^(this field is )?required$"), lambda m: _l("Bắt buộc nhập.")),
    (re.compile(r"^must be a whole number$"), lambda m: _l("Phải là số nguyên.")),
    (re.compile(r"^must be at least (-?\d+)$"), lambda m: _l("Không được nhỏ hơn %(n)s.", n=m.group(1))),
    (re.compile(r"^must be at most (-?\d+)$"), lambda m: _l("Không được lớn hơn %(n)s.", n=m.group(1))),
    (re.compile(r"^must have at least (\d+) characters$"), lambda m: _l("Cần ít nhất %(n)s ký tự.", n=m.group(1))),
    (re.compile(r"^must have at most (\d+) characters$"), lambda m: _l("Tối đa %(n)s ký tự.", n=m.group(1))),
    (re.compile(r"^at most (\d+) characters$"), lambda m: _l("Tối đa %(n)s ký tự.", n=m.group(1))),
    (re.compile(r"^must be a date written YYYY-MM-DD$"), lambda m: _l("Ngày không hợp lệ.")),
    (re.compile(r"^must be one of: .*$"), lambda m: _l("Chọn một giá trị trong danh sách.")),
    (re.compile(r"^must be true or false$"), lambda m: _l("Chỉ nhận có hoặc không.")),
    (re.compile(r"^must be text$"), lambda m: _l("Phải là văn bản.")),
    (re.compile(r"^unknown field for this step$"), lambda m: _l("Trường không thuộc biểu mẫu này.")),
    (re.compile(r"^6-20 letters or digits.*$"), lambda m: _l("Từ 6 đến 20 chữ cái hoặc chữ số (CCCD: 12 số).")),
    (re.compile(r"^not a phone number$"), lambda m: _l("Số điện thoại không hợp lệ.")),
    (re.compile(r"^not an e-mail address$"), lambda m: _l("Địa chỉ thư điện tử không hợp lệ.")),
    (re.compile(r"^choose how the dossier was submitted$"), lambda m: _l("Chọn kênh nộp hồ sơ.")),
    (re.compile(r"^say what is missing$"), lambda m: _l("Ghi rõ nội dung cần bổ sung.")),
    (re.compile(r"^say why the dossier is refused$"), lambda m: _l("Ghi rõ lý do từ chối.")),
    (re.compile(r"^(.*: )?not a real \.(\w+) file$"), lambda m: _l("%(p)sNội dung tệp không đúng định dạng .%(e)s.",
                                                                  p=m.group(1) or "", e=m.group(2))),
    (re.compile(r"^(.*: )?accepted: (.*)$"), lambda m: _l("%(p)sChỉ nhận tệp %(t)s.", p=m.group(1) or "",
                                                          t=m.group(2))),
    (re.compile(r"^(.*: )?at most (\d+) MB$"), lambda m: _l("%(p)sTệp quá lớn (tối đa %(n)s MB).",
                                                            p=m.group(1) or "", n=m.group(2))),
    (re.compile(r"^(.*: )?empty file$"), lambda m: _l("%(p)sTệp rỗng.", p=m.group(1) or "")),
]


def field_message(text: str) -> str:
    """A field error in the page's language (the raw text when it is not a known message)."""
    for pattern, make in _MESSAGES:
        match = pattern.match(str(text))
        if match:
            return str(make(match))
    return str(text)


def vn_time(value: dt.datetime | str | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    """An instant as Vietnamese officers read it (Asia/Ho_Chi_Minh)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(VN).strftime(fmt)
    return value.strftime("%d/%m/%Y")


def vn_date(value: dt.datetime | dt.date | str | None) -> str:
    """A date as dd/mm/yyyy (instants in Vietnam time)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return vn_time(value, "%d/%m/%Y")


_ISO = re.compile(r"^P(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?)?$")


def duration_text(iso: str | None) -> str:
    """A time limit as people say it: 'P15D' → '15 ngày làm việc', 'same_day' → 'trong ngày'."""
    from flask_babel import gettext as _

    if not iso:
        return ""
    if iso.strip().lower() == "same_day":
        return _("trong ngày")
    match = _ISO.match(iso.strip().upper())
    if not match or not any(match.groups()):
        return iso
    days, hours, minutes = (x.replace(".", ",") if x else None for x in match.groups())
    parts = [text for value, text in ((days, _("%(n)s ngày", n=days)), (hours, _("%(n)s giờ", n=hours)),
                                      (minutes, _("%(n)s phút", n=minutes))) if value]
    return _("%(d)s làm việc", d=" ".join(parts))


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DETAIL_PREFIX = {"due_at": _l("hạn"), "appointment_at": _l("hẹn trả"), "new_appointment_at": _l("hẹn trả mới"),
                  "assignee": _l("giao cho")}
_REASONS = {"supplement": _l("chờ bổ sung hồ sơ"), "payment": _l("chờ thực hiện nghĩa vụ tài chính")}


def timeline_details(entry: Any) -> list[str]:
    """The event details worth a line on the timeline, in words and Vietnam time."""
    found = []
    for key, value in (entry.details or {}).items():
        if key == "label":
            continue
        if key == "to":
            text = (str(STATUS_LABELS.get(value, value)) if entry.lifecycle == "dossier_status"
                    else f"{_DETAIL_PREFIX['new_appointment_at']} {vn_time(value)}" if isinstance(value, str)
                    and _INSTANT.match(value) else str(value))
        elif isinstance(value, str) and _INSTANT.match(value):
            text = f"{_DETAIL_PREFIX.get(key, '')} {vn_time(value)}".strip()
        elif key == "reason" and value in _REASONS:
            text = str(_REASONS[value])
        elif key in _DETAIL_PREFIX:
            text = f"{_DETAIL_PREFIX[key]} {value}"
        else:
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        found.append(text)
    return found


def is_counter() -> bool:
    """True when the user works at a one-stop counter."""
    return any(m.role in COUNTER_ROLES for m in memberships())


def may_see_dashboard() -> bool:
    """True for leaders, quality managers, auditors and administrators."""
    return any(m.role_kind in DASHBOARD_KINDS for m in memberships())


def attachments_root() -> Path:
    """Where uploads are kept: ATTACHMENTS_DIR, else instance/attachments (never under static/)."""
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def _unread() -> int:
    from sqlalchemy import func, select

    from processes.schema import notifications

    from .context import database

    with database().read() as conn:
        return conn.execute(select(func.count()).select_from(notifications).where(
            notifications.c.username == g.user, notifications.c.read_at.is_(None))).scalar_one()


def register(app: Flask) -> None:
    """Register the workspace's blueprints, filters and menu data."""
    from . import apologies, citizen, dashboard, dossiers, officer, personal, reception
    from .api import personal_api, public_api, workspace_api
    from .extensions import csrf

    apis = (workspace_api, personal_api, public_api)
    for module in (officer, reception, dossiers, apologies, personal, dashboard, citizen, *apis):
        app.register_blueprint(module.bp)
    for module in apis:  # JSON bodies only (see web.api.require_json), so no CSRF token
        csrf.exempt(module.bp)
    app.jinja_env.filters.update(vn_time=vn_time, vn_date=vn_date, field_message=field_message,
                                 duration=duration_text, timeline_details=timeline_details)
    app.jinja_env.globals.update(
        SLA_LABELS=SLA_LABELS, RESULT_LABELS=RESULT_LABELS, CHANNEL_LABELS=CHANNEL_LABELS, KIND_LABELS=KIND_LABELS,
        STATE_LABELS=STATE_LABELS, STATUS_LABELS=STATUS_LABELS, OUTCOME_LABELS=OUTCOME_LABELS,
        LIFECYCLE_LABELS=LIFECYCLE_LABELS, SCORE_LABELS=SCORE_LABELS, APOLOGY_LABELS=APOLOGY_LABELS,
        DOCUMENT_LABELS=DOCUMENT_LABELS)

    @app.context_processor
    def workspace_menu() -> dict[str, Any]:
        """What the menu shows: counter, dashboard, apologies, procedures, audits, unread notifications."""
        if g.get("user") is None or g.get("via_token"):
            return {"menu": None}
        kinds = {m.role_kind for m in memberships()}
        leads = "leader" in kinds
        return {"menu": {"counter": is_counter(), "dashboard": may_see_dashboard(), "leader": leads,
                         "procedures": bool(kinds & {"quality", "admin", "leader"}),
                         "audit": bool(kinds & set(AUDIT_READERS)), "unread": _unread()}}
