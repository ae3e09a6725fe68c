"""The quality manager's pages and JSON API (the contract the modeler page calls)."""

from __future__ import annotations

import html
import io
import shutil

import pytest

from demo.signing_keys import DEMO_KEY_PASSWORD, ensure_keys
from jobs.runner import execute
from tests.conftest import EXTERNAL
from tests.processes.conftest import BPMN, CODE
from tests.processes.quality_helpers import RENAMED, RESTRUCTURED, catalog_with_test_procedure
from tests.web.conftest import csrf_of

BROKEN = RENAMED.replace('<bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_ktht">',
                         '<bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_khong_co">')
UNKNOWN_LANE_ROLE = "Làn 'chuyen_vien_khong_co': vai trò 'chuyen_vien_khong_co' không có trong tổ chức"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture
def catalog(org, clock, deployed):
    """QT-ISO-01 and the test procedure deployed and under document control; the approver (pct) has a key."""
    catalog_with_test_procedure(org, clock, deployed)
    ensure_keys(org, ["pct"])
    return org


def _complete_my_step(client, data: dict) -> None:
    """Do my step of the approval case through the API; approving signs the ISO document with my stored key."""
    mine = [t for t in client.get("/api/tasks").json if t["procedure"] == "QT-ISO-01"]
    assert len(mine) == 1, mine
    signing = {"signing_password": DEMO_KEY_PASSWORD} if data.get("ket_qua_phe_duyet") == "phe_duyet" else {}
    reply = client.post(f"/api/tasks/{mine[0]['id']}/complete", json={"data": data, **signing})
    assert reply.status_code == 200, reply.json


def _versions(client) -> dict[int, dict]:
    return {v["version"]: v for v in client.get(f"/api/procedures/{CODE}/versions").json}


def test_api_lifecycle_save_validate_diff_submit_approve(catalog, login):
    iso = login("iso")
    listed = iso.get(f"/api/procedures/{CODE}/versions")
    assert listed.status_code == 200 and listed.json[0]["status"] == "effective"
    assert listed.json[0]["effective_date"] == "2026-01-05"
    original = iso.get(f"/api/procedures/{CODE}/versions/1/bpmn")
    assert original.mimetype == "application/xml" and original.get_data(as_text=True) == BPMN
    bad = iso.put(f"/api/procedures/{CODE}/draft", json={"xml": "<bpmn:definitions", "note": "x"})
    assert bad.status_code == 422 and bad.json["problems"][0]["severity"] == "error"
    saved = iso.put(f"/api/procedures/{CODE}/draft", json={"xml": BROKEN, "note": "Rút ngắn thẩm định"})
    assert saved.status_code == 200 and (saved.json["version"], saved.json["status"]) == (2, "draft")
    assert {"element_id": "Lane_ChuyenVien", "severity": "error", "code": "unknown_role",
            "message": UNKNOWN_LANE_ROLE}.items() <= saved.json["problems"][0].items()
    assert saved.json["problems"][0]["params"]["role"] == "chuyen_vien_khong_co"
    refused = iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    assert refused.status_code == 422 and refused.json["problems"][0]["element_id"] == "Lane_ChuyenVien"
    assert refused.json["problems"][0]["message"] == refused.json["fields"]["Lane_ChuyenVien"] == UNKNOWN_LANE_ROLE
    english = iso.post(f"/api/procedures/{CODE}/versions/2/submit?lang=en", json={}).json
    assert english["fields"]["Lane_ChuyenVien"] == ("Lane 'chuyen_vien_khong_co': role 'chuyen_vien_khong_co' "
                                                    "does not exist in the organisation")
    iso.get("/?lang=vi")
    checked = iso.post("/api/procedures/validate", json={"xml": RENAMED})
    assert checked.status_code == 200 and checked.json == {"problems": []}
    assert iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"}).json["problems"] == []
    changes = iso.get(f"/api/procedures/{CODE}/diff?from=1&to=2").json
    assert changes["added"] == [] and changes["removed"] == []
    assert changes["changed"][0]["element_id"] == "Task_ThamDinh"
    assert changes["changed"][0]["what"] == ["name", "time_limit"]
    page = iso.get(f"/quality/procedures/{CODE}?from=1&to=2").get_data(as_text=True)
    listed = page[page.index('class="q-changed"'):].split("</li>")[0]
    assert "tên, thời hạn" in listed  # what changed in words, the step by its name: no ids, no field codes
    assert "Task_ThamDinh" not in listed and "time_limit" not in listed
    sent = iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    assert sent.status_code == 200 and sent.json["status"] == "in_review"
    _complete_my_step(login("tp.nv"), {"ket_qua_xem_xet": "dong_y"})
    _complete_my_step(login("pct"), {"ket_qua_phe_duyet": "phe_duyet"})
    after = _versions(iso)
    assert (after[1]["status"], after[1]["obsolete"], after[2]["status"]) == ("superseded", True, "effective")
    case = login("motcua").post("/api/cases", json={"procedure": CODE})
    assert case.status_code == 201 and case.json["opened"][0]["element_id"] == "Task_TiepNhan"


