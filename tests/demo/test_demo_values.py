"""Issue 13 item 12: the demo's step values read like a district's, not "Số điện thoại: 829/QĐ", "Tờ bản đồ số: Đã
thực hiện theo quy định", a 7 m² house with 3 m² of floor, or a return reason on a step that approved."""

from __future__ import annotations

import random

from demo.profiles import fill_form
from engine.parsing import compile_procedure
from tests.conftest import BPMN_DIR

XD = compile_procedure((BPMN_DIR / "QT-XD-01.bpmn").read_bytes())
FORMS = {s.element_id: s.form for s in XD.steps.values()}


def filled(element: str, chosen: dict[str, object], seed: int) -> dict[str, object]:
    return fill_form(FORMS[element], "2025-05-09", random.Random(seed), chosen)


def test_reception_values_are_plausible():
    for seed in range(40):
        data = filled("Task_TiepNhan", {"ten_nguoi_nop": "Đặng Ngọc Hạnh", "so_giay_to": "003446420932"}, seed)
        if "so_dien_thoai" in data:
            assert str(data["so_dien_thoai"]).isdigit() and len(str(data["so_dien_thoai"])) == 10
        if "to_ban_do" in data:
            assert str(data["to_ban_do"]).isdigit()
        if "so_thua_dat" in data:
            assert str(data["so_thua_dat"]).isdigit()
        area = data["dien_tich_xay_dung"]
        assert isinstance(area, int) and area >= 40
        if "tong_dien_tich_san" in data:
            total = data["tong_dien_tich_san"]
            assert isinstance(total, int) and total >= area
            assert data["so_tang"] == round(total / area)
        assert "Đã thực hiện theo quy định" not in map(str, data.values())


def test_a_reason_only_when_the_decision_asks_for_one():
    for seed in range(40):
        approved = filled("Task_XemXet", {"ket_qua_xem_xet": "duyet"}, seed)
        assert "y_kien_lanh_dao_phong" not in approved  # "Ý kiến, lý do trả lại": nothing to say on an approval
        returned = filled("Task_XemXet", {"ket_qua_xem_xet": "tra_lai"}, seed)
        assert returned["y_kien_lanh_dao_phong"]
        appraisal = filled("Task_ThamDinh", {"ket_qua_tham_dinh": "bo_sung"}, seed)
        assert appraisal["noi_dung_bo_sung"] != "Đã thực hiện theo quy định"
