"""Issue 12: the administration pages speak plain Vietnamese — the history's details carry Vietnamese labels and
name people, roles and units (not payload keys, usernames alone or codes); roles' kinds and memberships in words."""

from __future__ import annotations

import html
import re

from processes import admin, admin_users, tokens

from .conftest import csrf_of

ENGLISH_KEYS = ("full_name", "expires_at", "kind:", "role:", "unit:", "name:", "before:", "token:", "officer")


def _text(answer) -> str:
    """What a reader sees: the page without its tags, scripts and attributes."""
    page = answer.get_data(as_text=True)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_history_tells_each_action_in_words_with_names(app, login, org, clock):
    admin.add_role(org, "admin", "tham_dinh_xd", "Cán bộ thẩm định xây dựng", "officer", clock)
    admin.rename_role(org, "admin", "tham_dinh_xd", "Cán bộ thẩm định công trình", clock)
    admin_users.create_user(org, "admin", "nv.moi", "Hoàng Văn Mới", clock, email="moi@example.vn")
    admin.grant(org, "admin", "nv.moi", "tham_dinh_xd", "H01.KTHT", clock)
    tokens.issue_token(org, "nv.moi", clock, name="máy chủ báo cáo", days=30, actor="admin")
    seen = _text(login("admin").get("/admin/history"))
    history = seen[seen.index("Chi tiết"):]
    assert not [key for key in ENGLISH_KEYS if key in history], history
    assert "Tên cũ: Cán bộ thẩm định xây dựng" in history and "Loại: Cán bộ xử lý" in history
    assert "Vai trò: Cán bộ thẩm định công trình" in history and "Đơn vị: Phòng Kinh tế – Hạ tầng" in history
    assert "Họ tên: Hoàng Văn Mới" in history and "Email: moi@example.vn" in history
    assert "Tên: máy chủ báo cáo" in history and re.search(r"Hết hạn ngày: \d\d/\d\d/\d{4}", history)
    # Who did it and to whom: by name (the username beside it for the administrator).
    assert "Quản trị hệ thống (admin)" in history and "Hoàng Văn Mới (nv.moi)" in history
    assert "H01.KTHT" not in history


def test_roles_kinds_and_memberships_are_named(app, login):
    client = login("admin")
    roles = _text(client.get("/admin/roles"))
    assert "Lãnh đạo" in roles and "Cán bộ xử lý" in roles
    assert not re.search(r"\b(officer|leader|auditor|quality)\b", roles)
    users = _text(client.get("/admin/users"))
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng (Phòng Kinh tế – Hạ tầng)" in users
    assert "@H01" not in users and "H01.KTHT" not in users
    # The grant form offers units by name (its value stays the code the use case takes).
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="H01.KTHT">Phòng Kinh tế – Hạ tầng</option>' in page
    token = csrf_of(page.encode())
    done = client.post("/admin/users/cv.tp/grant", data={"csrf_token": token, "role": "chuyen_vien",
                                                         "unit": "H01.TP"}, follow_redirects=True)
    assert "Chuyên viên xử lý văn bản (Phòng Tư pháp)" in _text(done)
