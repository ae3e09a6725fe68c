"""One set of test data for the building-permit procedure QT-XD-01: who does each step, with what answers."""

from __future__ import annotations

from typing import Any

DAY = "2026-01-05"
APPLICANT = {"ten_nguoi_nop": "Nguyễn Văn An", "so_giay_to": "001203004567", "kenh_nop": "truc_tiep"}
# The reception step's own fields (besides the applicant's).
XD_RECEPTION = {"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Thôn Đông, xã An Hòa",
                "so_giay_chung_nhan_qsdd": "CS 012345", "dien_tich_xay_dung": 120, "so_tang": 3}
# Valid answers for every later step, on the main path (approve) unless a test overrides the decision.
XD_STEPS: dict[str, dict[str, Any]] = {
    "Task_ThamDinh": {"ket_qua_tham_dinh": "dat"},
    "Task_TiepNhanBoSung": {"ngay_thong_bao_bo_sung": DAY, "ngay_nhan_bo_sung": DAY},
    "Task_XemXet": {"ket_qua_xem_xet": "duyet"},
    "Task_KyGiayPhep": {"ngay_ky": DAY},
    "Task_VaoSoDongDau": {"so_giay_phep": "45/GPXD", "ngay_cap": DAY},
    "Task_TraKetQua": {"ngay_tra": DAY, "hinh_thuc_tra": "truc_tiep"},
    "Task_XacNhanTuChoi": {"ly_do": "Không phù hợp quy hoạch", "ngay_ky_tu_choi": DAY},
    "Task_TraTuChoi": {"ngay_tra": DAY, "hinh_thuc_tra": "truc_tiep"},
}
# Who does each step in the demo organisation.
XD_USERS = {
    "Task_TiepNhan": "motcua", "Task_ThamDinh": "cv.ktht", "Task_TiepNhanBoSung": "motcua",
    "Task_XemXet": "tp.ktht", "Task_KyGiayPhep": "pct", "Task_VaoSoDongDau": "vanthu", "Task_TraKetQua": "motcua",
    "Task_XacNhanTuChoi": "tp.ktht", "Task_TraTuChoi": "motcua",
}
