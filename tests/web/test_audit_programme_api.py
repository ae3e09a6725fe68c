"""Issue 14 item 4: the JSON twin of the audit programme pages, and its place in the OpenAPI document."""

from __future__ import annotations

from tests.web.test_audit_programme_pages import audited  # noqa: F401 - the fixture


def test_plan_answer_finding_close_by_json(org, audited, login):  # noqa: F811
    client = login("danhgia")
    refused = client.post("/api/audit/programme", json={"unit": "H01.VP", "period": "2026", "auditors": ["danhgia"]})
    assert refused.status_code == 422 and refused.json["fields"] == {"auditors": "danhgia"}
    made = client.post("/api/audit/programme", json={"unit": "H01.KTHT", "period": "2026", "auditors": ["danhgia"],
                                                     "procedures": ["QT-XD-01"]})
    assert made.status_code == 201, made.json
    code, sample = made.json["plan"]["code"], made.json["sample"]
    assert made.json["plan"]["team"] == [{"username": "danhgia", "role": "lead"}] and len(sample) == 5
    item = made.json["checklist"][0]
    answered = client.post(f"/api/audit/programme/{code}/answers", json={
        "procedure": item["procedure"], "item_no": item["item_no"], "answer": "conformity",
        "evidence": [{"dossier": sample[0], "seq": 1}]})
    assert answered.status_code == 200 and answered.json["evidence"][0]["dossier"] == sample[0]
    found = client.post(f"/api/audit/programme/{code}/findings", json={
        "kind": "nonconformity", "statement": "Thiếu văn bản xin lỗi", "evidence": [{"dossier": sample[1]}]})
    assert found.status_code == 201 and found.json["capa"]
    assert client.post(f"/api/audit/programme/{code}/close", json={}).status_code == 422
    shown = client.get(f"/api/audit/programme/{code}").json
    assert shown["unanswered"] == len(shown["checklist"]) - 1 and shown["findings"][0]["capa"] == found.json["capa"]
    year = client.get("/api/audit/programme?year=2026").json
    assert {u["code"]: u["audited"] for u in year["coverage"]}["H01.KTHT"] is True


def test_the_programme_api_is_documented(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, method in (("/api/audit/programme", "get"), ("/api/audit/programme", "post"),
                         ("/api/audit/programme/{code}", "get"), ("/api/audit/programme/{code}/answers", "post"),
                         ("/api/audit/programme/{code}/findings", "post"),
                         ("/api/audit/programme/{code}/close", "post")):
        assert method in paths[path], f"{method} {path}"
