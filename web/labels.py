"""Words and formats of the pages: label tables, status names, times in Vietnam time, time limits in words.

Every label is a Vietnamese msgid of web/translations (English pages get the .po translation).
Status names are not kept here: each status enum carries its own (processes.statuses, dossier_rules,
version_status); this module only wraps them for gettext.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from processes.apology import ApologyState
from processes.dossier_rules import DossierStatus
from processes.keys import VN
from processes.migration import MoveOutcome
from processes.statuses import TaskStatus
from processes.version_status import VersionStatus

SLA_LABELS = {"on_track": _l("Trong hạn"), "due_soon": _l("Sắp đến hạn"), "overdue": _l("Quá hạn"),
              "paused": _l("Tạm dừng")}
RESULT_LABELS = {"early": _l("Trước hạn"), "on_time": _l("Đúng hạn"), "late": _l("Quá hạn")}  # as audits and reports
CHANNEL_LABELS = {"truc_tiep": _l("Trực tiếp"), "truc_tuyen": _l("Trực tuyến"), "buu_chinh": _l("Bưu chính")}
KIND_LABELS = {"original": _l("Bản chính"), "certified": _l("Bản sao chứng thực"), "photocopy": _l("Bản sao/bản chụp"),
               "electronic": _l("Bản điện tử")}
OUTCOME_LABELS = {"accepted": _l("Tiếp nhận"), "supplement": _l("Yêu cầu bổ sung, hoàn thiện"),
                  "refused": _l("Từ chối tiếp nhận")}
LEVEL_LABELS = {"huyen": _l("Cấp huyện"), "xa": _l("Cấp xã"), "tinh": _l("Cấp tỉnh"), "noi_bo": _l("Nội bộ")}
LIFECYCLE_LABELS = {
    "case_start": _l("Tiếp nhận hồ sơ vào hệ thống"), "schedule": _l("Chuyển đến bước"), "assign": _l("Giao xử lý"),
    "claim": _l("Nhận xử lý"), "unclaim": _l("Trả lại hàng chờ"), "complete": _l("Hoàn thành bước"),
    "step_outside": _l("Xử lý ngoài hệ thống"), "step_skip": _l("Chuyển bước (bỏ qua bước)"),
    "withdraw": _l("Thu hồi bước"), "case_complete": _l("Kết thúc hồ sơ"), "case_cancel": _l("Hủy hồ sơ"),
    "dossier_status": _l("Đổi trạng thái hồ sơ"), "sla_due_set": _l("Ấn định ngày hẹn trả"),
    "sla_paused": _l("Tạm dừng tính thời hạn"), "sla_resumed": _l("Tiếp tục tính thời hạn"),
    "sla_marked_late": _l("Ghi nhận trễ hạn (bổ sung lần 2)"), "sla_extended": _l("Hẹn lại ngày trả"),
    "sla_due_soon": _l("Sắp đến hạn"), "sla_overdue": _l("Quá hạn"), "sla_escalated": _l("Báo cáo lãnh đạo"),
    "apology_requested": _l("Đề nghị thư xin lỗi"), "apology_signed": _l("Ký thư xin lỗi"),
    "apology_dismissed": _l("Không chấp thuận thư xin lỗi"), "attachment_added": _l("Đính kèm tệp"),
    "comment_added": _l("Ý kiến trao đổi"), "timer_fired": _l("Hết thời gian chờ"), "timer": _l("Hết thời gian chờ"),
    "version_status": _l("Đổi trạng thái phiên bản quy trình"), "escalate": _l("Báo cáo lãnh đạo"),
    "migrate": _l("Chuyển sang phiên bản quy trình mới"), "migrate_revert": _l("Hoàn tác chuyển phiên bản"),
}
DOCUMENT_LABELS = {"receipt": _l("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
                   "control_sheet": _l("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
                   "supplement_request": _l("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
                   "refusal": _l("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
                   "apology": _l("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
                   "stop_notice": _l("Thông báo dừng giải quyết hồ sơ")}
SCORE_LABELS = {5: _l("Rất hài lòng"), 4: _l("Hài lòng"), 3: _l("Bình thường"), 2: _l("Không hài lòng"),
                1: _l("Rất không hài lòng")}

def _label_of(member: Enum) -> str:
    return str(member.label)  # type: ignore[attr-defined]  # every status enum carries its label


def _lazy_table(enum: type[Enum]) -> dict[Any, Any]:
    """Value → lazily translated label of every member (templates look statuses up by their stored value)."""
    return {member.value: _l(_label_of(member)) for member in enum}


# Derived from the enums (not a second copy): the templates index them by the value a row stores.
STATUS_LABELS = _lazy_table(DossierStatus)
STATE_LABELS = _lazy_table(TaskStatus)
VERSION_LABELS = _lazy_table(VersionStatus)
APOLOGY_LABELS = _lazy_table(ApologyState)
MOVE_LABELS = _lazy_table(MoveOutcome)


def status_name(enum: type[Enum], value: Any) -> str:
    """A stored status in the request's language, as a sentence names it ("đã hủy"); the value when unknown."""
    try:
        label = _(_label_of(enum(value)))
    except ValueError:
        return str(value)
    return label[:1].lower() + label[1:]


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


