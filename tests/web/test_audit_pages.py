"""Auditors read conformance, SLA results, the QĐ 766 index, reports and the event log; officers may not."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from processes import instances
from tests.xd_data import APPLICANT, XD_RECEPTION, XD_STEPS, XD_USERS


def _one_finished_permit(org, clock):
    moved = instances.start(org, "QT-XD-01", {}, "motcua", clock)
    while moved.status == "running":
        step = moved.opened[0]
        data = {**APPLICANT, **XD_RECEPTION} if step.element_id == "Task_TiepNhan" else XD_STEPS[step.element_id]
        clock.advance(hours=2)
        moved = instances.complete(org, str(step.task_id), data, XD_USERS[step.element_id], clock)
    return moved


def test_auditor_pages_show_real_figures(deployed, org, clock, login):
    deployed("QT-XD-01.bpmn")
    moved = _one_finished_permit(org, clock)
    reader = login("iso")
    page = reader.get("/audit?year=2026").get_data(as_text=True)
    assert "Mức độ tuân thủ quy trình" in page and "QT-XD-01" in page
    assert "100,0%" in page  # the one permit followed the model exactly (a decimal comma)
    csv = reader.get("/audit/event-log.csv").get_data(as_text=True)
    assert moved.business_key in csv and "Task_ThamDinh" in csv
    xes = reader.get("/audit/event-log.xes").get_data(as_text=True)
    assert "<log" in xes and moved.business_key in xes
    book = load_workbook(io.BytesIO(reader.get("/audit/report-2026.xlsx").data))
    assert book.sheetnames
    assert "QĐ 766" in reader.get("/audit/index766?period=2026-Q1").get_data(as_text=True)


def test_officers_cannot_read_audits(login):
    assert login("motcua").get("/audit").status_code == 403
    assert login("cv.ktht").get("/audit/event-log.csv").status_code == 403
    assert login("tp.ktht").get("/audit").status_code == 200


def test_the_demo_auditor_reads_audits(login):
    assert login("danhgia").get("/audit").status_code == 200


def test_the_menu_leads_readers_to_procedures_and_audits(login):
    quality = login("iso").get("/tasks").get_data(as_text=True)
    assert "/quality/procedures" in quality and "/audit" in quality
    officer = login("motcua").get("/tasks").get_data(as_text=True)
    assert "/quality/procedures" not in officer and 'href="/audit"' not in officer
