"""Issue 12 defect 2, the annual report: a reader's report (the page and the job) covers the agencies they
oversee, like /audit — a commune leader's report carries no district dossier."""

from __future__ import annotations

from jobs.runner import execute
from processes import jobs
from tests.web.conftest import csrf_of
from tests.web.test_audit_pages import _one_finished_permit


def test_a_commune_leaders_annual_report_holds_no_other_agencys_dossier(app, deployed, org, clock, login):
    deployed("QT-XD-01.bpmn")
    _one_finished_permit(org, clock)  # a district (H01) building permit
    chair = login("xa.ct")  # the commune's chairman: a leader, of X01 only
    own = chair.get("/audit/report-2026.html").get_data(as_text=True)
    # The district's permit shows by its procedure and the department that handled it, in SLA and conformance.
    assert "QT-XD-01" not in own and "Kinh tế" not in own
    district = login("pct").get("/audit/report-2026.html").get_data(as_text=True)
    assert "QT-XD-01" in district and "Kinh tế" in district  # the district's leader still reads it

    # The job: the same scope, and the district's finished report is not handed to the commune from the cache.
    def job_text(client) -> str:
        token = csrf_of(client.get("/audit").data)
        reply = client.post("/jobs/report", data={"year": "2026", "fmt": "html", "kind": "annual",
                                                  "csrf_token": token})
        job_id = int(reply.headers["Location"].rstrip("/").split("/")[-1])
        if jobs.get(org, job_id).status != "done":
            execute(org, job_id, jobs.get(org, job_id).attempt, clock)
        return client.get(f"/jobs/{job_id}/file").get_data(as_text=True)

    assert "QT-XD-01" in job_text(login("pct"))
    assert "QT-XD-01" not in job_text(chair)
