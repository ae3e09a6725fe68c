"""Importing the CCHC plan appendix (issue 17 item 2): every item's units, deadline and budget; per-row errors
and nothing stored for a wrong sheet; each item a QT-CCHC-01 case worked to acceptance."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli.main import main
from oversight import plan_import
from processes import cchc_plan, instances, organisation, tasks
from processes.errors import ConflictError, InvalidInput
from processes.schema import instances as instances_table

from . import plan_book

YEAR = 2024


@pytest.fixture
def district(org, clock, deployed):
    """The demo district with two more communes (a ward and a town) and the plan-item procedure deployed."""
    organisation.add_unit(org, "X02", "UBND phường An Lạc", "H01", "agency")
    organisation.add_unit(org, "X03", "Ủy ban nhân dân thị trấn Phú Mỹ", "H01", "agency")
    for user, unit in (("xa2.ct", "X02"), ("xa3.ct", "X03")):
        organisation.add_user(org, clock, user, "mat-khau-dai-1", user)
        organisation.grant(org, user, "lanh_dao_ubnd_xa", unit)
    deployed("QT-CCHC-01.bpmn")
    return org


def _cases(db) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(instances_table)).scalar_one()


def test_every_item_has_its_units_deadline_and_budget(district):
    result = plan_import.preview(district, plan_book.build(), YEAR)
    assert result.errors == []
    expected = plan_book.rows()
    assert len(result.items) == len(expected) >= 30
    for item, (section, number, task, product, _l, _c, budget, deadline, leads, coop, due) in zip(
            result.items, expected, strict=True):
        assert (item.section_no, item.number, item.task, item.product) == (section, str(number), task, product)
        assert sorted(c for c, _ in item.leads) == sorted(leads), (section, number)
        assert sorted(c for c, _ in item.cooperating) == sorted(coop), (section, number)
        assert item.due == due, (section, number, deadline)
        assert item.deadline_text == deadline
        assert (item.budget is None) == (budget in (None, "")), (section, number)
    assert result.budget_total == plan_book.expected_budget() == Decimal("1546.5")
    sections = {no: (n, money) for no, _, n, money in result.sections()}
    assert sections["I"] == (6, plan_book.expected_budget("I")) == (6, Decimal("50.5"))
    assert sections["VII"][1] == Decimal("1263")
    assert result.items[0].section_title == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH"
    # The multi-line task keeps its lines; a unit with no leader of its own is given to the one above it.
    assert "\n" in next(i.task for i in result.items if (i.section_no, i.number) == ("VII", "2"))
    assert dict(result.items[1].leads)["H01.VP"] == "pct"
    assert dict(result.items[1].leads)["X02"] == "xa2.ct"


def test_import_stores_the_plan_and_starts_a_case_per_item(district, clock):
    result = plan_import.import_plan(district, plan_book.build(), YEAR, "cv.nv", clock, "phu-luc.xlsx")
    assert result.stored
    items = cchc_plan.plan_items(district, YEAR)
    assert len(items) == len(plan_book.rows()) == _cases(district)
    assert sum((i.budget for i in items if i.budget is not None), Decimal(0)) == Decimal("1546.5")
    assert all(i.status == "running" and i.business_key for i in items)
    # Item I.2 fans out: one part per department and commune, each for that unit's leader.
    fanned = items[1]
    assigned = {t.assignee for t in tasks.list_tasks(district) if t.business_key == fanned.business_key}
    assert assigned == {"tp.ktht", "tp.tckh", "tp.tp", "tp.nv", "pct", "xa.ct", "xa2.ct", "xa3.ct"}
    with pytest.raises(ConflictError, match="already imported"):
        plan_import.import_plan(district, plan_book.build(), YEAR, "cv.nv", clock)


def test_a_group_item_is_done_when_every_part_is_accepted(district, clock):
    plan_import.import_plan(district, plan_book.build(), YEAR, "cv.nv", clock)
    key = cchc_plan.plan_items(district, YEAR)[4].business_key  # I.5: the three communes self-inspect

    def work(user: str, data: dict) -> None:
        (task,) = [t for t in tasks.list_tasks(district, user=user) if t.business_key == key]
        instances.complete(district, task.id, data, user, clock)

    done = {"ket_qua_thuc_hien": "Đã tự kiểm tra, có báo cáo", "ngay_hoan_thanh": "2026-01-05"}
    for user in ("xa.ct", "xa2.ct"):
        work(user, done)
    assert not [t for t in tasks.list_tasks(district, user="cv.nv") if t.business_key == key]
    work("xa3.ct", done)
    work("cv.nv", {"ket_luan": "tra_lai", "nhan_xet": "Thiếu biên bản"})
    for user in ("xa.ct", "xa2.ct", "xa3.ct"):
        work(user, done)
    work("cv.nv", {"ket_luan": "chap_nhan"})
    item = cchc_plan.plan_items(district, YEAR)[4]
    assert item.status == "completed"
    # The audit's conformance check reads the three parts, twice over, as the procedure allows.
    from audits.casecheck import check_cases

    with district.read() as conn:
        case_id = conn.execute(select(instances_table.c.id).where(
            instances_table.c.business_key == item.business_key)).scalar_one()
    _, (verdict,) = check_cases(district, [case_id], stored=False)
    assert verdict.trace.count("Task_ThucHien") == 6 and verdict.deviations == () and verdict.fitness == 1.0


def test_a_wrong_sheet_gives_per_row_errors_and_stores_nothing(district, clock):
    bad = [[7, "Nhiệm vụ của đơn vị lạ", "Báo cáo", "Phòng Văn hóa và Thông tin", "", None, "Quý IV/2024"],
           [8, "Nhiệm vụ hạn lạ", "Báo cáo", "Phòng Nội vụ", "", "khoảng 10", "Sớm nhất có thể"]]
    result = plan_import.preview(district, plan_book.build(extra=bad), YEAR)
    texts = [(e.row, e.column, e.message) for e in result.errors]
    assert (46, "đơn vị chủ trì", "không có đơn vị «Phòng Văn hóa và Thông tin»") in texts
    assert (47, "thời gian hoàn thành", "không hiểu thời hạn «Sớm nhất có thể»") in texts
    assert (47, "kinh phí", "kinh phí «khoảng 10» không phải là số (triệu đồng)") in texts
    assert len(texts) == 3
    with pytest.raises(InvalidInput):
        plan_import.import_plan(district, plan_book.build(extra=bad), YEAR, "cv.nv", clock)
    assert cchc_plan.plan_years(district) == [] and _cases(district) == 0
    # The unknown name mapped explicitly: it is then the unit given.
    mapped = plan_import.preview(district, plan_book.build(extra=bad[:1]), YEAR,
                                 {"Phòng Văn hóa và Thông tin": "H01.VP"})
    assert mapped.errors == [] and [c for c, _ in mapped.items[-1].leads] == ["H01.VP"]


def test_a_missing_column_is_reported(district):
    header = [h for h in plan_book.HEADER if h != "Sản phẩm"] + ["Ghi chú"]
    result = plan_import.preview(district, plan_book.build(header=header), YEAR)
    assert [(e.row, e.message) for e in result.errors] == [(5, "thiếu cột sản phẩm")]
    assert result.items == []


def test_a_declared_alias_matches(district):
    cchc_plan.add_alias(district, "H01.KTHT", "Phòng KT-HT")
    bad = [[7, "Nhiệm vụ", "Báo cáo", "phòng kt - ht", "", None, "Năm 2024"]]
    result = plan_import.preview(district, plan_book.build(extra=bad), YEAR)
    assert result.errors == [] and [c for c, _ in result.items[-1].leads] == ["H01.KTHT"]


def test_cli_dry_run_prints_every_item_and_stores_nothing(district, tmp_path):
    if not district.is_sqlite:
        pytest.skip("the CLI runs on the SQLite file (the PostgreSQL schema is not reachable by URL)")
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(plan_book.build())
    out = CliRunner().invoke(main, ["--database", district.url, "cchc", "import-plan", str(path), "--year",
                                    str(YEAR), "--dry-run", "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert len(payload["items"]) == len(plan_book.rows()) and payload["budget_total"] == "1546.5"
    first = payload["items"][0]
    assert (first["section"], first["number"], first["lead_units"], first["due_date"]) == \
        ("I", "1", ["H01.NV"], "2024-01-15")
    assert _cases(district) == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(plan_book.build(extra=[[7, "X", "Báo cáo", "Phòng Lạ", "", None, "Năm 2024"]]))
    out = CliRunner().invoke(main, ["--database", district.url, "cchc", "import-plan", str(bad), "--year",
                                    str(YEAR), "--json"])
    assert out.exit_code == 6 and _cases(district) == 0
    assert json.loads(out.stdout)["errors"] == [{"row": 46, "column": "đơn vị chủ trì",
                                                 "message": "không có đơn vị «Phòng Lạ»"}]
    out = CliRunner().invoke(main, ["--database", district.url, "cchc", "import-plan", str(bad), "--year",
                                    str(YEAR), "--map", "Phòng Lạ=H01.TP", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["stored"] is True and _cases(district) == len(plan_book.rows()) + 1


def test_a_failure_at_the_last_item_leaves_no_trace(district, clock, monkeypatch):
    from tests.uow_helpers import Injected, leaves_no_trace

    real, count, calls = instances.complete_in, len(plan_book.rows()), []

    def failing(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == count:  # the last item's case has been given out: fail before the commit
            raise Injected("injected failure at the last item")
        return result

    leaves_no_trace(district, monkeypatch, instances, "complete_in",
                    lambda: plan_import.import_plan(district, plan_book.build(), YEAR, "cv.nv", clock),
                    failing)
    assert len(calls) == count and cchc_plan.plan_years(district) == []
