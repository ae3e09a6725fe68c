"""Issue 12: administration through the JSON API — the pages' use cases, scope and refusals, with stable codes
and Vietnamese messages; nothing stored by a refused call."""

from __future__ import annotations

import base64
import io

import pytest
from openpyxl import Workbook

from processes import admin, admin_users, adminlog, tokens


@pytest.fixture
def api(app, org, clock):
    """A JSON client as a demo user, by Bearer token."""

    def _as(username: str):
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens.issue_token(org, username, clock)}"}

        class Caller:
            def get(self, path, **kw):
                return client.get(path, headers=headers, **kw)

            def post(self, path, body=None):
                return client.post(path, json=body or {}, headers=headers)

            def patch(self, path, body):
                return client.patch(path, json=body, headers=headers)

        return Caller()

    return _as


def _log_size(db) -> int:
    with db.read() as conn:
        return len(adminlog.history(conn, 10_000))


def test_an_administrator_runs_roles_users_and_memberships_through_the_api(api, org):
    admin_api = api("admin")
    made = admin_api.post("/api/admin/roles", {"code": "dia_chinh", "name": "Công chức địa chính"})
    assert made.status_code == 201 and made.json == {"code": "dia_chinh", "name": "Công chức địa chính",
                                                      "kind": "officer", "retired": False, "holders": 0}
    assert admin_api.post("/api/admin/roles/dia_chinh/rename", {"name": "Địa chính – Xây dựng"}).json["name"] \
        == "Địa chính – Xây dựng"
    user = admin_api.post("/api/admin/users", {"username": "dc.xa", "full_name": "Lê Thị Địa",
                                               "email": "dc@anhoa.gov.vn"})
    assert user.status_code == 201 and len(user.json["temporary_password"]) >= 10
    granted = admin_api.post("/api/admin/memberships", {"username": "dc.xa", "role": "dia_chinh", "unit": "X01"})
    assert granted.json["changed"] is True
    assert admin_api.post("/api/admin/memberships",
                          {"username": "dc.xa", "role": "dia_chinh", "unit": "X01"}).json["changed"] is False
    shown = admin_api.get("/api/admin/users/dc.xa").json
    assert shown["roles"] == [{"role": "dia_chinh", "unit": "X01"}] and shown["must_change_password"] is True
    assert admin_api.patch("/api/admin/users/dc.xa", {"phone": "0901 234 567"}).json["phone"] == "0901 234 567"
    tree = {u["code"]: u for u in admin_api.get("/api/admin/units").json}
    assert {"dc.xa", "xa.ct"} <= {h["username"] for h in tree["X01"]["holders"]}
    assert tree["X01"]["parent"] == "H01" and tree["X01"]["depth"] == 1

    refused = admin_api.post("/api/admin/roles/dia_chinh/retire")
    assert refused.status_code == 409 and refused.json["code"] == "role_in_use_by_holders"
    assert "còn 1 người giữ vai trò này (dc.xa)" in refused.json["error"]
    assert admin_api.post("/api/admin/memberships/revoke",
                          {"username": "dc.xa", "role": "dia_chinh", "unit": "X01"}).status_code == 200
    assert admin_api.post("/api/admin/roles/dia_chinh/retire").json["retired"] is True
    assert admin_api.post("/api/admin/users/dc.xa/deactivate").json["active"] is False
    assert admin_api.post("/api/admin/users/dc.xa/reactivate").json["active"] is True
    reset = admin_api.post("/api/admin/users/dc.xa/reset-password").json
    assert reset["username"] == "dc.xa" and reset["temporary_password"] != user.json["temporary_password"]
    actions = [e["action"] for e in admin_api.get("/api/admin/history?limit=20").json]
    assert actions[:9] == ["user.reset_password", "user.reactivate", "user.deactivate", "role.retire",
                           "membership.revoke", "user.edit", "membership.grant", "user.create", "role.rename"]


def test_refusals_carry_a_stable_code_a_vietnamese_message_and_store_nothing(api, org):
    admin_api, counter = api("admin"), api("motcua")
    before = _log_size(org)  # after the tokens' issue (logged)
    cases = [
        (admin_api.post("/api/admin/roles", {"code": "Sai Mã", "name": "x"}), 422, "role_code_invalid",
         "chỉ được gồm chữ thường không dấu"),
        (admin_api.post("/api/admin/roles", {"code": "mot_cua", "name": "x"}), 409, "role_exists", "đã có"),
        (admin_api.post("/api/admin/users", {"username": "motcua", "full_name": "A"}), 409, "username_taken",
         "đã có người dùng"),
        (admin_api.post("/api/admin/users/admin/deactivate"), 409, "may_not_deactivate_self",
         "Không thể tự khóa tài khoản"),
        (admin_api.post("/api/admin/memberships", {"username": "motcua", "role": "mot_cua", "unit": "KHONG"}), 404,
         "unit_not_found", "Không có đơn vị"),
        (counter.get("/api/admin/users"), 403, "not_an_administrator", "không có quyền quản trị"),
        (counter.post("/api/admin/users/motcua2/deactivate"), 403, "not_an_administrator",
         "không có quyền quản trị"),
        (admin_api.post("/api/me/password", {"current": "demo1234", "new": "admin"}), 422, "password_too_short",
         "ít nhất 10 ký tự"),
    ]
    for reply, status, code, said in cases:
        assert (reply.status_code, reply.json.get("code")) == (status, code), reply.json
        assert said in reply.json["error"], reply.json
    assert _log_size(org) == before


