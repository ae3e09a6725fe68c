"""A draft is checked like one sent for approval before it is simulated; the CLI speaks plain Vietnamese."""

from __future__ import annotations

import pytest

from cli.simulate import duration_text, read_roster, report
from processes.lint import LintFailed
from simulation.whatif import check_draft

from .flows import bpmn


def test_a_draft_with_a_dead_end_is_refused_like_when_sent_for_approval(db):
    assert set(check_draft(db, bpmn(), "QT-T-01").steps) == {"Task_Nhan", "Task_XemXet", "Task_Ky"}
    with pytest.raises(LintFailed) as refused:
        check_draft(db, bpmn(dead_end=True), "QT-T-01")
    rules = [p["params"].get("rule") for p in refused.value.problems]
    assert "dead_end" in rules


def test_roster_changes_are_read_from_json_or_lines():
    assert read_roster('{"chuyen_vien_tp": 1, "mot_cua": -1}') == {"chuyen_vien_tp": 1, "mot_cua": -1}
    assert read_roster("# thêm một chuyên viên\nchuyen_vien_tp +1\nmot_cua: -1\n") == {"chuyen_vien_tp": 1,
                                                                                       "mot_cua": -1}


def _summary(rate, late, deadline="P15D", unstaffed=None):
    return {"deadline": deadline, "dossiers": 1200, "on_time_rate": rate, "late": late, "median_days": 6.25,
            "p90_days": 13.0, "bottleneck": {"name": "Thẩm định hồ sơ"},
            "queues": {"chuyen_vien_ktht": {"mean": 2.5, "max": 9}}, "unstaffed": unstaffed or {}}


def test_the_report_speaks_working_days_and_role_names_never_codes():
    data = {"procedure": "QT-XD-01", "name": "Cấp giấy phép xây dựng", "year": 2026, "fitted_cases": 900,
            "arrivals_per_year": 1210.0, "supplement_rate": 0.25, "response_days": 4.5,
            "change": {"draft": True, "roster": {"chuyen_vien_ktht": -1}, "fitted_on": "before"},
            "role_names": {"chuyen_vien_ktht": "Chuyên viên Phòng Kinh tế – Hạ tầng"},
            "current": _summary(0.924, 91), "changed": _summary(0.7, 360, "P10D", {"chuyen_vien_ktht": 12})}
    text = report(data)
    assert "Tỷ lệ đúng hạn dự kiến" in text and "92,4 %" in text and "70,0 %" in text
    assert "Thời hạn giải quyết: 15 ngày làm việc" in text and "(thời hạn 10 ngày làm việc)" in text
    assert "6,2 ngày làm việc" in text or "6,3 ngày làm việc" in text
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng" in text and "không còn ai giữ vai trò" in text
    assert "P15D" not in text and "P10D" not in text and "chuyen_vien_ktht" not in text
    assert "1.200" in text


def test_limits_in_words():
    assert duration_text("P15D") == "15 ngày làm việc"
    assert duration_text("same_day") == "trong ngày làm việc"
    assert duration_text("PT4H") == "4 giờ làm việc"
    assert duration_text("P0.5D") == "0,5 ngày làm việc"
