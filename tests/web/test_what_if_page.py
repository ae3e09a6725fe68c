"""The what-if page of a version: the quality manager sees the version in force and the draft side by side.

The simulation itself is tested in tests/simulation; here its result is given, and the page must show
both columns in plain Vietnamese, refuse a draft with errors, and stay closed to other users.
"""

from __future__ import annotations

import pytest

from processes.lint import LintFailed
from simulation.job import describe
from web import what_if


def _summary(rate, late, median, bottleneck, unstaffed=None):
    return {"deadline": "P15D", "dossiers": 300, "finished": 290, "on_time_rate": rate, "late": late,
            "median_days": median, "p90_days": median * 2, "bottleneck": {"name": bottleneck},
            "queues": {"chuyen_vien_ktht": {"mean": 1.25, "max": 7, "capacity": 4, "by_month": {}}},
            "unstaffed": unstaffed or {}, "steps": []}


class _Result:
    def as_dict(self):
        return {"procedure": "QT-XD-01", "name": "Cấp giấy phép xây dựng", "agency": "H01", "year": 2026,
                "fitted_cases": 310, "replayed": 300, "arrivals_per_year": 305.0, "supplement_rate": 0.4,
                "response_days": 5.0, "change": {"draft": True},
                "role_names": {"chuyen_vien_ktht": "Chuyên viên Phòng Kinh tế – Hạ tầng"},
                "current": _summary(0.8715, 38, 7.5, "Thẩm định hồ sơ, kiểm tra thực địa"),
                "changed": _summary(0.954, 14, 5.25, "Xem xét hồ sơ, trình ký")}


@pytest.fixture
def page_app(app, monkeypatch):
    assert "what_if" in app.blueprints  # registered with every page in web/blueprints.py
    calls = []

    def fake_what_if(db, code, year, **kwargs):
        calls.append((code, year, kwargs))
        if b"dead end" in (kwargs.get("draft") or b""):
            raise LintFailed("refused", [])
        return _Result()

    monkeypatch.setattr(what_if, "what_if", fake_what_if)
    monkeypatch.setattr(what_if, "list_versions", lambda db, code: [{"version": 3, "status": "draft"}])
    monkeypatch.setattr(what_if, "version_xml", lambda db, code, n: b"<draft/>")
    app.calls = calls
    return app


def test_the_quality_manager_sees_the_version_in_force_and_the_draft_side_by_side(page_app, login):
    reply = login("iso").get("/quality/procedures/QT-XD-01/versions/3/what-if?year=2026&roster=chuyen_vien_ktht+%2B1")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "Hiện hành" in html and "Sau thay đổi" in html
    assert "87,2 %" in html and "95,4 %" in html and "Tỷ lệ đúng hạn dự kiến" in html
    assert "7,5 ngày làm việc" in html and "5,2 ngày làm việc" in html
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng" in html and "15 ngày làm việc" in html
    assert "P15D" not in html
    assert "<svg" in html and "trễ hạn: 38" in html and "trễ hạn: 14" in html  # the bars, side by side
    code, year, kwargs = page_app.calls[0]
    assert (code, year, kwargs["draft"], kwargs["roster_changes"]) == ("QT-XD-01", 2026, b"<draft/>",
                                                                       {"chuyen_vien_ktht": 1})


def test_the_form_alone_runs_nothing_and_other_users_are_turned_away(page_app, login):
    assert login("iso").get("/quality/procedures/QT-XD-01/versions/3/what-if").status_code == 200
    assert page_app.calls == []
    assert login("motcua").get("/quality/procedures/QT-XD-01/versions/3/what-if?year=2026").status_code == 403


def test_a_draft_with_errors_is_not_simulated(page_app, login, monkeypatch):
    monkeypatch.setattr(what_if, "version_xml", lambda db, code, n: b"dead end")
    html = login("iso").get("/quality/procedures/QT-XD-01/versions/3/what-if?year=2026").get_data(as_text=True)
    assert "Không mô phỏng được" in html and "Sau thay đổi" not in html


def test_the_job_params_are_checked_before_queueing():
    assert "QT-XD-01" in describe({"code": "QT-XD-01", "version": 3, "year": 2026})
    with pytest.raises(Exception, match="thiếu"):
        describe({"code": "QT-XD-01"})