def test_api_writes_are_for_the_quality_manager(catalog, login):
    officer = login("cv.ktht")
    assert officer.get(f"/api/procedures/{CODE}/versions").status_code == 200
    assert officer.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED}).status_code == 403
    leader = login("pct")
    assert leader.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED}).status_code == 403
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED})
    assert officer.post(f"/api/procedures/{CODE}/versions/2/submit", json={}).status_code == 403
    assert iso.put(f"/api/procedures/{CODE}/draft", data=RENAMED).status_code == 415
    assert login("iso").get(f"/api/procedures/{CODE}/versions/9/bpmn").status_code == 404


def test_api_migration_dry_run_move_and_revert(catalog, login, clock):
    motcua, iso = login("motcua"), login("iso")
    key = motcua.post("/api/cases", json={"procedure": CODE}).json["business_key"]
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RESTRUCTURED})
    iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    _complete_my_step(login("tp.nv"), {"ket_qua_xem_xet": "dong_y"})
    _complete_my_step(login("pct"), {"ket_qua_phe_duyet": "phe_duyet"})
    body = {"from": 1, "to": 2, "filter": {"business_keys": [key]}}
    dry = iso.post(f"/api/procedures/{CODE}/migrations/dry-run", json=body)
    assert dry.status_code == 200 and (dry.json["from"], dry.json["to"], dry.json["movable"]) == (1, 2, 1)
    assert dry.json["instances"][0]["steps"] == [{"element_id": "Task_TiepNhan", "name": "Tiếp nhận hồ sơ"}]
    assert login("tp.ktht").post(f"/api/procedures/{CODE}/migrations", json=body).status_code == 403
    done = iso.post(f"/api/procedures/{CODE}/migrations", json=body)
    assert done.status_code == 200 and done.json["instances"][0]["outcome"] == "migrated"
    listed = iso.get(f"/api/procedures/{CODE}/migrations").json
    assert listed[0]["items"][0]["business_key"] == key
    undone = iso.post(f"/api/procedures/{CODE}/migrations/{done.json['migration']}/revert", json={})
    assert undone.status_code == 200 and undone.json["reverted"] == 1


def test_openapi_lists_the_quality_api(client):
    doc = client.get("/api/openapi.json").json
    for path in ("/api/procedures/{code}/versions", "/api/procedures/{code}/draft", "/api/procedures/validate",
                 "/api/procedures/{code}/diff", "/api/procedures/{code}/migrations/{migration_id}/revert"):
        assert path in doc["paths"], path
    assert "SavedDraft" in doc["components"]["schemas"]


def test_catalog_page_is_the_master_list_with_obsolete_versions_marked(catalog, login, clock, deployed):
    deployed(BPMN.replace('camunda:dueDate="P3D"', 'camunda:dueDate="P2D"'))  # deployed outside the catalog
    page = login("cv.ktht").get("/quality/procedures")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Danh mục quy trình nội bộ" in text
    assert CODE in text and "QT-ISO-01" in text and ">02<" in text and "lỗi thời" in text
    assert "Thêm quy trình" not in text  # an officer reads, does not edit
    english = login("cv.ktht").get("/quality/procedures?lang=en").get_data(as_text=True)
    assert "Internal procedures" in english


