"""Issue 12 defects 1, 4 and 6: the login's redirect stays on the site, hostile input answers 400/404 (never
500) on both backends, and every answer carries the security headers."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web.conftest import csrf_of
from web.auth import local_target

LEAVING = ["/\t/127.0.0.2:5999/phish", "//evil.example/", "/\\evil.example", "/\t/evil.example",
           "https://evil.example/", "javascript:alert(1)", "/\n/evil.example", "evil.example", "/\x7f/x"]


@pytest.mark.parametrize("target", LEAVING)
def test_login_never_follows_a_target_off_the_site(app, target):
    c = app.test_client()
    token = csrf_of(c.get("/login").data)
    answer = c.post(f"/login?next={quote(target, safe='')}",
                    data={"username": "motcua", "password": "demo1234", "csrf_token": token})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location == "/" or location.endswith("://localhost/"), location


def test_local_targets_are_kept():
    assert local_target("/dossiers?code=H01") == "/dossiers?code=H01"
    assert local_target("/tasks/abc") == "/tasks/abc"



def test_the_probe_s_own_url_stays_on_the_site(app):
    c = app.test_client()
    token = csrf_of(c.get("/login").data)
    answer = c.post("/login?next=/%09/127.0.0.2:5999/phish",
                    data={"username": "motcua", "password": "demo1234", "csrf_token": token})
    assert answer.headers["Location"] in ("/", "http://localhost/")


HUGE = "99999999999999999999"


@pytest.mark.parametrize(("url", "expected"), [
    (f"/api/dossiers?page={HUGE}", 400), (f"/api/inbox?page={HUGE}", 400), (f"/dossiers?page={HUGE}", 400),
    (f"/tasks?page={HUGE}", 400), (f"/attachments/{HUGE}", 404), (f"/api/attachments/{HUGE}", 404),
    ("/api/attachments/9921326043", 404), ("/api/attachments/-9921326043", 404), (f"/apologies/{HUGE}", 404),
    ("/api/apologies/-9921326043", 404), ("/dossiers?code=H01%00", 400), ("/api/dossiers?applicant=a%00b", 400),
    ("/tasks?q=%00", 400),
    # A filter value no dossier has: an empty list. Dates no agency has data for, or a range of centuries:
    # refused with a message, never shortened in silence nor a server error.
    (f"/dossiers?status={HUGE}", 200), ("/api/dashboard?from=0001-01-01&to=9999-12-31", 400),
    ("/dashboard?from=0001-01-01&to=9999-12-31", 400), ("/api/dashboard?from=1950-01-01&to=2026-01-01", 400),
    ("/dashboard?from=2010-01-01&to=2026-01-01", 400), ("/api/dashboard?from=2020-01-01&to=2026-01-01", 200)])
def test_hostile_query_is_400_or_404(user, url, expected):
    answer = user("tp.ktht").get(url)
    assert answer.status_code == expected, (url, answer.status_code)
    if expected == 400 and url.startswith("/api/"):
        assert answer.get_json()["error"]  # a clear message, in Vietnamese


def test_nul_in_public_lookup_is_400(client):
    answer = client.post("/api/public/lookup", json={"code": "H01\u0000", "id_number": "1"})
    assert answer.status_code == 400
    assert "ký tự" in answer.get_json()["error"]


@pytest.mark.parametrize("ids", [[-9921326043], [2**40], [-1, 0]])
def test_mark_read_with_out_of_range_ids_is_refused_not_500(user, ids):
    answer = user("cv.ktht").post("/api/notifications/read", json={"ids": ids, "all": False})
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)


def test_nul_in_a_form_is_400(user):
    c = user("motcua")
    token = csrf_of(c.get("/reception").data) if c.get("/reception").status_code == 200 else ""
    answer = c.post("/reception", data={"csrf_token": token, "applicant.name": "A\x00"})
    assert answer.status_code == 400


PAGES = ["/login", "/", "/tasks", "/dossiers", "/api/inbox", "/health", "/nowhere", "/tra-cuu"]


@pytest.mark.parametrize("url", PAGES)
def test_every_answer_has_the_security_headers(user, url):
    answer = user("tp.ktht").get(url)
    csp = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in answer.headers  # plain-HTTP deployments must not pin HTTPS


def test_hsts_when_cookies_are_secure(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "max-age=" in app.test_client().get("/login").headers["Strict-Transport-Security"]


def test_no_template_has_inline_script():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "web" / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: inline event handler (CSP forbids it)"
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"{path}: inline script {tag}"


def test_an_anonymous_write_is_401_whatever_its_body(client):
    answer = client.post("/api/cases", data="x", content_type="text/plain")
    assert answer.status_code == 401


def test_a_wrong_method_says_which_are_allowed(user):
    answer = user("cv.ktht").delete("/api/inbox")
    assert answer.status_code == 405
    assert "GET" in answer.headers["Allow"]


def test_the_description_declares_lists_and_query_parameters(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert paths["/api/apologies"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"] \
        == "array"
    for path in ("/api/dossiers", "/api/inbox"):
        assert {"page", "per_page"} <= {p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == "query"}


def test_the_notifications_page_ignores_an_id_beyond_any_row(user):
    c = user("cv.ktht")
    token = csrf_of(c.get("/notifications").data)
    answer = c.post("/notifications/read", data={"csrf_token": token, "id": ["99999999999999999999", "9921326043"]})
    assert answer.status_code == 302


def test_a_value_the_database_refuses_is_a_logged_400_not_a_500(app, caplog):
    from sqlalchemy.exc import DataError

    @app.get("/api/refused-by-the-driver")
    def refused():
        raise DataError("SELECT", {}, Exception("integer out of range"))

    answer = app.test_client().get("/api/refused-by-the-driver")
    assert answer.status_code == 400 and "Giá trị không hợp lệ" in answer.get_json()["error"]
    assert "integer out of range" in caplog.text
