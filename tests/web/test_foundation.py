"""The web foundation: login, CSRF, rate limiting, tokens, errors as JSON, languages, OpenAPI."""

from __future__ import annotations

from processes import tokens
from tests.web.conftest import csrf_of


def test_pages_need_login_and_api_answers_401(client):
    assert client.get("/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")
    reply = client.get("/api/tasks")
    assert reply.status_code == 401
    assert reply.json["error"] == "Vui lòng đăng nhập."


def test_login_with_wrong_password_is_refused_and_says_why(client):
    token = csrf_of(client.get("/login").data)
    reply = client.post("/login", data={"username": "motcua", "password": "wrong-pass", "csrf_token": token})
    assert reply.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in reply.get_data(as_text=True)
    assert client.get("/api/me").status_code == 401


def test_login_form_without_csrf_token_is_refused(client):
    reply = client.post("/login", data={"username": "motcua", "password": "demo1234"})
    assert reply.status_code == 400
    assert client.get("/api/me").status_code == 401


def test_login_is_rate_limited(client):
    token = csrf_of(client.get("/login").data)
    wrong = {"username": "motcua", "password": "nope-nope", "csrf_token": token}
    codes = [client.post("/login", data=wrong).status_code for _ in range(7)]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]


def test_logged_in_user_sees_their_roles_and_can_switch_to_english(login):
    c = login("cv.ktht")
    page = c.get("/").get_data(as_text=True)
    assert "Vai trò của bạn" in page and "Phạm Minh Đức" in page
    # roles and units by name, not code (issue 13 item 6)
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng — Phòng Kinh tế – Hạ tầng, UBND huyện An Phú (demo)" in page
    assert "chuyen_vien_ktht" not in page and "H01.KTHT" not in page
    english = c.get("/?lang=en").get_data(as_text=True)
    assert "Your roles" in english and "Vai trò của bạn" not in english
    assert c.get("/api/me").json == {"username": "cv.ktht",
                                     "roles": [{"role": "chuyen_vien_ktht", "unit": "H01.KTHT", "kind": "officer"}]}


def test_logout_needs_post_with_csrf(login):
    c = login("motcua")
    assert c.get("/logout").status_code == 405
    page = c.get("/").data
    c.post("/logout", data={"csrf_token": csrf_of(page)})
    assert c.get("/api/me").status_code == 401


def test_login_redirect_stays_on_this_site(app):
    c = app.test_client()
    token = csrf_of(c.get("/login").data)
    reply = c.post("/login?next=//evil.example/x", data={"username": "motcua", "password": "demo1234",
                                                          "csrf_token": token})
    assert reply.headers["Location"] == "/"


def test_api_token_authenticates_and_a_revoked_one_does_not(client, org, clock):
    token = tokens.issue_token(org, "pct", clock, "dashboard")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=headers).json["username"] == "pct"
    assert tokens.revoke_token(org, token)
    assert client.get("/api/me", headers=headers).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer qt_forged"}).status_code == 401


def test_api_write_with_a_session_needs_json(login):
    c = login("motcua")
    reply = c.post("/api/cases", data={"procedure": "QT-XD-01"})
    assert reply.status_code == 415


def test_service_errors_map_to_http_statuses_with_field_details(login, deployed):
    deployed("QT-XD-01.bpmn")
    c = login("motcua")
    assert c.post("/api/cases", json={"procedure": "QT-NONE"}).status_code == 404
    started = c.post("/api/cases", json={"procedure": "QT-XD-01"})
    assert started.status_code == 201
    task = started.json["opened"][0]["id"]
    bad = c.post(f"/api/tasks/{task}/complete", json={"data": {"so_tang": "ba"}})
    assert bad.status_code == 422
    assert bad.json["fields"]["so_tang"] == "Phải là số nguyên."  # in the reader's language (issue 13 item 6)
    assert bad.json["fields"]["ten_nguoi_nop"] == "Bắt buộc nhập."
    codes = bad.json["field_codes"]
    assert (codes["so_tang"], codes["ten_nguoi_nop"]) == ("whole_number", "required")
    other = login("cv.ktht")
    assert other.post(f"/api/tasks/{task}/complete", json={"data": {}}).status_code == 403


def test_openapi_document_lists_the_api(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/api/tasks/{task_id}/complete" in doc["paths"]
    assert "Moved" in doc["components"]["schemas"]


def test_health(client):
    assert client.get("/health").json["status"] == "ok"