_VN_SEPARATORS = str.maketrans(",.", ".,")  # Python's thousands comma and decimal point, swapped at once


def vn_number(value: float, digits: int = 1, grouped: bool = True) -> str:
    """A number as Vietnamese write it, like the dates above whatever the language: a decimal comma and, when
    `grouped`, a dot between thousands: 12345.67 → '12.345,7'. Rounded as Python's format rounds (0.25 → '0,2').
    The one formatter of the pages' numbers: vn_count, vn_decimal, vn_percent and the what-if's numbers use it.
    A negative value that rounds to zero is shown as zero ('0,0', not '-0,0')."""
    return f"{value:z{',' if grouped else ''}.{digits}f}".translate(_VN_SEPARATORS)


def vn_decimal(value: float | None, digits: int = 1) -> str:
    """A score or fitness with a decimal comma ('97,9'), no dot between thousands; '' when unknown."""
    return "" if value is None else vn_number(value, digits, grouped=False)


def vn_count(value: int) -> str:
    """A count as Vietnamese write it, a dot between thousands: 1000 → '1.000'."""
    return vn_number(value, 0)


def vn_percent(share: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage with a decimal comma: 0.979 → '97,9%'."""
    return "" if share is None else vn_decimal(100 * share, digits) + "%"


_ISO = re.compile(r"^P(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?)?$")


def duration_text(iso: str | None) -> str:
    """A time limit as people say it: 'P15D' → '15 ngày làm việc', 'same_day' → 'trong ngày'."""
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


def timeline_details(entry: Any, names: dict[str, str] | None = None) -> list[str]:
    """The event details worth a line on the timeline, in words and Vietnam time (people by full name)."""
    found = []
    for key, value in (entry.details or {}).items():
        if key == "label":
            continue
        if key == "assignee" and names:
            value = names.get(value, value)
        if key == "to" and entry.lifecycle == "version_status":
            text = str(VERSION_LABELS.get(value, value))
        elif key == "to":
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


def template_names() -> dict[str, Any]:
    """The label tables the templates use, by the names they use."""
    return {"SLA_LABELS": SLA_LABELS, "RESULT_LABELS": RESULT_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "KIND_LABELS": KIND_LABELS, "STATE_LABELS": STATE_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "OUTCOME_LABELS": OUTCOME_LABELS, "LIFECYCLE_LABELS": LIFECYCLE_LABELS, "SCORE_LABELS": SCORE_LABELS,
            "APOLOGY_LABELS": APOLOGY_LABELS, "DOCUMENT_LABELS": DOCUMENT_LABELS, "VERSION_LABELS": VERSION_LABELS,
            "LEVEL_LABELS": LEVEL_LABELS, "MOVE_LABELS": MOVE_LABELS}