def test_procedure_page_send_approve_from_the_page(catalog, login):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED})
    page = iso.get(f"/quality/procedures/{CODE}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bảng theo dõi sửa đổi" in text and "Trình phê duyệt" in text
    reply = iso.post(f"/quality/procedures/{CODE}/versions/2/submit", data={"csrf_token": csrf_of(page.data)})
    assert reply.status_code == 302
    head = login("tp.nv")
    page = head.get(f"/quality/procedures/{CODE}")
    text = page.get_data(as_text=True)
    assert "Xem xét dự thảo quy trình" in text and 'name="ket_qua_xem_xet"' in text
    task = next(t for t in head.get("/api/tasks").json if t["procedure"] == "QT-ISO-01")["id"]
    head.post(f"/quality/procedures/{CODE}/tasks/{task}", data={"csrf_token": csrf_of(page.data),
                                                               "ket_qua_xem_xet": "dong_y"})
    leader = login("pct")
    page = leader.get(f"/quality/procedures/{CODE}")
    task = next(t for t in leader.get("/api/tasks").json if t["procedure"] == "QT-ISO-01")["id"]
    leader.post(f"/quality/procedures/{CODE}/tasks/{task}", data={"csrf_token": csrf_of(page.data),
                                                                 "ket_qua_phe_duyet": "phe_duyet",
                                                                 "signing_password": DEMO_KEY_PASSWORD})
    assert _versions(iso)[2]["status"] == "effective"
    text = iso.get(f"/quality/procedures/{CODE}?v=1").get_data(as_text=True)
    assert "Hết hiệu lực (thay thế)" in text and "Đang hiệu lực" in text


def test_a_draft_with_errors_is_shown_and_refused_from_the_page(catalog, login):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": BROKEN})
    page = iso.get(f"/quality/procedures/{CODE}")
    assert "Lane_ChuyenVien" in page.get_data(as_text=True)
    assert UNKNOWN_LANE_ROLE in html.unescape(page.get_data(as_text=True))
    reply = iso.post(f"/quality/procedures/{CODE}/versions/2/submit", data={"csrf_token": csrf_of(page.data)},
                     follow_redirects=True)
    assert f"chưa thể trình: {UNKNOWN_LANE_ROLE}" in html.unescape(reply.get_data(as_text=True))
    english = html.unescape(iso.get(f"/quality/procedures/{CODE}?lang=en").get_data(as_text=True))
    assert "role 'chuyen_vien_khong_co' does not exist in the organisation" in english
    assert _versions(iso)[2]["status"] == "draft"
    what_if = f'href="/quality/procedures/{CODE}/versions/2/what-if"'
    assert what_if in page.get_data(as_text=True)  # the draft's impact can be predicted from its row
    assert what_if not in login("cv.ktht").get(f"/quality/procedures/{CODE}").get_data(as_text=True)


def test_metadata_upload_new_procedure_and_download(catalog, login):
    iso = login("iso")
    token = csrf_of(iso.get("/quality/procedures").data)
    iso.post(f"/quality/procedures/{CODE}/metadata", data={
        "csrf_token": token, "purpose": "Thống nhất", "scope": "UBND huyện", "reference_docs": "Luật A\nLuật B",
        "terms": "TTHC: Thủ tục hành chính", "records": "Sổ theo dõi | Một cửa | 5 năm"})
    meta = iso.get(f"/api/procedures/{CODE}").json
    assert meta["reference_docs"] == ["Luật A", "Luật B"]
    assert meta["records"] == [{"record": "Sổ theo dõi", "where": "Một cửa", "retention": "5 năm"}]
    twitter = (EXTERNAL / "camunda" / "camunda-bpm-examples" / "TwitterDemoProcess.bpmn").read_bytes()
    reply = iso.post("/quality/procedures/upload", data={"csrf_token": token, "code": "EX-TWEET",
                                                         "bpmn": (io.BytesIO(twitter), "twitter.bpmn")})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/quality/procedures/EX-TWEET")
    reply = iso.post("/quality/procedures/create", data={"csrf_token": token, "code": "QT-MOI-01",
                                                         "name": "Quy trình mới", "deadline": "P5D"})
    assert reply.headers["Location"].endswith("/quality/procedures/QT-MOI-01")
    file = iso.get(f"/quality/procedures/{CODE}/versions/1.bpmn")
    assert file.headers["Content-Disposition"] == f'attachment; filename="{CODE}-v1.bpmn"'
    assert file.get_data(as_text=True) == BPMN
    officer = login("cv.ktht")
    officer.post(f"/quality/procedures/{CODE}/metadata", data={"csrf_token": token, "purpose": "Khác"})
    assert iso.get(f"/api/procedures/{CODE}").json["purpose"] == "Thống nhất"


@needs_dot
def test_pictures_of_a_version_and_of_a_diff(catalog, login):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RESTRUCTURED})
    svg = iso.get(f"/quality/procedures/{CODE}/versions/2.svg")
    assert svg.mimetype == "image/svg+xml" and b"Task_KiemTra" in svg.data
    page = iso.get(f"/quality/procedures/{CODE}?from=1&to=2").get_data(as_text=True)
    assert "Kiểm tra, ký" in page and "diff.svg" in page
    right = iso.get(f"/quality/procedures/{CODE}/diff.svg?from=1&to=2&side=to").get_data(as_text=True)
    assert "#c8e6c9" in right


