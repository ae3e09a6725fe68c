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
    assert "Tạo tài khoản" in history and "Tự đổi mật khẩu" in history and "user.create" not in history


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


def test_the_unit_tree_shows_units_roles_and_holders_by_name(app, login):
    page = html.unescape(login("admin").get("/admin/units").get_data(as_text=True))
    assert "UBND xã An Hòa (demo)" in page and "Bộ phận Một cửa xã An Hòa" in page
    assert page.index("UBND huyện An Phú") < page.index("UBND xã An Hòa") < page.index("Bộ phận Một cửa xã")
    assert "Quản trị hệ thống: Quản trị hệ thống" in page  # role name: full name


def test_the_delegations_overview_lists_who_stands_in_for_whom(app, login, clock):
    leader = login("tp.ktht")
    day = clock.now().date().isoformat()
    _post(leader, "/substitutes", "/substitutes", {"substitute": "cv.ktht", "starts_on": day, "ends_on": day,
                                                   "reason": "Đi công tác"})
    page = html.unescape(login("admin").get("/admin/delegations").get_data(as_text=True))
    assert "Đi công tác" in page and "Đang hiệu lực" in page


def test_a_staff_list_is_previewed_with_its_wrong_rows_then_imported(app, login):
    import io
    admin = login("admin")
    header = "Tên đăng nhập,Họ tên,Email,Điện thoại,Đơn vị,Vai trò\n"
    wrong = (header + "nv.a,Nguyễn Văn A,,,X01,cong_chuc_tphc\nnv.b,Trần Thị B,,,KHONG_CO,cong_chuc_tphc\n").encode()
    token = csrf_of(admin.get("/admin/import").data)
    shown = html.unescape(admin.post("/admin/import", data={"csrf_token": token, "file": (io.BytesIO(wrong), "ds.csv")},
                                     content_type="multipart/form-data").get_data(as_text=True))
    assert "Các dòng sai" in shown and "KHONG_CO" in shown and "Nhập danh sách này" not in shown
    right = (header + "nv.a,Nguyễn Văn A,,,X01,cong_chuc_tphc\n").encode()
    preview = admin.post("/admin/import", data={"csrf_token": token, "file": (io.BytesIO(right), "ds.csv")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "Nhập danh sách này" in preview
    content = re.search(r'name="content" value="([^"]+)"', preview).group(1)
    done = html.unescape(admin.post("/admin/import", data={"csrf_token": token, "filename": "ds.csv",
                                                            "content": content, "apply": "1"}).get_data(as_text=True))
    assert "Đã nhập danh sách cán bộ." in done and re.search(r"nv\.a</td><td><code>\w{10,}", done)


def test_a_session_left_idle_longer_than_the_timeout_ends(app, login, clock):
    app.config["SESSION_IDLE_MINUTES"] = 30
    officer = login("motcua")
    clock.advance(minutes=20)
    assert officer.get("/account").status_code == 200
    clock.advance(minutes=29)
    assert officer.get("/account").status_code == 200  # used 29 minutes after the last request: still live
    clock.advance(minutes=31)
    answer = officer.get("/account")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    app.config["SESSION_IDLE_MINUTES"] = 0
    assert officer.get("/account").status_code == 302  # ended for good, not only while the timeout is set


def test_an_administrator_edits_a_users_full_name_email_and_phone(app, login):
    admin = login("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'action="/admin/users/cv.tp/edit"' in page
    done = _post(admin, "/admin/users", "/admin/users/cv.tp/edit",
                 {"full_name": "Ngô Thị Hạnh Mới", "email": "hanh@example.vn", "phone": "0912 345 678"})
    shown = html.unescape(done.get_data(as_text=True))
    assert "Đã lưu thông tin tài khoản." in shown and "Ngô Thị Hạnh Mới" in shown and "hanh@example.vn" in shown
    refused = _post(admin, "/admin/users", "/admin/users/cv.tp/edit", {"full_name": " ", "email": "", "phone": ""})
    assert "Ngô Thị Hạnh Mới" in refused.get_data(as_text=True)  # an empty name is refused, nothing changed
    history = html.unescape(admin.get("/admin/history").get_data(as_text=True))
    assert "Sửa thông tin tài khoản" in history and "Họ tên:</span> Ngô Thị Hạnh Mới" in history


def test_logging_out_ends_the_users_other_sessions(app, login):
    office, laptop, colleague = login("cv.ktht"), login("cv.ktht"), login("cv.ktht2")
    office.post("/logout", data={"csrf_token": csrf_of(office.get("/account").data)})
    assert office.get("/account").status_code == 302 and laptop.get("/account").status_code == 302
    assert colleague.get("/account").status_code == 200
