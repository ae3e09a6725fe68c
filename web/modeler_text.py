"""The modeler's own words: every text its JavaScript shows, translated here with the rest of the site."""

from __future__ import annotations

from flask_babel import gettext as _

from processes.signatures import WHAT as SIGNED
from processes.version_status import VersionStatus


def js_strings() -> dict[str, str]:
    """Key → text in the request's language, for frontend/src/dom.js `t()`; {name} marks a parameter."""
    return {
        **_panel(), **_form(), **_status(), **_types(), **_aspects(), **_bpmn_js(),
        "deadline_kind.working": _("Ngày làm việc"), "deadline_kind.calendar": _("Ngày theo lịch"),
        "level.huyen": _("Cấp huyện"), "level.xa": _("Cấp xã"), "level.tinh": _("Cấp tỉnh"),
        "level.noi_bo": _("Nội bộ"),
        "severity.error": _("Lỗi"), "severity.warning": _("Cảnh báo"), "severity.info": _("Lưu ý"),
        "problems.none": _("Không có lỗi."), "problems.whole": _("Toàn quy trình"),
        "problems.unchecked": _("Chưa kiểm tra."),
        "diff.version": _("Phiên bản"), "diff.issue": _("lần ban hành"), "diff.same": _("Hai phiên bản giống nhau."),
        "diff.added": _("Đã thêm"), "diff.removed": _("Đã bỏ"), "diff.changed": _("Đã sửa"),
        "new.process": _("Quy trình mới"), "new.lane": _("Bộ phận thực hiện"), "new.start": _("Tiếp nhận hồ sơ"),
        "title.new": _("Quy trình mới"),
    }


def _panel() -> dict[str, str]:
    return {
        "panel.process": _("Quy trình"), "panel.no_process": _("Sơ đồ chưa có quy trình."),
        "panel.process_name": _("Tên quy trình"), "panel.process_id": _("Mã định danh quy trình (id)"),
        "panel.code": _("Mã hiệu"), "hint.code": _("Bắt buộc, ví dụ QT-XD-01."),
        "panel.deadline": _("Thời hạn giải quyết"),
        "hint.deadline": _("Theo ngày làm việc, ví dụ 15 ngày làm việc, 0,5 ngày, 4 giờ; hoặc trong ngày."),
        "panel.deadline_kind": _("Cách tính thời hạn"), "panel.field": _("Lĩnh vực"), "panel.level": _("Cấp thực hiện"),
        "panel.legal_basis": _("Căn cứ pháp lý"), "panel.cutoff": _("Giờ chốt nhận hồ sơ"),
        "hint.cutoff": _("Dạng HH:MM; hồ sơ nhận sau giờ này tính từ ngày làm việc sau."),
        "panel.general": _("Chung"), "panel.id": _("Mã định danh (id)"), "panel.name": _("Tên"),
        "panel.lane": _("Làn"), "panel.role": _("Vai trò"),
        "hint.lane_role": _("Mã vai trò thực hiện các bước trong làn; có thể kèm đơn vị: chuyen_vien@KTHT."),
        "hint.unknown_role": _("vai trò không có trong danh mục"),
        "panel.step": _("Bước xử lý"), "panel.lane_role_is": _("Vai trò theo làn: {role}"),
        "panel.no_lane": _("Bước này không nằm trong làn nào: cần nhóm xử lý hoặc người được giao."),
        "panel.due": _("Thời hạn của bước"), "hint.due": _("Theo ngày làm việc, ví dụ 1 ngày, 0,5 ngày, 4 giờ."),
        "hint.due_missing": _("Chưa có thời hạn: nhập ví dụ 1 ngày, 0,5 ngày, 4 giờ."),
        "duration.working": _("{d} làm việc"), "duration.same_day": _("trong ngày"),
        "duration.weeks": _("{n} tuần"), "duration.days": _("{n} ngày"), "duration.hours": _("{n} giờ"),
        "duration.minutes": _("{n} phút"),
        "panel.candidate_groups": _("Nhóm xử lý (thay cho vai trò của làn)"),
        "hint.candidate_groups": _("Các mã vai trò, cách nhau bởi dấu phẩy; để trống thì theo làn."),
        "panel.assignee": _("Người được giao"), "hint.assignee": _("Tên đăng nhập, hoặc ${bien} lấy từ dữ liệu hồ sơ."),
        "panel.form_key": _("Mã biểu mẫu"),
        # the `sign` property (issue 16): what the step's performer signs; the kinds are processes.signatures.WHAT's
        "panel.sign": _("Ký số tại bước này"), "sign.none": _("— không ký số —"),
        "hint.sign": _("Bước chỉ hoàn thành khi có tệp PDF đính kèm tại bước, có chữ ký số hợp lệ của người thực "
                       "hiện bước."),
        **{f"sign.{kind}": _(words) for kind, words in SIGNED.items()},
        "panel.service": _("Bước tự động"), "panel.topic": _("Xử lý (topic)"),
        "hint.topic": _("Tên hàm xử lý đã đăng ký trong processes/handlers.py."),
        "panel.flow": _("Luồng"), "panel.condition": _("Điều kiện"),
        "hint.condition": _("Ví dụ: ket_qua == 'dat' hoặc ${approved}. Để trống nếu là luồng mặc định."),
        "panel.default_flow": _("Luồng mặc định"), "panel.gateway": _("Rẽ nhánh"),
        "panel.default_marker": _("(mặc định)"), "panel.no_condition": _("chưa có điều kiện"),
    }


