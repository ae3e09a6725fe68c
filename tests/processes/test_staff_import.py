"""Issue 12: bulk import of staff and their roles from the agency's staff list (XLSX/CSV), all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from processes import admin, admin_users, organisation, staff_import
from processes.errors import InvalidInput

from .conftest import dump_all

HEADER = ["STT", "Họ và tên", "TEN DANG NHAP", "Email", "Điện Thoại", "đơn vị", "Vai trò"]
GOOD = [
    [1, "Trần Văn Bảo", "tv.bao", "bao@anphu.gov.vn", "0912 000 111", "H01.KTHT", "chuyen_vien_ktht"],
    [2, "Trần Văn Bảo", "tv.bao", "", "", "Phòng Tư pháp", "Chuyên viên Phòng Tư pháp; van_thu"],
    [3, "Nguyễn Thị Hoa", "motcua", "hoa@anphu.gov.vn", "", "H01.MC", "mot_cua"],
]


def _csv(rows, header=HEADER, delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # as Excel saves "CSV UTF-8"


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC NĂM 2026"])  # a title row above the header
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_preview_says_what_would_change_and_writes_nothing(org, clock):
    before = dump_all(org)
    plan = staff_import.preview(org, "admin", "can_bo.csv", _csv(GOOD, delimiter=";"))
    assert plan.problems == []
    assert plan.create == ["tv.bao"]
    assert plan.update == {"motcua": {"email": "hoa@anphu.gov.vn"}}
    assert plan.grant == [("tv.bao", "chuyen_vien_ktht", "H01.KTHT"), ("tv.bao", "chuyen_vien_tp", "H01.TP"),
                          ("tv.bao", "van_thu", "H01.TP")]
    assert plan.unchanged == 1  # motcua already holds mot_cua in H01.MC
    assert dump_all(org) == before


def test_an_xlsx_staff_list_is_applied_in_one_unit_of_work_and_logged(org, clock):
    done = staff_import.apply(org, "admin", "can_bo.xlsx", _xlsx(GOOD), clock)
    assert [c.username for c in done.created] == ["tv.bao"]
    password = done.created[0].temporary_password
    assert organisation.authenticate(org, "tv.bao", password) and admin_users.must_change_password(org, "tv.bao")
    user = next(u for u in admin_users.list_users(org, "admin") if u.username == "tv.bao")
    assert (user.email, user.phone, user.roles) == ("bao@anphu.gov.vn", "0912 000 111", (
        "chuyen_vien_ktht@H01.KTHT", "chuyen_vien_tp@H01.TP", "van_thu@H01.TP"))
    assert [e.action for e in admin.history(org, "admin")][::-1] == [
        "user.create", "user.edit", "membership.grant", "membership.grant", "membership.grant"]


def test_nothing_is_stored_when_any_row_is_wrong_and_each_wrong_row_is_told_in_vietnamese(org, clock):
    rows = GOOD + [
        [4, "", "Bad Name", "không-phải-email", "", "H99", "mot_cua"],
        [5, "Lê Văn C", "le.c", "", "", "X01.MC", "vai_tro_la, mot_cua"],
        [6, "Trần Văn Bảo khác", "tv.bao", "", "", "H01.TP", "van_thu"],
    ]
    before = dump_all(org)
    with pytest.raises(InvalidInput) as refused:
        staff_import.apply(org, "admin", "can_bo.csv", _csv(rows), clock)
    assert refused.value.code == "import_rows_invalid" and refused.value.params == {"count": 3}
    assert list(refused.value.errors.values()) == [
        "Dòng 5: thiếu họ tên; tên đăng nhập «Bad Name» chỉ được gồm chữ thường không dấu, chữ số và . _ - "
        "(2–80 ký tự); email «không-phải-email» không hợp lệ; không có đơn vị «H99»",
        "Dòng 6: không có vai trò «vai_tro_la»",
        "Dòng 7: tài khoản tv.bao có họ tên khác với dòng 2",
    ]
    assert dump_all(org) == before


def test_a_commune_administrator_imports_only_into_the_commune(org, clock):
    admin_users.create_user(org, "admin", "qt.xa", "Quản trị xã", clock)
    admin.grant(org, "admin", "qt.xa", "quan_tri", "X01", clock)
    plan = staff_import.preview(org, "qt.xa", "x.csv", _csv([
        [1, "Lê Văn C", "le.c", "", "", "X01.MC", "mot_cua"], [2, "Lê Văn C", "le.c", "", "", "H01.MC", "mot_cua"],
        [3, "Nguyễn Thị Hoa", "motcua", "", "", "X01.MC", "mot_cua"]]))
    assert [p.text for p in plan.problems] == [
        "Dòng 3: đơn vị «H01.MC» nằm ngoài phạm vi bạn quản trị",
        "Dòng 4: tài khoản motcua đang giữ vai trò ở đơn vị ngoài phạm vi bạn quản trị"]


def test_a_file_without_the_needed_columns_is_refused_clearly(org):
    with pytest.raises(InvalidInput) as refused:
        staff_import.preview(org, "admin", "x.csv", _csv([], header=["Họ tên", "Tên đăng nhập", "Email"]))
    assert refused.value.code == "import_columns_missing" and refused.value.params == {"columns": "đơn vị, vai trò"}
