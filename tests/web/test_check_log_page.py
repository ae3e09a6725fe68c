"""The page that checks an event log from another system: figures for a good file, rows for a bad one."""

from __future__ import annotations

import io

from audits.conformance import ProcedureModel
from tests.audits.test_external_log import HAPPY, _csv
from tests.conftest import BPMN_DIR
from tests.web.conftest import csrf_of


def test_an_auditor_uploads_a_log_and_reads_its_deviations_or_its_wrong_rows(deployed, login):
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
        assert reply.status_code == 200
        return reply.get_data(as_text=True)

    good = upload(_csv(names, {"HS-1": HAPPY, "HS-2": [s for s in HAPPY if s != "Task_KyGiayPhep"]}))
    assert "bỏ qua bước" in good and names["Task_KyGiayPhep"] in good and "HS-2" in good
    assert "Độ khớp theo đối chiếu từng bước" in good
    bad = upload(_csv(names, {"HS-1": HAPPY}).replace(b"03/03/2025 09:15", b"sang nay"))
    assert "Không đọc được thời điểm" in bad and "<td>3</td>" in bad and "bỏ qua bước" not in bad
    assert login("motcua").get("/audit/check-log").status_code == 403
