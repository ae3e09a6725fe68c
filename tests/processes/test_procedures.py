"""Every procedure in bpmn/ deploys and runs through every path, worked by the demo users holding the roles."""

from __future__ import annotations

import pytest

from demo.signing_keys import DEMO_KEY_PASSWORD, ensure_keys
from demo.support import document_pdf
from engine.form_rules import is_required
from engine.parsing import compile_procedure
from processes import attachments, instances, signed_documents, signer_keys, tasks
from processes.errors import InvalidInput, PermissionDenied
from processes.handlers import registered
from processes.signatures import step_sign_kind
from tests.conftest import BPMN_DIR
from tests.xd_data import APPLICANT, DAY, XD_RECEPTION, XD_STEPS

RECEIVE = {
    "QT-XD-01": {**APPLICANT, **XD_RECEPTION},
    "QT-KD-01": {**APPLICANT, "ten_ho_kinh_doanh": "Tạp hóa An", "dia_diem_kinh_doanh": "Chợ An Phú",
                 "nganh_nghe_kinh_doanh": "Bán lẻ", "von_kinh_doanh": 50_000_000},
    "QT-CT-01": {**APPLICANT, "ten_giay_to": "Bằng tốt nghiệp", "so_trang_ban_chinh": 1, "so_ban_sao": 2},
    "QT-HT-01": {**APPLICANT, "quan_he_voi_tre": "cha", "ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh": "2025-12-30",
                 "gioi_tinh": "nam", "noi_sinh": "Trạm y tế xã An Hòa", "co_giay_chung_sinh": True},
}
STEP_DATA = {
    **{k: v for k, v in XD_STEPS.items() if k not in ("Task_ThamDinh", "Task_XemXet")},
    "Task_KyThongBaoTuChoi": {"ly_do": "Ngành nghề cấm kinh doanh", "ngay_ky_tu_choi": DAY},
    "Task_KyGiayChungNhan": {"ma_so_ho_kinh_doanh": "01A8001234", "ngay_cap": DAY},
    "Task_DoiChieuMoRong": {"da_thong_bao_gia_han": True},
    "Task_KyChungThuc": {"so_chung_thuc": "1234", "ngay_chung_thuc": DAY},
    "Task_KyChungThucMoRong": {"so_chung_thuc": "1235", "ngay_chung_thuc": DAY},
    "Task_KyGiayKhaiSinh": {"ngay_ky": DAY},
    "Task_DangKy": {"so_den": 125, "ngay_den": DAY, "co_quan_ban_hanh": "UBND tỉnh", "trich_yeu": "Về CCHC",
                    "do_khan": "thuong"},
    "Task_PhanCong": {"don_vi_chu_tri": "Phòng Nội vụ", "han_xu_ly": "2026-01-12"},
    "Task_XuLy": {"hinh_thuc_xu_ly": "de_biet", "ket_qua_xu_ly": "Đã nghiên cứu và tham mưu"},
    "Task_LuuHoSo": {"ma_ho_so": "HS-2026-01", "ngay_luu": DAY},
    "Task_NopHoSo": {"ten_don_vi": "Phòng Tư pháp", "so_to_trinh": "12/TTr", "doi_tuong_de_nghi": "Tập thể",
                     "hinh_thuc_khen_thuong": "giay_khen", "co_bien_ban_hop": True},
    "Task_BoSungHoSo": {"noi_dung_da_bo_sung": "Bổ sung biên bản họp", "co_bien_ban_hop": True},
    "Task_XetDuyet": {"ket_qua_xet": "dong_y", "ngay_hop": DAY},
}
DISTRICT_USERS = {
    "mot_cua": "motcua", "chuyen_vien_ktht": "cv.ktht", "lanh_dao_phong_ktht": "tp.ktht", "chuyen_vien_tckh": "cv.tckh",
    "lanh_dao_phong_tckh": "tp.tckh", "chuyen_vien_tp": "cv.tp", "lanh_dao_phong_tp": "tp.tp",
    "chuyen_vien_nv": "cv.nv", "lanh_dao_phong_nv": "tp.nv", "lanh_dao_ubnd": "pct", "van_thu": "vanthu",
    "chuyen_vien": "cv.nv", "lanh_dao_don_vi": "tp.nv", "hoi_dong_tdkt": "pct",
}
COMMUNE_USERS = {"mot_cua": "xa.motcua", "cong_chuc_tphc": "xa.tphc", "lanh_dao_ubnd_xa": "xa.ct"}