def test_migration_from_the_page(catalog, login, app, org, clock):
    motcua, iso = login("motcua"), login("iso")
    motcua.post("/api/cases", json={"procedure": CODE})
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RESTRUCTURED})
    iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    _complete_my_step(login("tp.nv"), {"ket_qua_xem_xet": "dong_y"})
    _complete_my_step(login("pct"), {"ket_qua_phe_duyet": "phe_duyet"})
    token = csrf_of(iso.get(f"/quality/procedures/{CODE}").data)
    dry = iso.post(f"/quality/procedures/{CODE}/migrations/dry-run", data={"csrf_token": token, "from": 1, "to": 2})
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "Kết quả chạy thử" in text and "Tiếp nhận hồ sơ" in text
    started = iso.post(f"/quality/procedures/{CODE}/migrations", data={"csrf_token": token, "from": 1, "to": 2})
    # The move runs as a background job: its progress page, then the job run as a worker would.
    [(job_id, attempt)] = app.extensions["quytrinh.jobs_queue"].sent
    assert started.headers["Location"] == f"/jobs/{job_id}"
    assert execute(org, job_id, attempt, clock) == "done"
    page = iso.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Đã chuyển 1 hồ sơ sang phiên bản 2" in page and f"/quality/procedures/{CODE}" in page
    text = iso.get(f"/quality/procedures/{CODE}").get_data(as_text=True)
    assert "đã chuyển" in text and "Hoàn tác" in text and "migrated" not in text


