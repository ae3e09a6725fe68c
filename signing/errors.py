"""The one error signing raises on purpose: a stable code and a plain-Vietnamese message.

Users of quytrinh read Vietnamese; the code lets callers (processes, web, the CLI) tell cases apart
without parsing the text. Nothing is written when this is raised: signing returns bytes, never files.
"""

from __future__ import annotations

from typing import Any

# code -> Vietnamese text (str.format with the error's params)
MESSAGES: dict[str, str] = {
    "not_pdf": "Tệp không phải là tệp PDF hợp lệ.",
    "pdf_unreadable": "Không đọc được tệp PDF: {detail}.",
    "pdf_already_modified": "Tệp PDF đã bị sửa đổi sau khi ký ({detail}); không ký tiếp lên tệp này.",
    "p12_unreadable": "Không mở được tệp chứng thư số PKCS#12: sai mật khẩu hoặc tệp hỏng.",
    "p12_no_key": "Tệp PKCS#12 không chứa khóa bí mật và chứng thư số của người ký.",
    "token_not_found": "Không tìm thấy thiết bị ký số (token) \"{token}\": hãy cắm token và thử lại.",
    "token_module_missing": "Không nạp được thư viện PKCS#11 \"{module}\" của thiết bị ký số.",
    "token_login_failed": "Không đăng nhập được vào thiết bị ký số: sai mã PIN hoặc token bị khóa.",
    "token_key_not_found": "Trên thiết bị ký số không có khóa \"{key}\".",
    "token_error": "Thiết bị ký số báo lỗi: {detail}.",
    "certificate_expired": "Chứng thư số của người ký đã hết hạn ngày {date}.",
    "certificate_not_yet_valid": "Chứng thư số của người ký chưa có hiệu lực (từ ngày {date}).",
    "certificate_untrusted": "Chứng thư số của người ký không do tổ chức cung cấp dịch vụ chứng thực được tin "
                             "cậy cấp.",
    "certificate_revoked": "Chứng thư số của người ký đã bị thu hồi.",
    "certificate_not_for_signing": "Chứng thư số này không được dùng để ký văn bản.",
    "timestamp_failed": "Không lấy được dấu thời gian từ máy chủ {url}: {detail}.",
    "remote_failed": "Dịch vụ ký số từ xa báo lỗi: {detail}.",
    "seal_unreadable": "Không đọc được ảnh con dấu (cần tệp PNG hoặc JPEG).",
    "signing_failed": "Không ký được tệp: {detail}.",
}


class SigningError(Exception):
    """A refusal to sign (or to read a PDF) that a user can act on; `code` is stable, the text Vietnamese."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(MESSAGES[code].format(**params))
