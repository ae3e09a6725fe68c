"""Issue 12: the administration pages (accounts, roles, history) and the personal account page."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of


def _post(client, page: str, action: str, data: dict | None = None):
    token = csrf_of(client.get(page).data)
    return client.post(action, data={"csrf_token": token, **(data or {})}, follow_redirects=True)


def test_only_administrators_open_the_administration_pages(app, login):
    assert login("motcua").get("/admin/users").status_code == 403
    admin = login("admin")
    for page in ("/admin/users", "/admin/roles", "/admin/history"):
        assert admin.get(page).status_code == 200, page


def test_an_administrator_creates_an_account_and_its_owner_must_choose_a_password(app, login, client):
    admin = login("admin")
    made = _post(admin, "/admin/users", "/admin/users", {"username": "nv.moi", "full_name": "Nguyễn Văn Mới"})
    password = re.search(r"Mật khẩu tạm thời của nv.moi: (\w+)", made.get_data(as_text=True)).group(1)
    owner = login("nv.moi", password)
    page = owner.get("/account").get_data(as_text=True)
    assert "mật khẩu tạm thời" in page
    changed = _post(owner, "/account", "/account/password",
                    {"current": password, "new": "một câu mật khẩu dài", "again": "một câu mật khẩu dài"})
    assert "Đã đổi mật khẩu" in changed.get_data(as_text=True)
    assert owner.get("/account").status_code == 302  # the session ended with the change
    assert login("nv.moi", "một câu mật khẩu dài").get("/account").status_code == 200
    history = admin.get("/admin/history").get_data(as_text=True)
    assert "user.create" in history and "user.change_password" in history


def test_deactivation_ends_the_users_open_session(app, login):
    officer = login("motcua2")
    assert officer.get("/account").status_code == 200
    admin = login("admin")
    done = _post(admin, "/admin/users", "/admin/users/motcua2/deactivate")
    assert "Đã khóa tài khoản." in done.get_data(as_text=True)
    assert officer.get("/account").status_code == 302


def test_a_refused_action_is_said_in_vietnamese(app, login):
    admin = login("admin")
    refused = _post(admin, "/admin/roles", "/admin/roles/van_thu/retire")
    shown = html.unescape(refused.get_data(as_text=True))
    assert "Không thể ngừng vai trò 'van_thu': còn 1 người giữ vai trò này (vanthu)" in shown


def _log_in(app, username: str, password: str):
    client = app.test_client()
    token = csrf_of(client.get("/login").data)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_a_temporary_password_leads_to_the_account_page_first(app, login):
    admin = login("admin")
    temporary = re.search(r"Mật khẩu tạm thời của motcua2: (\w+)",
                          _post(admin, "/admin/users", "/admin/users/motcua2/reset").get_data(as_text=True)).group(1)
    reply = _log_in(app, "motcua2", temporary)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/account")


def test_an_account_is_held_back_after_repeated_failures_whatever_the_address(app):
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"  # the per-address limit is not what is tested here
    for _ in range(5):
        assert _log_in(app, "motcua", "sai mật khẩu").status_code == 401
    held = _log_in(app, "motcua", "demo1234")
    assert held.status_code == 429 and "vì nhập sai nhiều lần" in held.get_data(as_text=True)
