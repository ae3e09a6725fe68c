"""Audit pages and reports keep to the year and period asked for; QĐ 766 by year, by name, entered by hand
(issue 14 item 3)."""

from __future__ import annotations

import datetime as dt
import re

from audits.index766 import index766, set_manual_score
from audits.periods import parse_period
from audits.report_data import build_annual_report
from audits.report_tables import sections
from audits.reports import render_report
from processes import instances
from processes.clock import FixedClock
from processes.records import dossier_codes
from tests.web.conftest import csrf_of
from tests.web.test_audit_pages import _one_finished_permit
from tests.xd_data import APPLICANT, DAY, XD_RECEPTION, XD_STEPS, XD_USERS


def _count_of(page: str, code: str) -> int | None:
    """The number of cases the conformance table gives a procedure, None when it is not listed."""
    found = re.search(rf"<td>{code}</td><td>(\d+)</td>", page)
    return int(found.group(1)) if found else None


def report_code(case_id: int, db) -> str:
    """The dossier code of a case, as the report prints it."""
    with db.read() as conn:
        return dossier_codes(conn, [case_id])[case_id]


def _permit_of_2025(org, clock):
    """A permit worked in November 2025: its dates are that day's (a signature may not be dated later)."""
    moved = instances.start(org, "QT-XD-01", {}, "motcua", clock)
    while moved.status == "running":
        step = moved.opened[0]
        data = {**APPLICANT, **XD_RECEPTION} if step.element_id == "Task_TiepNhan" else XD_STEPS[step.element_id]
        data = {k: clock.now().date().isoformat() if v == DAY else v for k, v in data.items()}
        clock.advance(hours=2)
        moved = instances.complete(org, str(step.task_id), data, XD_USERS[step.element_id], clock)
    return moved


def test_cases_of_2026_never_appear_in_a_2025_page_or_report(deployed, org, clock, login):
    deployed("QT-XD-01.bpmn")
    autumn = FixedClock(dt.datetime(2025, 11, 3, 1, 0, tzinfo=dt.UTC))
    old = _permit_of_2025(org, autumn)
    new = [_one_finished_permit(org, clock) for _ in range(2)]  # January 2026
    reader = login("iso")
    page_2025 = reader.get("/audit?year=2025").get_data(as_text=True)
    page_2026 = reader.get("/audit?year=2026").get_data(as_text=True)
    assert _count_of(page_2025, "QT-XD-01") == 1 and _count_of(page_2026, "QT-XD-01") == 2
    report = build_annual_report(org, 2025, png=False)
    assert report.conformance["QT-XD-01"].cases == 1 and report.headline["received"] == 1
    assert set(report.case_codes) == {old.instance_id}
    rendered = render_report(report, "html")
    html = rendered.decode() if isinstance(rendered, bytes) else rendered
    assert not any(report_code(n.instance_id, org) in html for n in new)


def test_a_year_of_qd766_is_the_mean_of_its_quarters_with_named_groups(deployed, org, clock, login):
    deployed("QT-XD-01.bpmn")
    _one_finished_permit(org, clock)  # 2026-Q1
    set_manual_score(org, "H01", parse_period("2026-Q2"), "1", 18.0, "iso", clock, "Cổng thông tin: đủ 40 thủ tục")
    quarters = {q: {u.unit: u for u in index766(org, parse_period(q))} for q in ("2026-Q1", "2026-Q2")}
    year = {u.unit: u for u in index766(org, parse_period("2026"))}
    for unit, scored in year.items():
        totals = [quarters[q][unit].total for q in quarters if unit in quarters[q]]
        assert scored.quarters and abs(scored.total - sum(totals) / len(totals)) < 0.05
    assert year["H01"].quarters.keys() == {"2026-Q1", "2026-Q2"}
    page = login("iso").get("/audit/index766?period=2026").get_data(as_text=True)
    assert "Công khai, minh bạch" in page and "Nhóm 1" not in page
    assert "trung bình cộng điểm của các quý" in page


def test_a_bad_period_answers_in_vietnamese(login):
    reply = login("iso").get("/audit/index766?period=2025-Q7")
    assert reply.status_code == 422
    text = reply.get_data(as_text=True)
    assert "không hợp lệ" in text and "is not YEAR" not in text
    assert login("iso").get("/audit?year=hai-nghin").status_code == 422


def test_the_criteria_entered_by_hand_show_who_when_and_the_evidence(org, login):
    reader = login("iso")
    page = reader.get("/audit/index766/manual?period=2026-Q1")
    assert page.status_code == 200
    reply = reader.post("/audit/index766/manual", data={
        "csrf_token": csrf_of(page.data), "period": "2026-Q1", "unit": "H01", "criterion": "4", "points": "7,5",
        "note": "Biên bản kiểm tra thanh toán trực tuyến số 12"})
    assert reply.status_code == 302
    listed = reader.get("/audit/index766/manual?period=2026").get_data(as_text=True)
    assert "Biên bản kiểm tra thanh toán trực tuyến số 12" in listed and "7.5" in listed and ">iso<" in listed
    h01 = next(u for u in index766(org, parse_period("2026-Q1")) if u.unit == "H01")
    assert next(c for c in h01.criteria if c.code == "4").points == 7.5
    # Readers who do not score (an officer-leader) see the entries but cannot post.
    leader = login("tp.ktht")
    assert leader.post("/audit/index766/manual", data={
        "csrf_token": csrf_of(leader.get("/audit/index766/manual?period=2026-Q1").data), "period": "2026-Q1",
        "unit": "H01", "criterion": "4", "points": "1", "note": "x"}).status_code == 403


def test_both_fitness_figures_are_named_in_vietnamese_on_the_page_and_in_the_report(deployed, org, clock, login):
    deployed("QT-XD-01.bpmn")
    _one_finished_permit(org, clock)
    page = login("iso").get("/audit?year=2026").get_data(as_text=True)
    assert "Độ khớp khi chạy lại" in page and "Độ khớp theo đối chiếu từng bước" in page
    assert page.count("<td>1,000</td>") == 2 and "Độ phù hợp (token)" not in page  # a decimal comma (issue 13)
    tables = [t for s in sections(build_annual_report(org, 2026, png=False)) for t in s.tables]
    assert any("Độ khớp theo đối chiếu từng bước" in t.columns for t in tables)
