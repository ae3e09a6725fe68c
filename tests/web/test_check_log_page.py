"""The page that checks an event log from another system, as a job (issue 11): the upload starts it, the job's page
shows the figures of a good file or the rows of a bad one; the upload is deleted once checked."""

from __future__ import annotations

import io
import re

from audits.conformance import ProcedureModel
from jobs.runner import execute
from tests.audits.test_external_log import HAPPY, _csv
from tests.conftest import BPMN_DIR
from tests.web.conftest import csrf_of


def test_an_auditor_uploads_a_log_and_reads_its_deviations_or_its_wrong_rows(deployed, login, app, org, tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))
    queue = app.extensions["quytrinh.jobs_queue"]
    deployed("QT-XD-01.bpmn")
    names = ProcedureModel.from_xml((BPMN_DIR / "QT-XD-01.bpmn").read_bytes()).names
    reader = login("danhgia")
    page = reader.get("/audit/check-log")
    assert page.status_code == 200 and "Đối chiếu nhật ký từ hệ thống khác" in page.get_data(as_text=True)
    columns = {"case": "Mã hồ sơ", "activity": "Công việc", "timestamp": "Thời gian", "resource": "Cán bộ"}

    def upload(data: bytes) -> str:
        reply = reader.post("/audit/check-log", data={
            "csrf_token": csrf_of(page.data), "procedure": "QT-XD-01", **columns,
            "file": (io.BytesIO(data), "mot-cua.csv")}, content_type="multipart/form-data")
        assert reply.status_code == 302 and re.fullmatch(r"/jobs/\d+", reply.headers["Location"])
        job_id, attempt = queue.sent[-1]
        assert "Đang chờ xử lý" in reader.get(reply.headers["Location"]).get_data(as_text=True)
        assert execute(org, job_id, attempt) == "done"  # as the worker runs it
        assert not list((tmp_path / "jobs" / "uploads").rglob("*.csv"))  # the upload is gone once checked
        return reader.get(reply.headers["Location"]).get_data(as_text=True)

    good = upload(_csv(names, {"HS-1": HAPPY, "HS-2": [s for s in HAPPY if s != "Task_KyGiayPhep"]}))
    assert "bỏ qua bước" in good and names["Task_KyGiayPhep"] in good and "HS-2" in good
    assert "Độ khớp theo đối chiếu từng bước" in good
    bad = upload(_csv(names, {"HS-1": HAPPY}).replace(b"03/03/2025 09:15", b"sang nay"))
    assert "Không đọc được thời điểm" in bad and "<td>3</td>" in bad and "bỏ qua bước" not in bad
    assert login("motcua").get("/audit/check-log").status_code == 403