# (procedure, path name, decisions per step in the order the steps come up, expected end event)
PATHS = [
    ("QT-XD-01", "main", [{"ket_qua_tham_dinh": "dat"}, {"ket_qua_xem_xet": "duyet"}], "End_DaCapPhep"),
    ("QT-XD-01", "supplement", [{"ket_qua_tham_dinh": "bo_sung"}, {"ket_qua_tham_dinh": "dat"},
                                {"ket_qua_xem_xet": "duyet"}], "End_DaCapPhep"),
    ("QT-XD-01", "send-back", [{"ket_qua_tham_dinh": "dat"}, {"ket_qua_xem_xet": "tra_lai"},
                               {"ket_qua_tham_dinh": "dat"}, {"ket_qua_xem_xet": "duyet"}], "End_DaCapPhep"),
    ("QT-XD-01", "refusal", [{"ket_qua_tham_dinh": "tu_choi"}], "End_TuChoi"),
    ("QT-XD-01", "signer-returns", [{"ket_qua_tham_dinh": "dat"}, {"ket_qua_xem_xet": "duyet"},
                                    {"ket_qua_ky": "tra_lai"}, {"ket_qua_xem_xet": "duyet"}, {"ket_qua_ky": "ky"}],
     "End_DaCapPhep"),
    ("QT-XD-01", "signer-refuses", [{"ket_qua_tham_dinh": "dat"}, {"ket_qua_xem_xet": "duyet"},
                                    {"ket_qua_ky": "tu_choi"}], "End_TuChoi"),
    ("QT-KD-01", "main", [{"ket_qua_kiem_tra": "hop_le"}], "End_DaCapGiayChungNhan"),
    ("QT-KD-01", "supplement", [{"ket_qua_kiem_tra": "bo_sung"}, {"ket_qua_kiem_tra": "hop_le"}],
     "End_DaCapGiayChungNhan"),
    ("QT-KD-01", "refusal", [{"ket_qua_kiem_tra": "tu_choi"}], "End_TuChoi"),
    ("QT-CT-01", "simple", [{"ket_qua_kiem_tra": "chung_thuc", "do_phuc_tap": "don_gian"}], "End_DaChungThuc"),
    ("QT-CT-01", "complex", [{"ket_qua_kiem_tra": "chung_thuc", "do_phuc_tap": "phuc_tap"}], "End_DaChungThuc"),
    ("QT-CT-01", "refusal", [{"ket_qua_kiem_tra": "tu_choi", "do_phuc_tap": "don_gian"}], "End_TuChoi"),
    ("QT-HT-01", "main", [{"ket_qua_kiem_tra": "dat"}], "End_DaDangKy"),
    ("QT-HT-01", "supplement", [{"ket_qua_kiem_tra": "bo_sung"}, {"ket_qua_kiem_tra": "dat"}], "End_DaDangKy"),
    ("QT-HT-01", "refusal", [{"ket_qua_kiem_tra": "tu_choi"}], "End_TuChoi"),
    ("QT-VB-01", "main", [{"ket_qua_duyet": "dong_y"}], "End_HoanThanh"),
    ("QT-VB-01", "send-back", [{"ket_qua_duyet": "tra_lai"}, {"ket_qua_duyet": "dong_y"}], "End_HoanThanh"),
    ("QT-TDKT-01", "awarded", [{"ket_qua_tham_dinh": "hop_le"}, {"quyet_dinh": "khen_thuong"}], "End_KhenThuong"),
    ("QT-TDKT-01", "not awarded", [{"ket_qua_tham_dinh": "hop_le"}, {"quyet_dinh": "khong_khen_thuong"}],
     "End_KhongKhenThuong"),
    ("QT-TDKT-01", "supplement", [{"ket_qua_tham_dinh": "bo_sung"}, {"ket_qua_tham_dinh": "hop_le"},
                                  {"quyet_dinh": "khen_thuong"}], "End_KhenThuong"),
    ("QT-TDKT-01", "ineligible", [{"ket_qua_tham_dinh": "khong_du_dieu_kien"}], "End_KhongDuDieuKien"),
]
STARTERS = {"QT-HT-01": "xa.motcua", "QT-VB-01": "vanthu", "QT-TDKT-01": "tp.nv"}


