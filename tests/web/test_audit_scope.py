"""Issue 12 defect 2: audit pages and exports show a reader the agencies they oversee, not every agency's
dossier codes, activities and officer usernames."""

from __future__ import annotations

from tests.web.test_audit_pages import _one_finished_permit


def test_a_commune_chair_reads_no_district_dossier_in_audits(deployed, org, clock, login):
    deployed("QT-XD-01.bpmn")
    moved = _one_finished_permit(org, clock)  # a district (H01) building permit
    chair = login("xa.ct")  # the commune's chairman: a leader, of X01 only
    csv = chair.get("/audit/event-log.csv").get_data(as_text=True)
    assert moved.business_key not in csv and "cv.ktht" not in csv and "Task_ThamDinh" not in csv
    xes = chair.get("/audit/event-log.xes").get_data(as_text=True)
    assert moved.business_key not in xes
    assert "QT-XD-01" not in chair.get("/audit?year=2026").get_data(as_text=True)
    assert "H01" not in chair.get("/audit/index766?period=2026-Q1").get_data(as_text=True)
    # The district's own overseers still read it.
    district = login("pct")
    assert moved.business_key in district.get("/audit/event-log.csv").get_data(as_text=True)
    assert "QT-XD-01" in district.get("/audit?year=2026").get_data(as_text=True)
