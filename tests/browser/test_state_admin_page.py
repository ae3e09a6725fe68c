"""The administrator's page of cases whose stored state cannot be read (issue 11 item 3), in Chromium: reached
from the administration tabs, the stuck case listed with its procedure, version, unit and the reason in
Vietnamese. Screenshot: test-artifacts/browser/state-admin.png."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from processes import reception
from processes.caches import LiveWorkflows
from processes.clock import SystemClock
from processes.schema import instances

from .conftest import login, shot

pytestmark = pytest.mark.browser
FORM = {"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa", "so_giay_chung_nhan_qsdd": "CS 1",
        "dien_tich_xay_dung": 100, "so_tang": 3}


def test_the_administrator_finds_the_stuck_case_and_why(page, live_server):
    db = live_server.db
    counter = reception.Counter(reception.Applicant("Nguyễn Văn An", "001203001111"), form=dict(FORM))
    code = reception.receive(db, "QT-XD-01", counter, "accepted", "motcua", SystemClock()).ref
    with db.write() as conn:
        state = json.loads(conn.execute(select(instances.c.state).where(instances.c.business_key == code))
                           .scalar_one())
        state["v"] = "quytrinh-0/spiff-0.9"
        conn.execute(update(instances).where(instances.c.business_key == code).values(state=json.dumps(state)))
    db.live = LiveWorkflows()
    login(page, live_server, "admin", next_path="/admin/users")
    page.get_by_role("link", name="Hồ sơ không đọc được").click()
    page.wait_for_url("**/admin/states")
    row = page.locator("#unreadable-states tbody tr", has_text=code)
    assert row.count() == 1
    text = row.inner_text()
    assert "QT-XD-01" in text and "Phiên bản 1" in text and "không có bộ chuyển đổi" in text
    row.locator("summary").click()
    assert "no converter from state version" in row.locator("code").inner_text()
    shot(page, "state-admin")
