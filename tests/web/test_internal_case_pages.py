"""An internal case (a corrective action, an approval) is nobody's dossier: its pages show no applicant and
offer no citizen's forms (issue 14: "No citizen fields or receipts on internal cases")."""

from __future__ import annotations

from audits import programme
from processes import organisation, tasks


def test_a_corrective_action_step_shows_no_applicant_and_no_receipt(org, deployed, clock, login):
    for name in ("QT-XD-01.bpmn", "QT-CAPA-01.bpmn"):
        deployed(name)
    organisation.grant(org, "cv.tp", "danh_gia_vien", "H01.TP")
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock, procedures=["QT-XD-01"])
    made = programme.record_finding(org, plan.id, "nonconformity", "Hồ sơ quá hạn không có thư xin lỗi", "cv.tp",
                                    clock)
    [step] = tasks.list_tasks(org, "cv.tp", made["capa_instance_id"])
    client = login("cv.tp")
    for url in (f"/tasks/{step.id}", f"/dossiers/{made['capa']}"):
        page = client.get(url)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, url
        assert "Người nộp hồ sơ" not in text and "None" not in text, url
        assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" not in text, url
        assert "Xin lỗi, hẹn lại ngày trả" not in text and "Đề nghị lãnh đạo ký thư xin lỗi" not in text, url