def _form() -> dict[str, str]:
    return {
        "form.title": _("Biểu mẫu"), "form.empty": _("Bước này chưa có trường dữ liệu."),
        "form.add_field": _("+ Thêm trường"), "form.remove_field": _("Xóa trường"),
        "form.id": _("Mã trường"), "form.label": _("Nhãn"), "form.type": _("Kiểu"),
        "form.type.string": _("Văn bản"), "form.type.long": _("Số nguyên"), "form.type.boolean": _("Có/Không"),
        "form.type.date": _("Ngày"), "form.type.enum": _("Danh sách chọn"),
        "form.required": _("Bắt buộc"), "form.readonly": _("Chỉ đọc"),
        "form.min": _("Giá trị nhỏ nhất"), "form.max": _("Giá trị lớn nhất"),
        "form.minlength": _("Độ dài tối thiểu"), "form.maxlength": _("Độ dài tối đa"),
        "form.visible_if": _("Chỉ hiện khi (biểu thức)"),
        "form.required_if": _("Bắt buộc khi (biểu thức)"), "form.not_before": _("Không trước (trường, received_at)"),
        "form.not_after": _("Không sau (trường, received_at)"), "form.not_future": _("Không sau hôm nay"),
        "form.pattern": _("Mẫu định dạng (biểu thức chính quy)"),
        "form.values": _("Các lựa chọn"), "form.no_values": _("Danh sách chọn cần ít nhất một lựa chọn."),
        "form.value_id": _("Mã lựa chọn"), "form.value_name": _("Tên hiển thị"),
        "form.add_value": _("+ Thêm lựa chọn"), "form.remove_value": _("Xóa lựa chọn"),
    }


def _status() -> dict[str, str]:
    return {
        **{f"status.{status.value}": _(status.label) for status in VersionStatus},  # the enum's one label each
        "status.active": _("Đang áp dụng"),
        "status.saving": _("Đang lưu…"), "status.saved": _("Đã lưu bản nháp, phiên bản {version}."),
        "status.saved_with_errors": _("Đã lưu bản nháp, phiên bản {version}, còn {count} lỗi cần sửa."),
        "status.validating": _("Đang kiểm tra…"), "status.valid": _("Không phát hiện lỗi."),
        "status.problems": _("Phát hiện {count} vấn đề."), "status.has_errors": _("Còn {count} lỗi cần sửa."),
        "status.fix_first": _("Sửa các lỗi trước khi gửi phê duyệt."),
        "status.submitting": _("Đang gửi phê duyệt…"),
        "status.submitted": _("Đã gửi phiên bản {version} đi phê duyệt."),
        "status.uploaded": _("Đã mở tệp {name}; chưa lưu."),
        "status.import_failed": _("Không mở được tệp BPMN"),
        "status.import_warnings": _("Sơ đồ mở được nhưng có {count} cảnh báo khi đọc."),
        "status.need_code": _("Nhập mã hiệu quy trình ở bảng thuộc tính trước khi lưu."),
        "status.code_mismatch": _("Mã hiệu trong sơ đồ ({written}) khác mã quy trình đang mở ({code})."),
        "status.need_saved": _("Lưu quy trình trước khi so sánh phiên bản."),
        "status.login": _("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."),
        "status.forbidden": _("Bạn không có quyền thực hiện thao tác này."),
        "status.not_found": _("Không tìm thấy quy trình hoặc phiên bản."),
        "status.conflict": _("Trạng thái phiên bản không cho phép thao tác này."),
        "status.failed": _("Thao tác không thành công"),
    }


