"""Issue 14 item 1: the reviewer's page of a version under approval, the people named, comments to the drafter."""

from __future__ import annotations

import html

import pytest

from tests.processes.conftest import CODE
from tests.processes.quality_helpers import RENAMED, catalog_with_test_procedure
from tests.web.conftest import csrf_of


@pytest.fixture
def catalog(org, clock, deployed):
    """QT-ISO-01 and the test procedure deployed and under document control."""
    catalog_with_test_procedure(org, clock, deployed)
    return org


def _step_id(client) -> str:
    mine = [t for t in client.get("/api/tasks").json if t["procedure"] == "QT-ISO-01"]
    assert len(mine) == 1, mine
    return mine[0]["id"]


def test_the_procedure_page_names_reviewer_and_approver(catalog, login):
    iso = login("iso")
    assert iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"}).status_code == 200
    assert iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={}).status_code == 200
    page = html.unescape(iso.get(f"/quality/procedures/{CODE}").get_data(as_text=True))
    assert "Lý Văn Phúc" in page and "(tp.nv)" in page  # the reviewer (lanh_dao_phong_nv)
    assert "Nguyễn Văn Thành" in page and "(pct)" in page  # the approver (lanh_dao_ubnd)
    assert "đang ở bước này" in page


def test_reviewer_opens_from_inbox_sees_diff_and_returns_with_a_comment(catalog, login):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"})
    iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    reviewer = login("tp.nv")
    task_id = _step_id(reviewer)
    opened = reviewer.get(f"/tasks/{task_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/quality/review/{task_id}")
    page = html.unescape(reviewer.get(f"/quality/review/{task_id}").get_data(as_text=True))
    assert f"Xem xét quy trình {CODE}, lần ban hành 2" in page
    assert "Người nộp hồ sơ" not in page and "None" not in page and "biên nhận" not in page.lower()
    assert f"/quality/procedures/{CODE}/versions/2/edit" in page  # the draft in the modeler
    assert f"/quality/procedures/{CODE}/versions/2/document.pdf" in page  # what approval would issue
    assert "Thay đổi so với phiên bản đang áp dụng" in page and "from=1" in page
    token = csrf_of(reviewer.get(f"/quality/review/{task_id}").data)
    sent = reviewer.post(f"/quality/review/{task_id}", data={
        "csrf_token": token, "ket_qua_xem_xet": "tra_lai", "y_kien_xem_xet": "Bổ sung căn cứ pháp lý"})
    assert sent.status_code == 302
    drafter = html.unescape(iso.get(f"/quality/procedures/{CODE}").get_data(as_text=True))
    assert "Bổ sung căn cứ pháp lý" in drafter and "Lý Văn Phúc" in drafter


@pytest.mark.parametrize(("reviewer", "field", "comment_field"), [
    ("tp.nv", "ket_qua_xem_xet", "y_kien_xem_xet"), ("pct", "ket_qua_phe_duyet", "y_kien_phe_duyet")])
def test_the_reviewer_or_the_approver_may_reject_a_draft_with_a_reason(catalog, login, reviewer, field, comment_field):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"})
    iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    if reviewer == "pct":
        first = login("tp.nv")
        first.post(f"/api/tasks/{_step_id(first)}/complete", json={"data": {"ket_qua_xem_xet": "dong_y"}})
    client = login(reviewer)
    task_id = _step_id(client)
    page = f"/quality/review/{task_id}"
    assert "Không chấp thuận (dừng dự thảo)" in html.unescape(client.get(page).get_data(as_text=True))
    without = client.post(page, data={"csrf_token": csrf_of(client.get(page).data), field: "khong_chap_thuan"})
    assert without.status_code == 302 and without.headers["Location"].endswith(page)  # a reason is required
    client.post(page, data={"csrf_token": csrf_of(client.get(page).data), field: "khong_chap_thuan",
                            comment_field: "Trùng với quy trình đang áp dụng"})
    listed = {v["version"]: v for v in iso.get(f"/api/procedures/{CODE}/versions").json}
    assert (listed[1]["status"], listed[2]["status"]) == ("effective", "withdrawn")
    assert "Trùng với quy trình đang áp dụng" in html.unescape(
        iso.get(f"/quality/procedures/{CODE}?v=2").get_data(as_text=True))


def test_a_draft_sent_back_and_broken_is_not_submitted_again_and_says_why(catalog, login):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED, "note": "Rút ngắn"})
    iso.post(f"/api/procedures/{CODE}/versions/2/submit", json={})
    reviewer = login("tp.nv")
    reviewer.post(f"/api/tasks/{_step_id(reviewer)}/complete",
                  json={"data": {"ket_qua_xem_xet": "tra_lai", "y_kien_xem_xet": "Sửa làn"}})
    broken = RENAMED.replace('<bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_ktht">',
                             '<bpmn:lane id="Lane_ChuyenVien" name="chuyen_vien_khong_co">')
    assert iso.put(f"/api/procedures/{CODE}/draft", json={"xml": broken, "note": "x"}).status_code == 200
    task_id = _step_id(iso)
    page = f"/quality/review/{task_id}"
    assert "Chỉnh sửa, trình lại quy trình" in html.unescape(iso.get(page).get_data(as_text=True))
    sent = iso.post(page, data={"csrf_token": csrf_of(iso.get(page).data), "hanh_dong": "trinh_duyet"},
                    follow_redirects=True)
    text = html.unescape(sent.get_data(as_text=True))
    assert "Dự thảo còn 1 lỗi, chưa thể trình" in text and "chuyen_vien_khong_co" in text
