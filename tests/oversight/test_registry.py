"""The quality-system registry of the demo district (issue 17 item 1): the "behind" list and the measured
digitisation rate, computed from the simulated year's audits and what the agencies declared."""

from __future__ import annotations

import datetime as dt

import pytest

from audits import programme
from oversight import registry
from processes import quality_registry
from processes.clock import FixedClock
from processes.errors import InvalidInput
from processes.quality_registry import Declared
from tests.demo.demo_data import demo_copy

DEC_1 = FixedClock(dt.datetime(2025, 12, 1, 2, tzinfo=dt.UTC))


@pytest.mark.slow
def test_behind_list_and_digitisation_rate_of_the_demo_district(tmp_path):
    db = demo_copy(tmp_path)
    quality_registry.declare(db, "H01", "iso", DEC_1, scope="Giải quyết TTHC và công việc nội bộ của UBND huyện",
                             decision_no="125/QĐ-UBND", decision_date=dt.date(2024, 3, 15),
                             declared=[Declared("QT-XD-01", "Cấp giấy phép xây dựng"),
                                       Declared("", "Kiểm soát sự không phù hợp và hành động khắc phục"),
                                       Declared("QT-TS-01", "Quản lý tài sản công")])
    quality_registry.record_review(db, "H01", dt.date(2025, 11, 28), "iso", DEC_1)
    with pytest.raises(InvalidInput):
        quality_registry.declare(db, "H01.KTHT", "iso", DEC_1)  # a department has no quality system of its own

    lines = {s.code: s for s in registry.registry(db, dt.date(2025, 12, 31))}
    h01, x01 = lines["H01"], lines["X01"]
    # Both agencies were audited in November by the demo's programme; only the district held a review.
    assert (h01.last_audit, x01.last_audit) == (dt.date(2025, 11, 14), dt.date(2025, 11, 21))
    assert h01.behind == [] and x01.behind == ["chưa xem xét của lãnh đạo trong 12 tháng"]
    assert [s.code for s in registry.behind(db, dt.date(2025, 12, 31))] == ["X01"]
    assert h01.digitised == ["QT-XD-01 Cấp giấy phép xây dựng", "Kiểm soát sự không phù hợp và hành động khắc phục"]
    assert h01.not_digitised == ["QT-TS-01 Quản lý tài sản công"]
    assert h01.rate == pytest.approx(2 / 3) and x01.rate is None
    assert h01.in_force == 8 and x01.in_force == 6  # huyện + nội bộ procedures; xã + nội bộ

    # A nonconformity whose corrective action is left undone puts the district behind once a step overruns.
    programme.record_finding(db, 1, "nonconformity", "Hồ sơ trễ hạn không có văn bản xin lỗi", "cv.tp", DEC_1,
                             clause="8.5.1", responsible="tp.ktht")
    assert registry.registry(db, dt.date(2025, 12, 1))[0].behind == []
    late = registry.registry(db, dt.date(2025, 12, 31))[0]
    assert (late.open_nonconformities, late.overdue_nonconformities) == (1, 1)
    assert late.behind == ["1 sự không phù hợp khắc phục quá hạn"]
    # A year later neither agency has been audited or reviewed within 12 months.
    assert [s.behind[:2] for s in registry.registry(db, dt.date(2026, 12, 31))] == \
        [["chưa đánh giá nội bộ trong 12 tháng", "chưa xem xét của lãnh đạo trong 12 tháng"]] * 2


@pytest.mark.slow
def test_cli_registry_lists_the_agencies_behind(tmp_path):
    import json

    from click.testing import CliRunner

    from cli.main import main

    db = demo_copy(tmp_path)
    run = CliRunner().invoke
    base = ["--database", db.url, "cchc"]
    out = run(main, [*base, "declare-qms", "H01", "--decision-no", "125/QĐ-UBND", "--procedure",
                     "QT-XD-01=Cấp giấy phép xây dựng", "--procedure", "Quản lý tài sản công", "--json"])
    assert out.exit_code == 0, out.output
    assert run(main, [*base, "review", "H01", "2025-11-28", "--json"]).exit_code == 0
    out = run(main, [*base, "registry", "--date", "2025-12-31", "--behind", "--json"])
    assert out.exit_code == 0, out.output
    (line,) = json.loads(out.output)
    assert line["code"] == "X01" and line["behind"] == ["chưa xem xét của lãnh đạo trong 12 tháng"]
    out = run(main, [*base, "registry", "--date", "2025-12-31", "--json"])
    assert json.loads(out.output)[0]["rate"] == 50.0


def test_declarations_and_reviews_on_every_backend(org, clock, deployed):
    deployed("QT-XD-01.bpmn")
    today = clock.now().date()
    assert [s.behind for s in registry.registry(org, today)] == [
        ["chưa đánh giá nội bộ trong 12 tháng", "chưa xem xét của lãnh đạo trong 12 tháng"]] * 2
    quality_registry.declare(org, "X01", "iso", clock, scope="TTHC cấp xã", decision_no="12/QĐ-UBND",
                             decision_date=dt.date(2025, 2, 1), decision_file="/luu-tru/qd-12.pdf",
                             declared=[Declared("QT-XD-01", "Cấp phép xây dựng"), Declared("", "Tiếp công dân")])
    quality_registry.record_review(org, "X01", dt.date(2025, 12, 20), "iso", clock)
    quality_registry.record_review(org, "X01", dt.date(2025, 6, 20), "iso", clock)  # an earlier one changes nothing
    with pytest.raises(InvalidInput):
        quality_registry.record_review(org, "X01", today + dt.timedelta(days=1), "iso", clock)
    x01 = registry.registry(org, today)[1]
    assert (x01.code, x01.decision_no, x01.decision_date, x01.last_review) == \
        ("X01", "12/QĐ-UBND", dt.date(2025, 2, 1), dt.date(2025, 12, 20))
    assert x01.behind == ["chưa đánh giá nội bộ trong 12 tháng"]
    # QT-XD-01 is a district procedure: not in force for a commune, so not counted as digitised there.
    assert (x01.rate, x01.not_digitised) == (0.0, ["QT-XD-01 Cấp phép xây dựng", "Tiếp công dân"])