def test_an_agency_administrator_is_kept_to_its_units(api, org, clock):
    admin_users.create_user(org, "admin", "qt.xa", "Quản trị xã", clock)
    admin.grant(org, "admin", "qt.xa", "quan_tri", "X01", clock)
    commune = api("qt.xa")
    assert {u["username"] for u in commune.get("/api/admin/users").json} >= {"xa.ct", "xa.motcua"}
    assert "motcua" not in {u["username"] for u in commune.get("/api/admin/users").json}
    assert {u["code"] for u in commune.get("/api/admin/units").json} == {"X01", "X01.MC"}
    outside = commune.post("/api/admin/users/motcua/deactivate")
    assert outside.status_code == 403 and outside.json["code"] == "outside_admin_scope"
    roles = commune.post("/api/admin/roles", {"code": "moi", "name": "Mới"})
    assert roles.status_code == 403 and roles.json["code"] == "roles_need_global_admin"
    assert commune.get("/api/admin/users/motcua").status_code == 404  # not told whether it exists
    actors = {e["actor"] for e in commune.get("/api/admin/history").json}
    assert actors <= {"admin", "qt.xa"}


def test_tokens_are_issued_listed_and_revoked_by_an_administrator_and_their_owner(api, app, org):
    admin_api = api("admin")
    issued = admin_api.post("/api/admin/tokens", {"username": "motcua2", "name": "máy quét", "days": 30})
    assert issued.status_code == 201 and issued.json["token"].startswith("qt_")
    listing = issued.json["listing"]
    assert listing["username"] == "motcua2" and listing["name"] == "máy quét" and listing["revoked"] is False
    owner = app.test_client()
    bearer = {"Authorization": f"Bearer {issued.json['token']}"}
    mine = owner.get("/api/me/tokens", headers=bearer).json
    assert listing["id"] in {t["id"] for t in mine}
    assert admin_api.post(f"/api/admin/tokens/{listing['id']}/revoke").json == {"id": listing["id"], "changed": True}
    assert owner.get("/api/me/tokens", headers=bearer).status_code == 401  # the revoked token no longer opens
    other = api("motcua2")
    theirs = api("motcua").get("/api/me/tokens").json[0]["id"]
    refused = other.post(f"/api/me/tokens/{theirs}/revoke")
    assert refused.status_code == 404 and refused.json["code"] == "token_not_found"


def _xlsx(rows: list[list[str]]) -> str:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return base64.b64encode(out.getvalue()).decode()


def test_a_staff_list_is_previewed_then_imported_all_or_nothing(api, org):
    admin_api = api("admin")
    header = ["Tên đăng nhập", "Họ tên", "Email", "Điện thoại", "Đơn vị", "Vai trò"]
    wrong = _xlsx([header, ["nv.a", "Nguyễn Văn A", "", "", "X01", "cong_chuc_tphc"],
                   ["nv.b", "Trần Thị B", "", "", "KHONG_CO", "cong_chuc_tphc"]])
    before = _log_size(org)
    preview = admin_api.post("/api/admin/staff-import/preview", {"filename": "ds.xlsx", "content_base64": wrong})
    assert preview.status_code == 200 and preview.json["applied"] is False
    assert [p["row"] for p in preview.json["problems"]] == [3]
    refused = admin_api.post("/api/admin/staff-import", {"filename": "ds.xlsx", "content_base64": wrong})
    assert refused.status_code == 422 and refused.json["code"] == "import_rows_invalid"
    assert refused.json["fields"]["row 3"].startswith("Dòng 3:")
    assert _log_size(org) == before and admin_api.get("/api/admin/users/nv.a").status_code == 404
    right = _xlsx([header, ["nv.a", "Nguyễn Văn A", "", "", "X01", "cong_chuc_tphc"]])
    done = admin_api.post("/api/admin/staff-import", {"filename": "ds.xlsx", "content_base64": right}).json
    assert done["applied"] is True and [c["username"] for c in done["created"]] == ["nv.a"]
    assert done["grant"] == [{"username": "nv.a", "role": "cong_chuc_tphc", "unit": "X01"}]
    bad = admin_api.post("/api/admin/staff-import/preview", {"filename": "ds.csv", "content_base64": "@@"})
    assert bad.status_code == 422 and "không phải base64" in bad.json["error"]


def test_the_delegations_overview_lists_those_of_the_administrators_units(api, app, org, clock):
    leader = api("tp.ktht")
    day = clock.now().date().isoformat()
    made = leader.post("/api/substitutes", {"substitute": "cv.ktht", "starts_on": day, "ends_on": day,
                                            "reason": "Đi công tác"})
    assert made.status_code == 201, made.json
    listed = api("admin").get("/api/admin/delegations").json
    assert [(d["username"], d["substitute"], d["state"]) for d in listed] == [("tp.ktht", "cv.ktht", "current")]
    assert listed[0]["substitute_name"] and listed[0]["reason"] == "Đi công tác"


def test_a_password_change_through_the_api_refuses_the_old_password_afterwards(api, app):
    me = api("motcua2")
    assert me.post("/api/me/password", {"current": "demo1234", "new": "một câu mật khẩu dài"}).json == \
        {"changed": True}
    client = app.test_client()
    from tests.web.conftest import csrf_of
    token = csrf_of(client.get("/login").data)
    assert client.post("/login", data={"username": "motcua2", "password": "demo1234",
                                       "csrf_token": token}).status_code == 401
    assert client.post("/login", data={"username": "motcua2", "password": "một câu mật khẩu dài",
                                       "csrf_token": token}).status_code == 302