def _types() -> dict[str, str]:
    return {
        "type.Process": _("Quy trình"), "type.Collaboration": _("Quy trình"), "type.Participant": _("Quy trình (bể)"),
        "type.Lane": _("Làn"), "type.UserTask": _("Bước xử lý"), "type.ManualTask": _("Bước thủ công"),
        "type.Task": _("Bước"), "type.ServiceTask": _("Bước tự động"), "type.SequenceFlow": _("Luồng"),
        "type.ExclusiveGateway": _("Rẽ nhánh"), "type.ParallelGateway": _("Song song"),
        "type.InclusiveGateway": _("Rẽ nhánh nhiều"), "type.StartEvent": _("Bắt đầu"), "type.EndEvent": _("Kết thúc"),
        "type.IntermediateCatchEvent": _("Sự kiện chờ"), "type.BoundaryEvent": _("Sự kiện biên"),
    }


def aspect_words(aspects: list[str]) -> str:
    """What changed in a diff, in words ("tên, thời hạn"), for the procedure page's list of changes."""
    words = _aspects()
    return ", ".join(words.get(f"aspect.{a}", a) for a in aspects)


def _aspects() -> dict[str, str]:
    """What changed between versions (engine.versiondiff.ASPECTS)."""
    return {
        "aspect.kind": _("loại phần tử"), "aspect.name": _("tên"), "aspect.role": _("vai trò"), "aspect.lane": _("làn"),
        "aspect.assignee": _("người được giao"), "aspect.time_limit": _("thời hạn"), "aspect.form": _("biểu mẫu"),
        "aspect.conditions": _("điều kiện"), "aspect.flows": _("luồng"), "aspect.timer": _("hẹn giờ"),
        "aspect.handler": _("xử lý tự động"), "aspect.properties": _("thuộc tính"), "aspect.documentation": _("mô tả"),
    }


# bpmn-js's own words (palette, context pad, replace menu), keyed by its English text: Vietnamese on
# Vietnamese pages; on English pages the .po gives back exactly bpmn-js's original.
_BPMN_JS = (
    ("Activate hand tool", "Công cụ kéo sơ đồ"), ("Activate lasso tool", "Công cụ chọn vùng"),
    ("Activate create/remove space tool", "Công cụ thêm/bớt khoảng trống"),
    ("Activate global connect tool", "Công cụ nối luồng"), ("Create start event", "Thêm sự kiện bắt đầu"),
    ("Create intermediate/boundary event", "Thêm sự kiện trung gian"), ("Create end event", "Thêm sự kiện kết thúc"),
    ("Create gateway", "Thêm rẽ nhánh"), ("Create task", "Thêm bước"),
    ("Create data object reference", "Thêm đối tượng dữ liệu"), ("Create data store reference", "Thêm kho dữ liệu"),
    ("Create expanded sub-process", "Thêm quy trình con"), ("Create pool/participant", "Thêm bể (đơn vị tham gia)"),
    ("Create group", "Thêm nhóm"), ("Append end event", "Nối sự kiện kết thúc"), ("Append gateway", "Nối rẽ nhánh"),
    ("Append task", "Nối bước"), ("Append intermediate/boundary event", "Nối sự kiện trung gian"),
    ("Add text annotation", "Thêm ghi chú"), ("Change element", "Đổi loại phần tử"), ("Delete", "Xóa"),
    ("Connect to other element", "Nối tới phần tử khác"), ("Add lane above", "Thêm làn phía trên"),
    ("Add lane below", "Thêm làn phía dưới"), ("Divide into two lanes", "Chia thành hai làn"),
    ("Divide into three lanes", "Chia thành ba làn"), ("Task", "Bước (chung)"), ("User task", "Bước xử lý của người"),
    ("Service task", "Bước tự động (dịch vụ)"), ("Manual task", "Bước làm thủ công"),
    ("Exclusive gateway", "Rẽ nhánh loại trừ"), ("Parallel gateway", "Rẽ nhánh song song"),
    ("Inclusive gateway", "Rẽ nhánh bao hàm"), ("Start event", "Sự kiện bắt đầu"), ("End event", "Sự kiện kết thúc"),
    ("Terminate end event", "Kết thúc toàn bộ"), ("Intermediate throw event", "Sự kiện trung gian"),
    ("Timer intermediate catch event", "Chờ theo thời gian"), ("Timer boundary event", "Hẹn giờ trên bước"),
    ("Call activity", "Gọi quy trình khác"), ("Sequence flow", "Luồng thường"), ("Default flow", "Luồng mặc định"),
    ("Conditional flow", "Luồng có điều kiện"), ("Send task", "Bước gửi tin"), ("Receive task", "Bước chờ nhận tin"),
    ("Business rule task", "Bước quyết định theo bảng (DMN)"), ("Script task", "Bước chạy mã (không hỗ trợ)"),
    ("Sub-process (collapsed)", "Quy trình con (thu gọn)"), ("Sub-process (expanded)", "Quy trình con (mở rộng)"),
)


def _bpmn_js() -> dict[str, str]:
    return {f"bpmnjs:{english}": _(vietnamese) for english, vietnamese in _BPMN_JS}
