"""Model problems in the reader's language: a Vietnamese text per problem code, English from messages.po.

The engine builds every problem's English message from a code and params (engine.problem_codes);
here each code has its Vietnamese source text with the same params as %(name)s placeholders,
wrapped in gettext so that English pages get the translation from web/translations. A code
without a text here (say, one added later) keeps the engine's English message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext

from engine.errors import ModelInvalid, Problem
from engine.problem_codes import RULE, text_key

from .i18n import N_, translated

TEXTS: dict[str, str] = {
    "file_too_large": N_("Tệp lớn hơn %(limit_mb)s MB"),
    "too_many_elements": N_("Mô hình có hơn %(limit)s phần tử: quá lớn để kiểm tra, hãy tách thành các quy trình "
                            "con"),
    "dtd_not_allowed": N_("Tệp BPMN không được chứa khai báo DTD hoặc entity"),
    "malformed_xml": N_("Tệp không phải XML hợp lệ: %(detail)s"),
    "bad_text_encoding": N_("Nội dung tệp không đúng bảng mã %(encoding)s mà tệp khai báo"),
    "not_bpmn": N_("Tệp không phải tài liệu BPMN 2.0 (phần tử gốc là %(root)s)"),
    "unsupported_script_task": N_("Không được dùng bước chạy mã lệnh (script task): hệ thống không chạy mã lệnh "
                                  "trong mô hình"),
    "unsupported_complex_gateway": N_("Chưa hỗ trợ cổng phức hợp (complex gateway)"),
    "unsupported_compensation": N_("Chưa hỗ trợ sự kiện bù trừ (compensation)"),
    "unsupported_transaction": N_("Chưa hỗ trợ giao dịch (transaction)"),
    "unsupported_data_store": N_("Chưa hỗ trợ kho dữ liệu (data store)"),
    "unsupported_business_rule_task": N_("Chưa hỗ trợ bước quy tắc nghiệp vụ (business rule task, bảng quyết định "
                                         "DMN)"),
    "unsupported_link_event": N_("Chưa hỗ trợ sự kiện liên kết (link event): hãy vẽ luồng nối trực tiếp"),
    "unsupported_loop_data_input_ref": N_("Bước lặp nhiều lần chưa hỗ trợ tham chiếu dữ liệu đầu vào "
                                          "(loopDataInputRef): hãy dùng camunda:collection"),
    "unsupported_loop_data_output_ref": N_("Bước lặp nhiều lần chưa hỗ trợ tham chiếu dữ liệu đầu ra "
                                           "(loopDataOutputRef)"),
    "unsupported_input_data_item": N_("Bước lặp nhiều lần chưa hỗ trợ phần tử dữ liệu đầu vào (inputDataItem): "
                                      "hãy dùng camunda:elementVariable"),
    "unsupported_output_data_item": N_("Bước lặp nhiều lần chưa hỗ trợ phần tử dữ liệu đầu ra (outputDataItem)"),
    "called_process_missing": N_("Bước gọi quy trình '%(called)s' nhưng quy trình này không có trong tệp (quy "
                                 "trình chính và các quy trình được gọi phải nằm trong cùng một tệp)"),
    "empty_condition": N_("Điều kiện đang để trống"),
    "unsupported_expression_language": N_("Không hỗ trợ ngôn ngữ biểu thức '%(language)s'"),
    "feel_expression": N_("Không hỗ trợ biểu thức FEEL của Camunda 8 ('%(text)s'): hãy viết dạng ${...} hoặc "
                          "Python"),
    "expression_syntax_error": N_("Biểu thức '%(text)s' không đúng cú pháp Python hoặc JUEL (%(reason)s)"),
    "expression_refused": N_("Biểu thức '%(text)s' không được chấp nhận (%(reason)s)"),
    "unknown_property_value": N_("Thuộc tính %(prop)s có giá trị '%(value)s' không hợp lệ (chỉ dùng: "
                                 "%(allowed)s)"),
    "assignee_expression_refused": N_("Biểu thức chỉ định người xử lý '%(text)s' không được chấp nhận "
                                      "(%(reason)s)"),
    "empty_timer": N_("Bộ hẹn giờ chưa có giá trị %(tag)s"),
    "timer_refused": N_("Bộ hẹn giờ '%(text)s' không được chấp nhận (%(reason)s)"),
    "service_expression_not_supported": N_("Không hỗ trợ bước tự động dùng camunda:expression (hệ thống không "
                                           "chạy mã lệnh trong mô hình): hãy ghi tên xử lý vào camunda:topic"),
    "bad_delegate_expression": N_("camunda:delegateExpression '%(value)s' phải có dạng ${tên_xử_lý}"),
    "service_without_handler": N_("Bước tự động chưa có tên xử lý: hãy khai báo camunda:type=\"external\" "
                                  "camunda:topic=\"<tên xử lý>\""),
    "unknown_service_handler": N_("Không có xử lý tự động tên '%(handler)s' (các tên hiện có: %(known)s)"),
    "bad_due_date": N_("Thời hạn xử lý của bước '%(value)s' không hợp lệ: ghi bằng tuần, ngày, giờ hoặc phút làm "
                       "việc, ví dụ 15 ngày (P15D), 0,5 ngày (P0.5D), 4 giờ (PT4H), 1 tuần (P1W); không dùng năm, "
                       "tháng"),
    "bad_deadline": N_("Thời hạn giải quyết của quy trình '%(value)s' không hợp lệ: ghi bằng tuần, ngày, giờ hoặc "
                       "phút làm việc, ví dụ 15 ngày (P15D), 0,5 ngày (P0.5D), 4 giờ (PT4H); hoặc trong ngày "
                       "(same_day); không dùng năm, tháng"),
    "unknown_flow_endpoints": N_("Luồng nối tới phần tử không tồn tại (%(source)s → %(target)s)"),
    "unreachable": N_("%(kind_name)s không thể đi tới được từ sự kiện bắt đầu"),
    "dead_end": N_("%(kind_name)s không có luồng đi ra (đường cụt)"),
    "never_reaches_end": N_("%(kind_name)s nằm trên nhánh không bao giờ tới được sự kiện kết thúc"),
    "form_field_declared_twice": N_("Trường biểu mẫu '%(field)s' được khai báo hai lần"),
    "form_field_bad_id": N_("Mã trường biểu mẫu '%(field)s' không hợp lệ: chỉ dùng chữ cái không dấu, chữ số và "
                            "dấu gạch dưới"),
    "form_field_bad_type": N_("Trường biểu mẫu '%(field)s' có kiểu '%(type)s' không được hỗ trợ"),
    "form_field_unknown_constraint": N_("Trường biểu mẫu '%(field)s' có ràng buộc '%(constraint)s' không được "
                                        "hỗ trợ"),
    "form_field_constraint_not_number": N_("Trường biểu mẫu '%(field)s': ràng buộc %(constraint)s phải là số "
                                           "nguyên"),
    "enum_field_without_values": N_("Trường danh sách chọn '%(field)s' chưa có giá trị nào"),
    "form_rule_bad_expression": N_("Trường biểu mẫu '%(field)s': biểu thức điều kiện (%(constraint)s) không dùng "
                                   "được: %(reason)s"),
    "form_rule_needs_date": N_("Trường biểu mẫu '%(field)s': ràng buộc %(constraint)s chỉ dùng cho trường ngày"),
    "form_rule_unknown_date": N_("Trường biểu mẫu '%(field)s': ràng buộc %(constraint)s nhắc tới '%(ref)s', không "
                                 "phải trường ngày của biểu mẫu này, cũng không phải mốc của hồ sơ (received_at, "
                                 "notified_at)"),
    "form_rule_pattern_not_text": N_("Trường biểu mẫu '%(field)s': mẫu định dạng (pattern) chỉ dùng cho trường văn "
                                     "bản"),
    "form_rule_bad_pattern": N_("Trường biểu mẫu '%(field)s': mẫu định dạng '%(pattern)s' không phải biểu thức "
                                "chính quy hợp lệ"),
    "no_executable_process": N_("Tệp không có quy trình nào chạy được"),
    "process_not_in_file": N_("Quy trình '%(process)s' không có trong tệp"),
    "process_not_executable": N_("Quy trình '%(process)s' đang được đánh dấu không thực thi "
                                 "(isExecutable=\"false\")"),
    "no_process_executable": N_("Không có quy trình nào được đánh dấu thực thi (isExecutable=\"false\")"),
    "no_process": N_("Tệp không có quy trình nào"),
    "several_executable_processes": N_("Tệp có nhiều quy trình thực thi (%(ids)s): cần chỉ rõ quy trình sẽ "
                                       "triển khai"),
    "spiff_validation": N_("Mô hình không hợp lệ: %(detail)s"),
    "cannot_build": N_("Không dựng được quy trình từ mô hình: %(error)s: %(detail)s"),
    "no_role": N_("Bước '%(step)s' chưa có vai trò chịu trách nhiệm: hãy đặt bước vào một làn có vai trò, hoặc "
                  "khai báo camunda:candidateGroups"),
    "role_expression": N_("%(where)s: không hỗ trợ biểu thức vai trò ('%(role)s'), hãy ghi mã vai trò"),
    "unknown_role": N_("%(where)s: vai trò '%(role)s' không có trong tổ chức"),
    "unknown_unit": N_("%(where)s: đơn vị '%(unit)s' (trong '%(role)s') không tồn tại"),
    "missing_deadline": N_("Quy trình chưa có thời hạn giải quyết theo quy định (camunda:property 'deadline')"),
    "missing_time_limit": N_("Bước '%(step)s' chưa có thời hạn xử lý (camunda:dueDate)"),
    "bad_form_range": N_("Trường biểu mẫu '%(field)s': %(low)s %(low_value)s lớn hơn %(high)s %(high_value)s"),
    "bad_form_min_max_type": N_("Trường biểu mẫu '%(field)s' kiểu %(type)s không được có min/max (chỉ trường "
                                "kiểu long mới có)"),
    "bad_form_length_type": N_("Trường biểu mẫu '%(field)s' kiểu %(type)s không được có minlength/maxlength "
                               "(chỉ trường kiểu string mới có)"),
    "bad_form_values_not_enum": N_("Trường biểu mẫu '%(field)s' liệt kê các giá trị chọn nhưng có kiểu %(type)s, "
                                   "không phải enum"),
    "bad_form_repeated_value": N_("Trường danh sách chọn '%(field)s' có mã giá trị bị trùng"),
    "bad_form_default": N_("Trường biểu mẫu '%(field)s': giá trị mặc định '%(default)s' không hợp lệ với kiểu "
                           "%(type)s"),
    "bad_form_required_readonly": N_("Trường biểu mẫu '%(field)s' vừa bắt buộc vừa chỉ đọc: không ai nhập được"),
    "bad_form_rule_unknown_name": N_("Trường biểu mẫu '%(field)s': điều kiện (%(constraint)s) nhắc tới '%(name)s', "
                                     "không biểu mẫu nào của quy trình có trường này"),
    "bad_default": N_("Cổng rẽ nhánh '%(gateway)s': luồng mặc định '%(flow)s' không xuất phát từ cổng này"),
    "gateway_flow_without_condition": N_("Cổng rẽ nhánh '%(gateway)s': luồng '%(flow)s' chưa có điều kiện và "
                                         "không phải luồng mặc định"),
    "gateway_without_default": N_("Cổng rẽ nhánh '%(gateway)s' chưa có luồng mặc định và không kiểm tra được các "
                                  "điều kiện có bao quát mọi trường hợp hay không: hãy thêm luồng mặc định"),
    "gateway_not_covered": N_("Cổng rẽ nhánh '%(gateway)s': không điều kiện nào đúng khi %(values)s; hãy thêm "
                              "luồng mặc định hoặc điều kiện cho trường hợp này"),
    "over_deadline": N_("Tổng thời hạn các bước trên nhánh chính là %(total)s, vượt thời hạn giải quyết theo quy "
                        "định %(deadline)s: %(steps)s"),
    "over_deadline_branch": N_("Tổng thời hạn các bước trên một nhánh ngoại lệ là %(total)s, vượt thời hạn giải "
                               "quyết theo quy định %(deadline)s: %(steps)s"),
    "code_mismatch": N_("Mã quy trình ghi trong tệp là '%(found)s' nhưng đây là quy trình '%(expected)s' (hãy "
                        "đặt camunda:property code = %(expected)s)"),
}

# What the graph checks call an element (its BPMN tag), as a reader names it.
KIND_NAMES: dict[str, str] = {
    "userTask": N_("Bước"), "manualTask": N_("Bước thủ công"), "task": N_("Bước"),
    "serviceTask": N_("Bước tự động"), "sendTask": N_("Bước gửi thông báo"), "receiveTask": N_("Bước chờ tin"),
    "callActivity": N_("Bước gọi quy trình khác"), "subProcess": N_("Quy trình con"),
    "exclusiveGateway": N_("Cổng rẽ nhánh"), "parallelGateway": N_("Cổng song song"),
    "inclusiveGateway": N_("Cổng bao hàm"), "eventBasedGateway": N_("Cổng theo sự kiện"),
    "startEvent": N_("Sự kiện bắt đầu"), "endEvent": N_("Sự kiện kết thúc"),
    "intermediateCatchEvent": N_("Sự kiện chờ"), "intermediateThrowEvent": N_("Sự kiện phát"),
    "boundaryEvent": N_("Sự kiện biên"),
}
LANE = N_("Làn '%(lane)s'")
ELEMENT = N_("Phần tử")


def problem_message(code: str | None, params: Mapping[str, Any] | None, fallback: str) -> str:
    """The text of a problem in the request's language; `fallback` (the engine's English) for unknown codes."""
    params = dict(params or {})
    source = TEXTS.get(text_key(code or "", params))
    if source is None:
        return fallback
    return translated(source, _values(params), fallback)


def localise(problem: Mapping[str, Any]) -> dict[str, Any]:
    """A problem as the API returns it (element_id, message, severity, code, params), message localised."""
    shown = dict(problem)
    shown.setdefault("params", {})
    shown["message"] = problem_message(shown.get("code"), shown["params"], shown.get("message") or "")
    return shown


def localise_all(problems: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every problem of a list, localised."""
    return [localise(p) for p in problems]


def model_problems(exc: ModelInvalid) -> list[dict[str, Any]]:
    """The validator problems of an unreadable model as the API returns them, localised."""
    return localise_all(problem_dict(p) for p in exc.problems)


def problem_dict(p: Problem) -> dict[str, Any]:
    """A validator Problem in the form of a lint finding (code "engine", its own code as params["rule"])."""
    return {"element_id": p.element_id, "message": p.message, "severity": "error", "code": "engine",
            "params": {RULE: p.code, **p.params}}


def error_fields(problems: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Element id (or "_") → localised message of each blocking problem, as error replies list fields."""
    return {p.get("element_id") or "_": localise(p)["message"] for p in problems if p.get("severity") == "error"}


def _values(params: dict[str, Any]) -> dict[str, Any]:
    """The params plus the words a text needs that depend on the language (a lane, an element's kind)."""
    values = dict(params)
    if "source" in params:
        lane = params.get("lane")
        values["where"] = gettext(LANE) % {"lane": lane} if lane is not None else "camunda:candidateGroups"
    if "kind" in params:
        kind = str(params["kind"])
        values["kind_name"] = f"{gettext(KIND_NAMES.get(kind, ELEMENT))} ({kind})"
    return values
