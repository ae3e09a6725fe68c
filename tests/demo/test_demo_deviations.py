"""Issue 13 item 12: the demo year has a few steps handled outside the system by a leader, and the audit's
conformance page shows them as skipped steps."""

from __future__ import annotations

import datetime as dt
import re

from audits.casecheck import conformance_in
from audits.periods import parse_period
from processes.clock import FixedClock
from web import create_app

from .demo_data import YEAR, demo_copy, demo_year


def test_the_demo_year_has_deviations_the_audit_page_shows(tmp_path):
    _, summary, _ = demo_year()
    assert summary.deviations >= 2
    db = demo_copy(tmp_path)
    procedures, _ = conformance_in(db, parse_period(str(YEAR)))
    skipped = sum(d.count for p in procedures.values() for d in p.deviations if d.kind == "skipped")
    assert skipped >= summary.deviations - 1  # one may fall on a dossier received before the year
    app = create_app({"DATABASE": db, "CLOCK": FixedClock(dt.datetime(YEAR + 1, 1, 5, 2, tzinfo=dt.UTC)),
                      "TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    token = re.search(rb'name="csrf_token" value="([^"]+)"', client.get("/login").data).group(1).decode()
    client.post("/login", data={"username": "iso", "password": "demo1234", "csrf_token": token})
    page = client.get(f"/audit?year={YEAR}").get_data(as_text=True)
    assert "bỏ qua bước" in page
