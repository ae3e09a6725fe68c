"""Service errors in the reader's language: a Vietnamese text per error code, English from messages.po.

processes/ builds each coded error's English message from a code and params (processes.error_codes);
here each code has its Vietnamese source text with the same params as %(name)s placeholders, wrapped
in gettext so that English pages get the translation from web/translations. An error without a code,
or with a code that has no text here, keeps its English message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from flask_babel import gettext

from processes.apology import ApologyState
from processes.error_codes import render
from processes.errors import ServiceError
from processes.statuses import InstanceStatus, TaskStatus
from processes.version_status import VersionStatus

from .i18n import N_, translated
from .labels import status_name
from .modeler_text import aspect_words

TEXTS: dict[str, str] = {
    # cases and steps
    "task_not_found": N_("Không tìm thấy bước xử lý %(task)s."),
    "task_id_invalid": N_("Mã bước xử lý không hợp lệ."),
    "task_closed": N_("Bước '%(step)s' không còn chờ xử lý (%(state_name)s); vui lòng tải lại trang."),
    "task_closed_by": N_("Bước '%(step)s' đã được %(user)s hoàn thành; vui lòng tải lại trang."),
    "task_already_claimed": N_("Bước '%(step)s' đã được %(assignee)s nhận xử lý."),
    "may_not_do_assigned": N_("Tài khoản %(actor)s không được xử lý bước '%(step)s' (bước đã giao cho "
                              "%(assignee)s)."),
    "may_not_do_role": N_("Tài khoản %(actor)s không được xử lý bước '%(step)s' (bước dành cho vai trò %(roles)s)."),
    "may_not_claim": N_("Tài khoản %(actor)s không được nhận bước '%(step)s' (bước dành cho vai trò %(roles)s)."),
    "may_not_release": N_("Chỉ %(assignee)s hoặc lãnh đạo đơn vị mới được trả lại bước '%(step)s'."),
    "may_not_reassign": N_("Tài khoản %(actor)s không được giao lại các bước của hồ sơ %(case)s."),
    "assignee_lacks_role": N_("%(assignee)s không giữ vai trò để xử lý bước '%(step)s'."),
    "no_role_to_start": N_("Tài khoản %(actor)s chưa được phân vai trò nên không thể tạo hồ sơ."),
    "may_not_start": N_("Tài khoản %(actor)s không được khởi tạo quy trình này (bước đầu tiên cần vai trò "
                        "%(roles)s)."),
    "may_not_cancel": N_("Tài khoản %(actor)s không được hủy hồ sơ %(case)s."),
    "start_data_invalid": N_("Dữ liệu khởi tạo hồ sơ không hợp lệ."),
    "form_invalid": N_("Biểu mẫu của bước '%(step)s' chưa hợp lệ."),
    "procedure_cannot_continue": N_("Quy trình không thể xử lý tiếp: %(detail)s"),
    "instance_not_found": N_("Không tìm thấy hồ sơ số %(instance)s."),
    "case_not_found": N_("Không tìm thấy hồ sơ số %(case)s."),
    "case_ref_not_found": N_("Không tìm thấy hồ sơ '%(case)s'."),
    "case_not_running": N_("Hồ sơ %(case)s không còn đang xử lý (%(status_name)s)."),
    "case_changed": N_("Hồ sơ %(case)s vừa được người khác cập nhật; vui lòng tải lại trang và thực hiện lại."),
    "may_not_see_case": N_("Tài khoản %(actor)s không có quyền xem hồ sơ số %(case)s."),
    "may_not_write_case": N_("Tài khoản %(actor)s không tham gia giải quyết hồ sơ số %(case)s nên chỉ được xem, "
                             "không được ghi ý kiến hay đính kèm tệp."),
    "instance_transition": N_("Hồ sơ không thể chuyển từ trạng thái «%(current_name)s» sang «%(target_name)s»."),
    "task_transition": N_("Bước xử lý không thể chuyển từ trạng thái «%(current_name)s» sang «%(target_name)s»."),
    # dossiers and the counter
    "no_reception_step": N_("Quy trình %(procedure)s không có bước tiếp nhận hồ sơ."),
    "may_not_receive": N_("Tài khoản %(actor)s không được tiếp nhận hồ sơ của thủ tục này (cần vai trò %(roles)s)."),
    "unknown_outcome": N_("Kết quả tiếp nhận không hợp lệ."),
    "reception_invalid": N_("Thông tin tiếp nhận hồ sơ chưa hợp lệ."),
    "uploads_need_store": N_("Hệ thống chưa có nơi lưu tệp đính kèm."),
    "reception_step_not_opened": N_("Quy trình %(procedure)s không mở bước tiếp nhận %(step)s."),
    "reception_not_found": N_("Không tìm thấy lượt tiếp nhận '%(ref)s'."),
    "dossier_not_found": N_("Không tìm thấy hồ sơ '%(ref)s'."),
    "may_not_withdraw": N_("Tài khoản %(actor)s không được rút hồ sơ %(dossier)s: chỉ cán bộ Một cửa hoặc lãnh đạo "
                           "của cơ quan mới được thực hiện."),
    "may_not_stop": N_("Tài khoản %(actor)s không được dừng xử lý hồ sơ %(dossier)s: chỉ lãnh đạo của cơ quan mới "
                       "được thực hiện."),
    "override_invalid": N_("Chưa ghi nhận được việc xử lý bước '%(step)s' ngoài hệ thống: thông tin chưa hợp lệ."),
    "override_needs_values": N_("Bước '%(step)s' quyết định hướng xử lý tiếp theo của hồ sơ: hãy ghi nhận kết quả "
                                "của bước (các ô của biểu mẫu) khi chuyển bước."),
    "may_not_override": N_("Tài khoản %(actor)s không được chuyển hồ sơ %(case)s qua bước '%(step)s': chỉ lãnh đạo "
                           "của cơ quan mới được thực hiện."),
    "dossier_transition": N_("Hồ sơ đang ở trạng thái «%(current_label)s», không thể chuyển sang "
                             "«%(target_label)s»."),
    # apologies for late dossiers
    "appointment_moved_already": N_("Ngày hẹn trả của hồ sơ %(dossier)s đã được điều chỉnh theo thư xin lỗi đã ký; "
                                    "chỉ được điều chỉnh một lần."),
    "appointment_moved_once": N_("Ngày hẹn trả của hồ sơ %(dossier)s đã được điều chỉnh một lần theo thư xin lỗi đã "
                                 "ký (sang %(moved_to)s); không thể điều chỉnh thêm."),
    "apology_pending": N_("Hồ sơ %(dossier)s đã có một thư xin lỗi đang chờ ký."),
    "no_appointment": N_("Hồ sơ %(dossier)s chưa có ngày hẹn trả để điều chỉnh."),
    "appointment_needs_zone": N_("Ngày hẹn trả mới phải kèm múi giờ."),
    "appointment_not_later": N_("Ngày hẹn trả mới %(proposed)s phải sau ngày hẹn hiện tại %(current)s."),
    "apology_reason_missing": N_("Vui lòng nêu lý do hồ sơ bị trễ hạn."),
    "apology_not_found": N_("Không tìm thấy thư xin lỗi số %(apology)s."),
    "not_unit_head": N_("Tài khoản %(actor)s không phải lãnh đạo đơn vị đang giải quyết hồ sơ %(dossier)s."),
    "apology_decided": N_("Thư xin lỗi số %(apology)s của hồ sơ %(dossier)s đã được xử lý (%(state_name)s)."),
    "dossier_closed": N_("Hồ sơ %(dossier)s đã kết thúc (%(status_label)s)."),
    "may_not_ask_apology": N_("Tài khoản %(actor)s không giải quyết hồ sơ %(dossier)s nên không được đề nghị thư "
                              "xin lỗi."),
    "apology_internal_case": N_("Hồ sơ %(dossier)s thuộc quy trình nội bộ, không có người nộp để gửi thư xin lỗi."),
    # delegations
    "delegation_invalid": N_("Thông tin ủy quyền chưa hợp lệ."),
    "no_such_user": N_("Không có người dùng này."),
    "may_not_name_substitute": N_("Tài khoản %(actor)s không được ủy quyền thay cho %(user)s."),
    "substitute_elsewhere": N_("Người được ủy quyền làm việc ở cơ quan khác."),
    "may_not_change_delegations": N_("Tài khoản %(actor)s không được thay đổi ủy quyền của %(user)s."),
    "delegation_not_found": N_("Không tìm thấy ủy quyền số %(delegation)s."),
    # comments and attachments
    "comment_empty": N_("Ý kiến đang để trống."),
    "comment_too_long": N_("Ý kiến quá dài."),
    "file_empty": N_("Tệp đính kèm rỗng."),
    "file_too_large": N_("Tệp đính kèm quá lớn."),
    "file_type_refused": N_("Không chấp nhận loại tệp này."),
    "file_content_mismatch": N_("Nội dung tệp không khớp với phần mở rộng của tệp."),
    "too_many_attachments": N_("Hồ sơ đã có quá nhiều tệp đính kèm."),
    "attachment_not_found": N_("Không tìm thấy tệp đính kèm số %(attachment)s."),
    "attachment_file_missing": N_("Nội dung tệp đính kèm số %(attachment)s không còn trong kho lưu trữ."),
    # digital signatures at a signing step
    "signature_required": N_("Bước “%(step)s” cần %(what_label)s (tệp PDF) có chữ ký số của người thực hiện: hãy "
                             "đính kèm tệp đã ký số ở bước này rồi hoàn thành."),
    "signature_missing": N_("Tệp “%(file)s” chưa có chữ ký số."),
    "signature_not_valid": N_("Tệp “%(file)s”: %(status_label)s."),
    "signature_not_performer": N_("Tệp “%(file)s” được ký bởi %(signer)s, không phải người thực hiện bước này "
                                  "(%(performer)s)."),
    "signature_file_unreadable": N_("Tệp “%(file)s”: %(detail)s"),
    "signature_file_gone": N_("Tệp “%(file)s” không còn trong kho lưu trữ, nên không kiểm tra được chữ ký số."),
    "signing_token_not_configured": N_("Máy chủ chưa được cấu hình thư viện của thiết bị ký số (PKCS#11): hãy báo "
                                       "quản trị hệ thống."),
    "signing_token_labels": N_("Hãy nhập nhãn của thiết bị ký số (token) và nhãn của khóa trên thiết bị."),
    "signing_p12_size": N_("Tệp chứng thư số PKCS#12 (.p12, .pfx) rỗng hoặc quá lớn."),
    "signing_not_owner": N_("Chứng thư số trong tệp là của %(signer)s, không phải của %(performer)s: mỗi người chỉ "
                            "lưu chứng thư số của mình."),
    "approval_signature_password": N_("Phê duyệt quy trình %(procedure)s là ký số tài liệu quy trình bằng chứng thư "
                                      "số đã lưu ở trang cá nhân: hãy nhập mật khẩu của chứng thư số."),
    # citizens' ratings
    "rating_invalid": N_("Đánh giá chưa hợp lệ."),
    "rating_dossier_not_found": N_("Không tìm thấy hồ sơ với mã hồ sơ và số giấy tờ đã nhập. Vui lòng kiểm tra lại."),
    "rating_too_early": N_("Hồ sơ chỉ được đánh giá sau khi đã giải quyết xong."),
    "already_rated": N_("Hồ sơ này đã được đánh giá."),
    # procedure versions, approval and migration
    "version_not_found": N_("Quy trình '%(procedure)s' không có phiên bản %(version)s."),
    "open_version_exists": N_("Quy trình %(procedure)s đang có phiên bản %(version)s chưa kết thúc "
                              "(%(status_name)s)."),
    "draft_waits_decision": N_("Phiên bản %(version)s của quy trình %(procedure)s đang ở trạng thái "
                               "«%(status_name)s»; chỉ lưu được dự thảo mới khi phiên bản này đã được quyết định."),
    "only_draft_sent": N_("Phiên bản %(version)s của quy trình %(procedure)s đang ở trạng thái «%(status_name)s»; "
                          "chỉ trình duyệt được bản dự thảo."),
    "approval_steps_unexpected": N_("Hồ sơ phê duyệt đang có %(count)s bước mở; lẽ ra chỉ có bước soạn thảo."),
    "version_transition": N_("Phiên bản quy trình không thể chuyển từ «%(current_name)s» sang «%(target_name)s»."),
    "approval_version_not_found": N_("Quy trình %(procedure)s không có phiên bản %(version)s."),
    "approval_case_without_version": N_("Hồ sơ phê duyệt %(case)s không gắn với phiên bản quy trình nào."),
    "not_a_draft": N_("Phiên bản %(version)s của quy trình %(procedure)s đang ở trạng thái «%(status_name)s», "
                      "không phải dự thảo."),
    "already_in_approval": N_("Phiên bản %(version)s của quy trình %(procedure)s đang được trình duyệt trong hồ sơ "
                              "%(case)s."),
    "migration_not_found": N_("Quy trình %(procedure)s không có đợt chuyển hồ sơ số %(migration)s."),
    "migration_not_newer": N_("Hồ sơ chỉ được chuyển sang phiên bản mới hơn: phiên bản %(target)s không mới hơn "
                              "phiên bản %(source)s."),
    "migration_target_not_in_force": N_("Phiên bản %(target)s của quy trình %(procedure)s đang ở trạng thái "
                                        "«%(status_name)s»; hồ sơ chỉ được chuyển sang phiên bản đang có hiệu lực."),
    "migration_source_never_in_force": N_("Phiên bản %(source)s của quy trình %(procedure)s chưa từng có hiệu lực; "
                                          "không có hồ sơ nào chạy theo phiên bản này."),
    "migration_unknown_filter": N_("Bộ lọc không hợp lệ: %(unknown)s; các bộ lọc được dùng: %(known)s."),
    "migration_bad_date": N_("%(key)s phải là ngày hoặc thời điểm theo định dạng ISO."),
    "move_state_unreadable": N_("Phiên bản này của phần mềm không đọc được trạng thái đã lưu của hồ sơ (%(reason)s); "
                                "quản trị hệ thống cần kiểm tra."),
    "move_left_version": N_("Hồ sơ không còn chạy theo phiên bản đang chuyển."),
    "move_subprocess_gone": N_("Hồ sơ đang ở một quy trình con (%(subprocess)s) không còn trong phiên bản %(target)s."),
    "move_step_removed": N_("Bước hồ sơ đang ở, «%(step)s», đã bị bỏ trong phiên bản %(target)s."),
    "move_passed_removed": N_("Hồ sơ đã qua bước «%(step)s», bước này đã bị bỏ trong phiên bản %(target)s: quá trình "
                              "xử lý đã qua không còn khớp với phiên bản mới."),
    "move_step_changed": N_("Bước hồ sơ đang ở, «%(step)s», đã sửa trong phiên bản %(target)s (%(aspects)s)."),
    "move_open_steps_differ": N_("Các bước đang chờ xử lý của hồ sơ sẽ thay đổi (%(before)s → %(after)s)."),
    "move_not_readable": N_("Hồ sơ sau khi chuyển không đọc lại được theo phiên bản %(target)s: %(detail)s."),
    "move_failed": N_("Không chuyển được: %(detail)s"),
    "revert_failed": N_("Không hoàn tác được: %(detail)s"),
    "revert_moved_on": N_("Hồ sơ đã được xử lý tiếp sau khi chuyển nên giữ nguyên ở phiên bản %(target)s."),
    "may_not_edit_procedures": N_("%(actor)s không được sửa quy trình (chỉ thư ký ISO được sửa)."),
    "procedure_not_in_catalog": N_("Danh mục không có quy trình '%(code)s'."),
    "bpmn_not_utf8": N_("Tệp BPMN phải dùng bảng mã UTF-8."),
    "no_executable_process_in_file": N_("Tệp không có quy trình nào chạy được (isExecutable)."),
    "file_code_differs": N_("Quy trình trong tệp có mã hiệu '%(found)s', không phải '%(expected)s'."),
    "procedure_exists": N_("Quy trình '%(code)s' đã có trong danh mục; hãy lưu bản dự thảo mới của quy trình đó."),
    "procedure_code_invalid": N_("Mã hiệu quy trình gồm 1–60 chữ cái, chữ số, dấu _ . -"),
    "procedure_name_required": N_("Quy trình cần có tên."),
    "procedure_code_bad": N_("Mã hiệu quy trình '%(code)s' phải gồm 1–60 chữ cái, chữ số, dấu _ . -"),
    "references_not_texts": N_("Tài liệu viện dẫn phải là danh sách các dòng văn bản."),
    "rows_invalid": N_("%(key)s phải là danh sách các dòng có đủ %(fields)s."),
    "deployed_meanwhile": N_("Phiên bản %(version)s của %(code)s vừa được người khác triển khai; vui lòng thử lại."),
    "no_active_procedure": N_("Không có quy trình đang áp dụng với mã hiệu hoặc mã định danh '%(ref)s'."),
    # the database and stored workflow states (processes/schema_guard.py, processes/state_check.py)
    "database_newer_than_code": N_("Cơ sở dữ liệu đã được nâng cấp bởi phiên bản quytrinh mới hơn (%(revision)s); "
                                   "phiên bản đang chạy không dùng được cơ sở dữ liệu này."),
    "case_state_unreadable": N_("Hồ sơ này cần quản trị hệ thống kiểm tra: dữ liệu quy trình đã lưu không đọc được "
                                "bằng phiên bản hiện tại. Vui lòng báo quản trị hệ thống."),
    # administration (processes/admin.py, admin_users.py, passwords.py, tokens.py, staff_import.py)
    "not_an_administrator": N_("Tài khoản %(actor)s không có quyền quản trị."),
    "outside_admin_scope": N_("Tài khoản %(actor)s không quản trị %(target)s (ngoài phạm vi đơn vị được giao)."),
    "roles_need_global_admin": N_("Tài khoản %(actor)s chỉ quản trị một phần tổ chức; vai trò dùng chung cho mọi cơ "
                                  "quan nên chỉ quản trị cấp cao nhất được thay đổi."),
    "role_not_found": N_("Không có vai trò '%(role)s'."),
    "role_code_invalid": N_("Mã vai trò '%(code)s' chỉ được gồm chữ thường không dấu, chữ số và . _ - (1–60 ký tự)."),
    "role_kind_invalid": N_("Loại vai trò '%(kind)s' không hợp lệ (chọn một trong: %(kinds)s)."),
    "role_name_required": N_("Vai trò cần có tên."),
    "role_exists": N_("Vai trò '%(role)s' đã có."),
    "role_retired": N_("Vai trò '%(role)s' đã ngừng sử dụng."),
    "role_in_use_by_procedure": N_("Không thể ngừng vai trò '%(role)s': quy trình đang áp dụng còn có bước dành cho "
                                   "vai trò này (%(procedures)s)."),
    "role_in_use_by_holders": N_("Không thể ngừng vai trò '%(role)s': còn %(count)s người giữ vai trò này (%(users)s); "
                                 "hãy thu hồi trước."),
    "user_not_found": N_("Không có tài khoản '%(user)s'."),
    "unit_not_found": N_("Không có đơn vị '%(unit)s'."),
    "active_user_not_found": N_("Không có tài khoản đang hoạt động '%(user)s'."),
    "membership_not_held": N_("%(user)s không giữ vai trò '%(role)s' tại đơn vị %(unit)s."),
    "membership_needed_by_claimed_steps": N_("Chưa thể thu hồi vai trò '%(role)s' của %(user)s: người này đang nhận xử "
                                             "lý bước cần vai trò đó (%(cases)s); hãy trả lại hoặc giao lại các bước "
                                             "đó trước."),
    "username_invalid": N_("Tên đăng nhập '%(username)s' chỉ được gồm chữ thường không dấu, chữ số và . _ - (2–80 ký "
                           "tự)."),
    "username_taken": N_("Tên đăng nhập '%(username)s' đã có người dùng."),
    "full_name_required": N_("Cần nhập họ tên."),
    "email_invalid": N_("'%(email)s' không phải là địa chỉ email hợp lệ."),
    "phone_invalid": N_("'%(phone)s' không phải là số điện thoại hợp lệ."),
    "user_already_inactive": N_("Tài khoản %(user)s đã bị khóa từ trước."),
    "user_already_active": N_("Tài khoản %(user)s đang hoạt động."),
    "may_not_deactivate_self": N_("Không thể tự khóa tài khoản của mình (%(user)s): hãy nhờ một quản trị khác."),
    "user_holds_claimed_steps": N_("Chưa thể khóa tài khoản %(user)s: người này đang nhận xử lý bước của %(count)s hồ "
                                   "sơ (%(cases)s); hãy trả lại hoặc giao lại các bước đó trước."),
    "password_wrong": N_("Mật khẩu hiện tại không đúng."),
    "password_unchanged": N_("Mật khẩu mới phải khác mật khẩu hiện tại."),
    "password_too_short": N_("Mật khẩu phải có ít nhất %(minimum)s ký tự."),
    "password_is_username": N_("Mật khẩu không được trùng với tên đăng nhập."),
    "password_too_common": N_("Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."),
    "token_not_found": N_("Không có mã truy cập API số %(token)s."),
    "token_days_invalid": N_("Thời hạn mã truy cập phải từ 1 đến 3650 ngày (không phải %(value)s)."),
    "import_unreadable": N_("Không đọc được danh sách cán bộ (%(reason)s)."),
    "import_columns_missing": N_("Danh sách cán bộ thiếu các cột: %(columns)s."),
    "import_rows_invalid": N_("Có %(count)s dòng sai trong danh sách cán bộ; chưa nhập dòng nào."),
    # audits
    "period_invalid": N_("Kỳ '%(period)s' không hợp lệ: hãy ghi năm (2025), quý (2025-Q4), nửa năm (2025-H1) "
                         "hoặc tháng (2025-11)."),
    "period_month_invalid": N_("Kỳ '%(period)s' không hợp lệ: không có tháng %(month)s."),
    "criterion_not_manual": N_("Tiêu chí %(criterion)s được tính tự động hoặc không có; các tiêu chí nhập tay: "
                               "%(manual)s."),
    "criterion_points_range": N_("Điểm của tiêu chí %(criterion)s phải từ 0 đến %(top)s."),
    "log_mapping_invalid": N_("'%(part)s' không đúng dạng VAI_TRÒ=TÊN_CỘT; vai trò là một trong: %(roles)s."),
    "log_procedure_unknown": N_("Không có quy trình %(procedure)s để đối chiếu nhật ký."),
    "log_version_unknown": N_("Quy trình %(procedure)s không có lần ban hành %(version)s."),
    "evidence_dossier_not_found": N_("Không có hồ sơ mã '%(ref)s' để làm bằng chứng; chưa ghi gì."),
    "evidence_out_of_scope": N_("Hồ sơ %(dossier)s nằm ngoài phạm vi đợt đánh giá %(plan)s (hồ sơ thuộc quy trình "
                                "%(procedures)s do %(agency)s tiếp nhận từ %(start)s đến %(end)s); chưa ghi gì."),
    "evidence_event_not_found": N_("Nhật ký của hồ sơ %(dossier)s không có sự kiện số %(seq)s (nhật ký có "
                                   "%(count)s sự kiện); chưa ghi gì."),
}

# The status enum whose values a code's state/status/current/target params hold: the text names the
# status by that enum's one label (labels.status_name), as %(state_name)s and the like.
STATUS_PARAMS = ("state", "status", "current", "target")
_VERSION_CODES = ("open_version_exists", "draft_waits_decision", "only_draft_sent", "version_transition", "not_a_draft",
                  "migration_target_not_in_force")
STATUS_ENUMS: dict[str, type[Enum]] = {
    "task_closed": TaskStatus, "task_closed_by": TaskStatus, "task_transition": TaskStatus,
    "case_not_running": InstanceStatus, "instance_transition": InstanceStatus, "apology_decided": ApologyState,
    **dict.fromkeys(_VERSION_CODES, VersionStatus),
}


def service_message(code: str | None, params: Mapping[str, Any] | None, fallback: str) -> str:
    """The text of a service error in the request's language; `fallback` (the English) for unknown codes."""
    source = TEXTS.get(code or "")
    if source is None:
        return fallback
    return translated(source, _values(code or "", dict(params or {})), fallback)


