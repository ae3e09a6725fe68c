"""A document batch as a job (issue 11 item 5): from the procedure catalogue, the ISO documents of every procedure
in force and the master list, one ZIP, with a step of progress per document."""

from __future__ import annotations

import io
import re
import zipfile

from jobs.runner import execute
from processes import jobs, procedures
from processes.clock import SystemClock
from tests.web.conftest import app, csrf_of, login  # noqa: F401 - fixtures


def test_the_catalogue_starts_the_iso_documents_as_one_zip(org, deployed, login, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))
    deployed("QT-XD-01.bpmn")
    deployed("QT-HT-01.bpmn")
    procedures.adopt_deployed(org, SystemClock())
    quality = login("iso")
    catalog = quality.get("/quality/procedures").data
    assert b'id="document-batch"' in catalog
    reply = quality.post("/jobs/documents", data={"csrf_token": csrf_of(catalog), "fmt": "pdf"})
    assert reply.status_code == 302 and re.fullmatch(r"/jobs/\d+", reply.headers["Location"])
    job_id = int(reply.headers["Location"].rsplit("/", 1)[1])
    steps: list[tuple[int, int]] = []
    original = jobs.progress

    def watched(db, clock, jid, attempt, done=None, total=None, message=None):
        if done is not None:
            steps.append((done, total))
        return original(db, clock, jid, attempt, done, total, message)

    monkeypatch.setattr(jobs, "progress", watched)
    assert execute(org, job_id, 1) == "done"
    job = jobs.get(org, job_id)
    assert job.title == "Bộ tài liệu ISO các quy trình đang áp dụng (PDF)"
    names = zipfile.ZipFile(io.BytesIO(jobs.file_of(job).read_bytes())).namelist()
    assert any(n.startswith("danh-muc-tai-lieu-") for n in names)
    assert {n.split("-lan-")[0] for n in names if "-lan-" in n} == {"QT-XD-01", "QT-HT-01"}
    assert all(zipfile.ZipFile(io.BytesIO(jobs.file_of(job).read_bytes())).read(n).startswith(b"%PDF") for n in names)
    assert steps[-1] == (2, 3)  # the master list, then one step per procedure
    page = quality.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "bo-tai-lieu-iso-" in page and "Đã xong" in page
    assert login("motcua").post("/jobs/documents", data={"csrf_token": csrf_of(catalog)}).status_code in (400, 403)
