"""Issue 13 acceptance in Chromium: the next officer sees an in-app notification when a dossier reaches their
step; "Hong Nhung" (no diacritics) finds "Nguyễn Thị Hồng Nhung". Screenshots: test-artifacts/browser/notice-*.png."""

from __future__ import annotations

import pytest

from processes import reception
from processes.clock import SystemClock

from .conftest import login, shot

pytestmark = pytest.mark.browser


def _receive(server, name: str, id_number: str) -> str:
    counter = reception.Counter(reception.Applicant(name, id_number),
                                form={"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa",
                                      "so_giay_chung_nhan_qsdd": "CS 778", "dien_tich_xay_dung": 90, "so_tang": 2})
    return reception.receive(server.db, "QT-XD-01", counter, "accepted", "motcua", SystemClock()).ref


def test_the_next_officer_sees_a_notification_and_opens_the_step(page, live_server):
    code = _receive(live_server, "Nguyễn Thị Hồng Nhung", "001203009876")
    login(page, live_server, "cv.ktht", next_path="/tasks")
    badge = page.locator("a:has-text('Thông báo') .count")
    assert int(badge.inner_text()) >= 1
    page.click("a:has-text('Thông báo')")
    row = page.locator("tbody tr", has_text=code).first
    assert "Thẩm định" in row.inner_text()
    shot(page, "notice-01-next-officer-notifications")
    row.locator("a:has-text('Xem')").click()
    page.wait_for_selector("h1")
    assert "Thẩm định" in page.inner_text("h1")


def test_search_without_diacritics_finds_the_applicant(page, live_server):
    code = _receive(live_server, "Nguyễn Thị Hồng Nhung", "001203009877")
    other = _receive(live_server, "Đỗ Đức Anh", "001203009878")
    login(page, live_server, "pct", next_path="/dossiers")
    page.fill("input[name=applicant]", "Hong Nhung")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.inner_text("table tbody")
    assert code in table and other not in table
    shot(page, "notice-02-search-hong-nhung")
    page.fill("input[name=applicant]", "do duc")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert other in page.inner_text("table tbody")
