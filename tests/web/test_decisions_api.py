"""Issue 13 items 1–3 through the JSON API: reasons required, dates checked against the case's facts, and every
step's values returned with the BPMN's labels (only to those who may see the case)."""

from __future__ import annotations

from tests.web.test_officer_api import RECEPTION
from tests.web.workspace_helpers import open_task


def complete(c, db, code: str, element: str, data: dict):
    return c.post(f"/api/tasks/{open_task(db, code, element)}/complete", json={"data": data})


def test_reasons_and_dates_are_checked_and_decisions_come_back_labelled(xd, user, org):
    code = user("motcua").post("/api/receptions", json=RECEPTION).json["ref"]
    cv = user("cv.ktht")
    empty = complete(cv, org, code, "Task_ThamDinh", {"ket_qua_tham_dinh": "bo_sung"})
    assert empty.status_code == 422 and set(empty.json["fields"]) == {"noi_dung_bo_sung"}
    ok = complete(cv, org, code, "Task_ThamDinh", {"ket_qua_tham_dinh": "bo_sung", "noi_dung_bo_sung": "Bản vẽ móng",
                                                  "ngay_kiem_tra_thuc_dia": "2026-01-05"})
    assert ok.status_code == 200, ok.json

    counter = user("motcua")
    received = org_received_day(counter, code)
    early = complete(counter, org, code, "Task_TiepNhanBoSung",
                     {"ngay_thong_bao_bo_sung": "2025-12-30", "ngay_nhan_bo_sung": received})
    assert early.status_code == 422 and set(early.json["fields"]) == {"ngay_thong_bao_bo_sung"}  # before reception
    future = complete(counter, org, code, "Task_TiepNhanBoSung",
                      {"ngay_thong_bao_bo_sung": received, "ngay_nhan_bo_sung": "2027-01-01"})
    assert future.status_code == 422 and set(future.json["fields"]) == {"ngay_nhan_bo_sung"}
    assert complete(counter, org, code, "Task_TiepNhanBoSung",
                    {"ngay_thong_bao_bo_sung": received, "ngay_nhan_bo_sung": received}).status_code == 200

    detail = user("cv.ktht").get(f"/api/dossiers/{code}").json
    steps = [d["step"] for d in detail["decisions"]]
    assert steps[-2:] == ["Thẩm định hồ sơ, kiểm tra thực địa", "Tiếp nhận hồ sơ bổ sung"]
    appraisal = {a["field"]: a for a in detail["decisions"][-2]["answers"]}
    assert appraisal["ket_qua_tham_dinh"]["label"] == "Kết quả thẩm định"
    assert appraisal["ket_qua_tham_dinh"]["text"] == "Yêu cầu bổ sung, hoàn thiện hồ sơ"
    assert appraisal["noi_dung_bo_sung"]["text"] == "Bản vẽ móng"
    timeline = user("cv.ktht").get(f"/api/dossiers/{code}/timeline").json
    done = [e for e in timeline if e["lifecycle"] == "complete" and e["activity"] == "Task_ThamDinh"]
    assert done and {a["label"] for a in done[0]["answers"]} >= {"Kết quả thẩm định", "Nội dung yêu cầu bổ sung"}
    assert user("xa.motcua").get(f"/api/dossiers/{code}").status_code == 403  # values include identity numbers
    events = user("cv.ktht").get(f"/api/cases/{code}/history").json
    said = [e["answers"] for e in events if e["lifecycle"] == "complete" and e["activity"] == "Task_ThamDinh"][0]
    assert {"field": "noi_dung_bo_sung", "label": "Nội dung yêu cầu bổ sung", "type": "string",
            "value": "Bản vẽ móng", "text": "Bản vẽ móng"} in said
    assert user("xa.motcua").get(f"/api/cases/{code}/history").status_code == 403


def org_received_day(c, code: str) -> str:
    """The day (Vietnam time) the dossier was received, as the API tells it."""
    return c.get(f"/api/dossiers/{code}").json["dossier"]["received_at"][:10]


def test_a_task_due_is_its_deadline_not_its_time_limit(xd, user, org):
    """Issue 13 item 14: `due` is the instant the step is due; the BPMN's duration is `time_limit`."""
    import datetime as dt

    code = user("motcua").post("/api/receptions", json=RECEPTION).json["ref"]
    cv = user("cv.ktht")
    mine = [t for t in cv.get("/api/tasks").json if t["business_key"] == code]
    assert mine and mine[0]["time_limit"] == "P9D"
    due = dt.datetime.fromisoformat(mine[0]["due"])
    assert due.tzinfo is not None and due > dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    assert cv.get(f"/api/tasks/{mine[0]['id']}").json["due"] == mine[0]["due"]


def test_the_forbidden_page_names_the_dossier_by_its_code(xd, user, org):
    """Issue 13 item 6: "hồ sơ số 658" (a row id) becomes the dossier code people know."""
    code = user("motcua").post("/api/receptions", json=RECEPTION).json["ref"]
    page = user("xa.motcua").get(f"/dossiers/{code}")
    assert page.status_code == 403
    assert f"hồ sơ số {code}" in page.get_data(as_text=True)


def test_the_substitute_is_picked_by_full_name_among_colleagues(xd, user):
    """Issue 13 item 14: the ủy quyền form offers the agency's colleagues by name instead of a typed username."""
    page = user("cv.ktht").get("/substitutes").get_data(as_text=True)
    picker = page[page.index('<select id="s-sub"'):page.index("</select>", page.index('<select id="s-sub"'))]
    assert '<option value="cv.tp" >Ngô Thị Hạnh</option>' in picker and 'value="cv.ktht"' not in picker
    assert "xa.motcua" not in picker  # another agency (the commune) cannot stand in


def test_the_approval_step_names_its_role_not_its_code(org, clock, deployed, login):
    """Issue 13 item 6: the procedure page's pending approval says 'Lãnh đạo phòng…', not 'lanh_dao_phong_nv'."""
    from tests.processes.conftest import CODE
    from tests.processes.quality_helpers import RENAMED, catalog_with_test_procedure

    catalog_with_test_procedure(org, clock, deployed)
    iso = login("iso")
    assert iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"}).status_code == 200
    assert iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={}).status_code == 200
    page = iso.get(f"/quality/procedures/{CODE}").get_data(as_text=True)
    line = page[page.index("Hồ sơ phê duyệt"):page.index("Hồ sơ phê duyệt") + 300]
    assert "vai trò Lãnh đạo Phòng Nội vụ" in line and "lanh_dao" not in line, line
