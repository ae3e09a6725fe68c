"""Issue 14 item 4 in the browser: the auditor (danhgia) plans an audit of the Economic-Infrastructure office, sees
the drawn sample, answers the checklist item by item with evidence (a code that is no dossier refused in
Vietnamese, the event link opening the dossier's log at that event), records a nonconformity (its CAPA case
starts) and closes the plan; the year's programme shows the unit covered. Screenshots: test-artifacts/browser/
audit-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from processes import instances
from processes.clock import SystemClock
from processes.keys import VN

from .conftest import shot
from .test_officer_flow import as_user

pytestmark = pytest.mark.browser

APPLICANT = {"ten_nguoi_nop": "Nguyễn Văn An", "so_giay_to": "001203004567", "kenh_nop": "truc_tiep"}


def test_plan_answer_nonconformity_close(page, live_server):
    server = live_server
    year = dt.datetime.now(VN).year
    dossiers = [instances.start(server.db, "QT-XD-01", APPLICANT, "motcua", SystemClock()).business_key
                for _ in range(3)]
    as_user(page, server, "danhgia", "/audit/programme")
    form = page.locator("#new-plan form")
    form.locator("[name=unit]").select_option("H01.KTHT")
    form.locator("[name=period]").fill(str(year))
    form.locator("[name=lead]").select_option("danhgia")
    form.locator("[name=procedures]").select_option("QT-XD-01")
    form.get_by_role("button", name="Lập kế hoạch và chọn mẫu").click()
    page.wait_for_url("**/audit/programme/DGNB-*")
    sample = page.locator("#sample").inner_text()
    assert all(code in sample for code in dossiers)  # 3 dossiers: all of them are examined
    shot(page, "audit-1-plan")

    row = page.locator("tr.checklist-item:not(.answered)").first
    row.locator("[name=answer]").select_option("conformity")
    row.locator("[name=evidence]").fill("H01-000000-9999")
    row.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state("networkidle")
    assert "Không có hồ sơ mã 'H01-000000-9999' để làm bằng chứng; chưa ghi gì." in page.locator("body").inner_text()
    assert page.locator("tr.checklist-item.answered").count() == 0  # nothing stored

    first = True
    while page.locator("tr.checklist-item:not(.answered)").count():
        row = page.locator("tr.checklist-item:not(.answered)").first
        row.locator("[name=answer]").select_option("conformity")
        if first:
            row.locator("[name=note]").fill("Hồ sơ xử lý theo phiên bản đang hiệu lực")
            row.locator("[name=evidence]").fill(f"{dossiers[0]}:1, {dossiers[1]}")
        row.get_by_role("button", name="Lưu").click()
        page.wait_for_load_state("networkidle")
        first = False
    answered = page.locator("tr.checklist-item.answered").first.inner_text()
    assert "Phù hợp" in answered and dossiers[0] in answered and "sự kiện 1: Tiếp nhận hồ sơ vào hệ thống" in answered
    shot(page, "audit-1b-evidence")
    page.locator("tr.checklist-item.answered a.evidence").first.click()
    page.wait_for_url(f"**/dossiers/{dossiers[0]}#su-kien-1")
    assert page.locator("#su-kien-1").is_visible()
    page.go_back()

    finding = page.locator("#finding-form")
    finding.locator("[name=kind]").select_option("nonconformity")
    finding.locator("[name=procedure]").select_option("QT-XD-01")
    finding.locator("[name=clause]").fill("8.5.1")
    finding.locator("[name=statement]").fill("Bước thẩm định không ghi kết quả kiểm tra thực địa")
    finding.locator("[name=evidence]").fill(dossiers[2])
    finding.get_by_role("button", name="Ghi phát hiện").click()
    page.wait_for_load_state("networkidle")
    assert "Đã mở hồ sơ hành động khắc phục" in page.content()
    capa = page.locator("#findings td.capa a").inner_text()
    assert capa and capa != "—"
    shot(page, "audit-2-finding")

    page.get_by_role("button", name="Kết thúc đợt đánh giá").click()
    page.wait_for_load_state("networkidle")
    assert "Đã kết thúc" in page.locator("#plan-status").inner_text()
    with page.expect_download() as download:
        page.locator("#documents a", has_text="PDF").last.click()
    assert download.value.suggested_filename.endswith("-bao-cao.pdf")
    page.goto(f"{server.url}/audit/programme?year={year}")
    covered = page.locator("#coverage tr.covered").inner_text()
    assert "H01.KTHT" in covered
    shot(page, "audit-3-programme")