def test_every_procedure_validates_and_its_steps_sum_within_the_deadline():
    files = sorted(BPMN_DIR.glob("*.bpmn"))
    assert len(files) >= 6
    for path in files:
        procedure = compile_procedure(path.read_bytes(), registered())
        assert procedure.code == path.stem
        assert procedure.info.deadline, f"{path.name} has no statutory deadline"
        assert all(step.roles for step in procedure.steps.values()), f"{path.name}: a step has no role"


@pytest.mark.parametrize(("code", "path_name", "decisions", "end"), PATHS, ids=[f"{p[0]}-{p[1]}" for p in PATHS])
def test_procedure_path_runs_to_its_end(deployed, org, clock, tmp_path, code, path_name, decisions, end):
    deployed(f"{code}.bpmn")
    org.attachments_root = tmp_path / "attachments"
    users = COMMUNE_USERS if code == "QT-HT-01" else DISTRICT_USERS
    moved = instances.start(org, code, {}, STARTERS.get(code, "motcua"), clock)
    pending, seen, signed = list(decisions), [], []
    while moved.status == "running":
        assert len(moved.opened) == 1, f"expected one next step, got {[s.element_id for s in moved.opened]}"
        step = moved.opened[0]
        user = users[step.roles[0]]
        reception = step.element_id == "Task_TiepNhan"
        data = dict(RECEIVE.get(code, {})) if reception else dict(STEP_DATA.get(step.element_id, {}))
        fields = {f.id for f in step.form.fields} if step.form else set()
        if pending and set(pending[0]) <= fields:
            data.update(pending.pop(0))
        if code == "QT-HT-01" and step.element_id == "Task_TraKetQua":
            data["da_ky_so_ho_tich"] = True
        _required_defaults(step.form, data)
        outsider = "xa.tphc" if users is DISTRICT_USERS else "cv.ktht"
        with pytest.raises(PermissionDenied):
            instances.complete(org, str(step.task_id), data, outsider, clock)
        if step_sign_kind(org, str(step.task_id)) is not None:  # a signing step (QT-KD-01's certificate)
            with pytest.raises(InvalidInput) as unsigned:
                instances.complete(org, str(step.task_id), data, user, clock)
            assert unsigned.value.code == "signature_required"
            _sign_at(org, moved.instance_id, str(step.task_id), user, clock)
            signed.append(step.element_id)
        seen.append(step.element_id)
        moved = instances.complete(org, str(step.task_id), data, user, clock)
    assert moved.status == "completed"
    assert moved.end_event == end, f"path {seen} ended at {moved.end_event}"
    assert not pending, f"decisions left unused: {pending}"
    # the household business certificate is issued signed (issue 16): its signing step is marked sign="result"
    assert signed == (["Task_KyGiayChungNhan"] if end == "End_DaCapGiayChungNhan" else [])
    assert tasks.list_tasks(org, instance_id=moved.instance_id) == []


def _sign_at(db, instance_id: int, task_uuid: str, user: str, clock) -> None:
    """The performer attaches the document at the step and signs it with their (demo) key, as on the task page."""
    ensure_keys(db, [user])
    draft = attachments.attach(db, db.attachments_root, instance_id, "ket-qua.pdf", document_pdf("ket qua"), user,
                               clock, task_uuid)
    signed_documents.sign_attachment(db, db.attachments_root, draft.id, signer_keys.key_of(user, DEMO_KEY_PASSWORD),
                                     user, clock, task_uuid=task_uuid)


def _required_defaults(form, data: dict) -> None:
    """Fill required fields the path data does not mention with a plausible value of their type."""
    for f in form.fields if form else ():
        # a reason asked for by the decision taken (required_if) is filled in like a required field
        if (f.required or is_required(f.constraints.get("required_if"), data)) and f.id not in data:
            data[f.id] = {"long": 1, "boolean": True, "date": DAY, "enum": f.options[0][0] if f.options else ""}.get(
                f.type, "Nội dung đủ dài")