def reason_text(why: Mapping[str, Any]) -> str:
    """A coded reason (a migration verdict's "why": code and params) in the request's language."""
    return service_message(why["code"], why["params"], render(why["code"], why["params"]))


def error_message(exc: ServiceError) -> str:
    """What a service error says, in the request's language."""
    return service_message(getattr(exc, "code", None), getattr(exc, "params", None), str(exc))


def _values(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """The params plus the name of each status they carry, in the request's language."""
    if isinstance(params.get("aspects"), str):  # what changed in a version ("name, time_limit"), in words
        params = {**params, "aspects": aspect_words(params["aspects"].split(", "))}
    if params.get("error_code"):  # a refusal that carries another coded error: that error, said the same way
        params = {**params, "detail": service_message(params["error_code"], params.get("error_params"),
                                                      str(params.get("detail", "")))}
    # A *_label param is a status label processes filled in (DossierStatus.label): a msgid, said in the reader's
    # language like the rest of the text.
    values = {k: gettext(v) if k.endswith("_label") and isinstance(v, str) and v else v for k, v in params.items()}
    enum = STATUS_ENUMS.get(code)
    if enum is not None:
        for name in STATUS_PARAMS:
            if name in params:
                values[f"{name}_name"] = status_name(enum, params[name])
    return values
