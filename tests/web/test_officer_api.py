"""The workspace's JSON API: every page action as JSON, with the same checks, documented in OpenAPI."""

from __future__ import annotations

import base64

from processes import tokens
from tests.web.workspace_helpers import PDF, finish, open_task

RECEPTION = {"procedure": "QT-XD-01", "outcome": "accepted",
             "applicant": {"name": "Vũ Thị Thu", "id_number": "034185000123", "phone": "0987654321",
                           "email": "thu@example.vn", "channel": "buu_chinh"},
             "documents": [{"name": "Đơn đề nghị cấp giấy phép xây dựng", "kind": "original", "sets": 1}],
             "form": {"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa",
                      "so_giay_chung_nhan_qsdd": "CS 1", "dien_tich_xay_dung": 90, "so_tang": 2},
             "uploads": [{"filename": "don.pdf", "content_base64": base64.b64encode(PDF).decode()}]}
WORKSPACE_BLUEPRINTS = ("workspace_api", "personal_api", "public_api")


def test_every_workspace_endpoint_is_in_the_openapi_document(xd, client):
    doc = client.get("/api/openapi.json").json
    for rule in xd.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in WORKSPACE_BLUEPRINTS:
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"].get(path, {}), f"{method} {path} is not documented"
    assert doc["paths"]["/api/public/lookup"]["post"]["security"] == []
    assert "InboxPage" in doc["components"]["schemas"] and "Reception" in doc["components"]["schemas"]


def test_reception_by_json_with_a_scan(xd, user, org):
    c = user("motcua")
    reply = c.post("/api/receptions", json=RECEPTION)
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert body["ref"].startswith("H01-") and body["appointment_at"].startswith("2026-01-26")
    assert body["receipt_url"] == f"/dossiers/{body['ref']}/documents/receipt.pdf"
    detail = c.get(f"/api/dossiers/{body['ref']}").json
    assert detail["dossier"]["channel"] == "buu_chinh" and detail["counter"]["applicant"]["email"] == "thu@example.vn"
    assert [a["filename"] for a in detail["attachments"]] == ["don.pdf"]
    got = c.get(f"/api/attachments/{detail['attachments'][0]['id']}")
    assert got.status_code == 200 and got.data == PDF


def test_invalid_reception_by_json_names_the_fields(xd, user, org):
    c = user("motcua")
    bad = {**RECEPTION, "applicant": {**RECEPTION["applicant"], "id_number": "x"},
           "form": {**RECEPTION["form"], "so_tang": "ba"}}
    reply = c.post("/api/receptions", json=bad)
    assert reply.status_code == 422
    assert set(reply.json["fields"]) >= {"applicant.id_number", "so_tang"}
    assert c.post("/api/receptions", json={"procedure": "QT-XD-01"}).status_code == 422  # no applicant
    assert user("cv.ktht").post("/api/receptions", json=RECEPTION).status_code == 403
    assert c.post("/api/receptions", data="procedure=QT-XD-01").status_code == 415  # session writes need JSON


def test_inbox_assign_comments_attachments_timeline(xd, user, org):
    code = user("motcua").post("/api/receptions", json=RECEPTION).json["ref"]
    cv = user("cv.ktht")
    page = cv.get("/api/inbox?per_page=1").json
    assert page["total"] == 1 and page["items"][0]["code"] == code and page["items"][0]["sla_state"] == "on_track"
    task = page["items"][0]["id"]
    assert cv.post(f"/api/tasks/{task}/assign", json={"assignee": "cv.ktht2"}).status_code == 403
    assert user("tp.ktht").post(f"/api/tasks/{task}/assign", json={"assignee": "cv.ktht2"}).status_code == 200
    assert user("cv.ktht2").get("/api/inbox?scope=mine").json["total"] == 1
    assert cv.get(f"/api/dossiers/{code}").status_code == 403  # handed to a colleague: no longer theirs to see
    cv = user("cv.ktht2")
    assert cv.post(f"/api/dossiers/{code}/comments", json={"text": "Đã xem"}).status_code == 201
    assert [c["text"] for c in cv.get(f"/api/dossiers/{code}/comments").json] == ["Đã xem"]
    fake = cv.post(f"/api/dossiers/{code}/attachments", json={"filename": "a.pdf", "content_base64": "aGVsbG8="})
    assert fake.status_code == 422 and fake.json["fields"]["file"] == "Nội dung tệp không đúng định dạng .pdf."
    assert cv.post(f"/api/dossiers/{code}/attachments",
                   json={"filename": "a.pdf", "content_base64": "***"}).status_code == 422
    lifecycles = [e["lifecycle"] for e in cv.get(f"/api/dossiers/{code}/timeline").json]
    assert lifecycles[0] == "case_start" and "assign" in lifecycles and "comment_added" in lifecycles
    assert user("xa.motcua").get(f"/api/dossiers/{code}/timeline").status_code == 403


def test_search_dashboard_apology_substitutes_notifications(xd, user, org, clock):
    c = user("motcua")
    code = c.post("/api/receptions", json=RECEPTION).json["ref"]
    assert user("pct").get(f"/api/dossiers?code={code}").json["items"][0]["applicant_name"] == "Vũ Thị Thu"
    assert user("cv.tp").get("/api/dossiers").json["total"] == 0
    cv = user("cv.ktht")
    asked = cv.post(f"/api/dossiers/{code}/apology", json={"reason": "Chờ kết quả đo đạc"})
    assert asked.status_code == 201 and asked.json["state"] == "pending"
    head = user("tp.ktht")
    [pending] = head.get("/api/apologies").json
    assert head.get("/api/notifications?unread=1").json[0]["link"] == f"/apologies/{pending['id']}"
    assert head.post("/api/notifications/read", json={"all": True}).json["marked"] == 1
    signed = head.post(f"/api/apologies/{pending['id']}/sign", json={})
    assert signed.status_code == 200 and signed.json["state"] == "signed"
    sub = cv.post("/api/substitutes", json={"substitute": "cv.ktht2", "starts_on": "2026-01-05",
                                            "ends_on": "2026-01-07"})
    assert sub.status_code == 201 and sub.json["username"] == "cv.ktht"
    assert cv.post(f"/api/substitutes/{sub.json['id']}/revoke", json={}).json["revoked"] is True
    assert cv.post("/api/substitutes", json={"substitute": "cv.ktht2"}).status_code == 422
    finish(org, clock, code)
    assert user("pct").get("/api/dashboard").json["total"]["done"] == 1


def test_bearer_tokens_work_without_json_rules(xd, user, org, clock, client):
    code = user("motcua").post("/api/receptions", json=RECEPTION).json["ref"]
    token = tokens.issue_token(org, "cv.ktht", clock, "script")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/inbox", headers=headers).json["items"][0]["code"] == code
    assert client.get(f"/api/dossiers/{code}", headers=headers).status_code == 200
    assert client.get("/api/inbox").status_code == 401
    assert open_task(org, code)
