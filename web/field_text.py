"""Field messages in the reader's language: a Vietnamese text per field code, English from messages.po.

engine/field_errors.py defines each field message once, as a code with params (a FieldError reads as its
English text); here each code has its Vietnamese source text with the same params as %(name)s placeholders,
wrapped in gettext so English pages get the translation from web/translations. Nothing is matched back
from English.
"""

from __future__ import annotations

from typing import Any

from engine.field_errors import TEMPLATES, FieldError
from engine.problem_codes import template_fields

from .i18n import N_, translated

TEXTS: dict[str, str] = {
    "required": N_("Bắt buộc nhập."),
    "whole_number": N_("Phải là số nguyên."),
    "at_least": N_("Không được nhỏ hơn %(min)s."),
    "at_most": N_("Không được lớn hơn %(max)s."),
    "min_length": N_("Cần ít nhất %(min)s ký tự."),
    "max_length": N_("Tối đa %(max)s ký tự."),
    "date": N_("Ngày không hợp lệ."),
    "one_of": N_("Chọn một giá trị trong danh sách."),
    "boolean": N_("Chỉ nhận có hoặc không."),
    "text": N_("Phải là văn bản."),
    "unknown_field": N_("Trường không thuộc biểu mẫu này."),
    "identifier": N_("Tên trường chỉ gồm chữ cái, chữ số và dấu _."),
    "not_object": N_("Dữ liệu gửi lên phải là một đối tượng JSON."),
    "data_too_large": N_("Dữ liệu gửi lên quá lớn."),
    "not_before": N_("Không được trước %(other)s (%(date)s)."),
    "not_after": N_("Không được sau %(other)s (%(date)s)."),
    "not_future": N_("Không được là ngày trong tương lai."),
    "pattern": N_("Không đúng định dạng yêu cầu."),
    "fact_received_at": N_("ngày tiếp nhận hồ sơ"),
    "fact_notified_at": N_("ngày thông báo yêu cầu bổ sung"),
    "fact_today": N_("hôm nay"),
    "file_empty": N_("Tệp rỗng."),
    "file_too_large": N_("Tệp quá lớn (tối đa %(mb)s MB)."),
    "file_type": N_("Chỉ nhận tệp %(types)s."),
    "file_content": N_("Nội dung tệp không đúng định dạng .%(ext)s."),
    "in_file": N_("%(name)s: %(problem)s"),
    "too_long": N_("Tối đa %(max)s ký tự."),
    "self_substitute": N_("Không thể tự ủy quyền cho chính mình."),
    "range_reversed": N_("Ngày kết thúc trước ngày bắt đầu."),
    "delegation_too_long": N_("Mỗi lần ủy quyền kéo dài tối đa %(days)s ngày."),
    "period_too_long": N_("Tối đa một năm kể từ ngày bắt đầu."),
    "range_over": N_("Khoảng thời gian này đã qua."),
    "no_active_user": N_("Không có người dùng đang hoạt động với tên đăng nhập này."),
    "other_agency": N_("Người được ủy quyền phải làm việc cùng cơ quan."),
    "score": N_("Chọn một trong năm mức đánh giá."),
    "id_number": N_("Từ 6 đến 20 chữ cái hoặc chữ số (CCCD: 12 số)."),
    "phone": N_("Số điện thoại không hợp lệ."),
    "email": N_("Địa chỉ thư điện tử không hợp lệ."),
    "channel": N_("Chọn kênh nộp hồ sơ."),
    "missing_items": N_("Ghi rõ nội dung cần bổ sung."),
    "refusal_reason": N_("Ghi rõ lý do từ chối."),
    "papers_too_many": N_("Tối đa %(max)s loại giấy tờ."),
    "paper_name": N_("Ghi tên giấy tờ (tối đa %(max)s ký tự)."),
    "paper_kind": N_("Chọn loại bản: bản chính, bản sao chứng thực, bản sao hoặc bản điện tử."),
    "paper_sets": N_("Số bộ từ %(min)s đến %(max)s."),
}


def field_message(value: Any) -> str:
    """A field message in the request's language; the text as it is when it carries no known code."""
    error = coded(value)
    source = TEXTS.get(error.code) if error is not None else None
    if error is None or source is None:
        return str(value)
    shown = {k: field_message(v) if isinstance(v, FieldError) else v for k, v in error.params.items()}
    return translated(source, shown, str(value))


def coded(value: Any) -> FieldError | None:
    """The FieldError a field message is: itself, or a bare code ("required")."""
    if isinstance(value, FieldError):
        return value
    text = str(value)
    if text in TEMPLATES and not template_fields(TEMPLATES[text]):
        return FieldError(text)  # processes pass a bare code where no params are needed
    return None