def test_the_migration_form_and_its_dry_run_speak_of_steps_units_and_reasons_in_vietnamese(catalog, login, org,
                                                                                            clock):
    from tests.processes.conftest import CHECK_OK, RECEIVE, start_case, work

    at_approval = start_case(org, clock)
    work(org, clock, "motcua", RECEIVE, at_approval.instance_id)
    work(org, clock, "cv.ktht", CHECK_OK, at_approval.instance_id)
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RESTRUCTURED})
    iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    _complete_my_step(login("tp.nv"), {"ket_qua_xem_xet": "dong_y"})
    _complete_my_step(login("pct"), {"ket_qua_phe_duyet": "phe_duyet"})
    page = iso.get(f"/quality/procedures/{CODE}").get_data(as_text=True)
    form = page[page.index('id="migration"'):]
    # The quality manager ticks steps and picks a unit by name, not by element id or unit code.
    assert 'name="steps" value="Task_PheDuyet"> Phê duyệt' in form and "mã bước" not in form
    assert '<option value="H01.KTHT">Phòng Kinh tế – Hạ tầng</option>' in form
    token = csrf_of(page.encode())
    dry = iso.post(f"/quality/procedures/{CODE}/migrations/dry-run",
                   data={"csrf_token": token, "from": 1, "to": 2, "steps": ["Task_PheDuyet"]})
    text = html.unescape(dry.get_data(as_text=True))
    table = text[text.index("Kết quả chạy thử"):]
    assert "Bước hồ sơ đang ở, «Phê duyệt», đã bị bỏ trong phiên bản 2." in table
    assert "was removed" not in table and "Task_PheDuyet" not in table[:table.index("</table>")]
    assert 'value="Task_PheDuyet" checked> Phê duyệt' in text  # the filter stays as chosen
    api = iso.post(f"/api/procedures/{CODE}/migrations/dry-run", json={"from": 1, "to": 2}).json
    [blocked] = [v for v in api["instances"] if not v["can_move"]]
    assert blocked["reasons"] == ["Bước hồ sơ đang ở, «Phê duyệt», đã bị bỏ trong phiên bản 2."]
    assert blocked["why"] == [{"code": "move_step_removed", "params": {"step": "Phê duyệt", "target": 2}}]
    english = html.unescape(iso.post(f"/quality/procedures/{CODE}/migrations/dry-run?lang=en",
                                     data={"csrf_token": token, "from": 1, "to": 2}).get_data(as_text=True))
    assert "The step the case is in, 'Phê duyệt', was removed in version 2." in english
    english_api = iso.post(f"/api/procedures/{CODE}/migrations/dry-run?lang=en", json={"from": 1, "to": 2}).json
    assert [v["reasons"] for v in english_api["instances"] if not v["can_move"]] == [
        ["The step the case is in, 'Phê duyệt', was removed in version 2."]]


def test_every_model_round_trips_through_the_api_with_its_extensions(org, login):
    from tests.conftest import BPMN_DIR
    from tests.processes.test_procedures_catalog import _camunda_parts

    iso = login("iso")
    models = sorted(BPMN_DIR.glob("*.bpmn")) + sorted((EXTERNAL / "camunda").rglob("*.bpmn"))
    for path in models:
        raw = path.read_bytes()
        code = path.stem if path.parent == BPMN_DIR else f"EX-{path.stem[:50]}"
        saved = iso.put(f"/api/procedures/{code}/draft", json={"xml": raw.decode("utf-8-sig")})
        assert saved.status_code == 200, (path.name, saved.json)
        back = iso.get(f"/api/procedures/{code}/versions/{saved.json['version']}/bpmn").data
        assert back == raw.removeprefix(b"\xef\xbb\xbf"), path.name
        assert _camunda_parts(back) == _camunda_parts(raw), path.name


def test_a_migration_job_that_fails_says_why_in_vietnamese_and_non_editors_are_refused_before(catalog, login, app,
                                                                                              org, clock):
    iso = login("iso")
    token = csrf_of(iso.get(f"/quality/procedures/{CODE}").data)
    iso.post(f"/quality/procedures/{CODE}/migrations", data={"csrf_token": token, "from": 1, "to": 1})
    [(job_id, attempt)] = app.extensions["quytrinh.jobs_queue"].sent
    assert execute(org, job_id, attempt, clock) == "failed"
    page = html.unescape(iso.get(f"/jobs/{job_id}").get_data(as_text=True))
    assert "Hồ sơ chỉ được chuyển sang phiên bản mới hơn" in page and "Thử lại" in page
    officer = login("cv.ktht")
    refused = officer.post(f"/quality/procedures/{CODE}/migrations",
                           data={"csrf_token": csrf_of(officer.get("/").data), "from": 1, "to": 2})
    assert refused.status_code == 302 and len(app.extensions["quytrinh.jobs_queue"].sent) == 1
