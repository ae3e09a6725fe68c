"""Document data gathered from a real case in the database, then rendered."""

from __future__ import annotations

import datetime as dt

from documents import render_form, render_tracking_book
from processes import instances
from processes.document_data import build_dossier_document_data, tracking_book_data
from tests.documents.sample import BASE_URL, in_order, pdf_text

RECEIVE = {"ten_nguoi_nop": "Nguyễn Văn Ánh", "so_giay_to": "001203004567", "kenh_nop": "truc_tiep",
           "dia_chi": "Thôn Đông, xã Uy Nỗ", "so_dien_thoai": "0912345678", "loai_giay_phep": "xay_dung_moi",
           "dia_diem_xay_dung": "Thôn Đông, xã Uy Nỗ", "so_giay_chung_nhan_qsdd": "CS 012345",
           "dien_tich_xay_dung": 120, "so_tang": 3}


def _run_case(org, clock):
    moved = instances.start(org, "QT-XD-01", {}, "motcua", clock)
    clock.advance(hours=1, minutes=30)
    moved = instances.complete(org, str(moved.opened[0].task_id), RECEIVE, "motcua", clock)
    clock.advance(days=2)
    step = moved.opened[0]
    instances.complete(org, str(step.task_id), {"ket_qua_tham_dinh": "dat", "y_kien_tham_dinh": "Đủ điều kiện"},
                       "cv.ktht", clock)
    return moved.instance_id, moved.business_key


def test_document_data_from_the_database(deployed, org, clock):
    deployed("QT-XD-01.bpmn")
    instance_id, code = _run_case(org, clock)
    data = build_dossier_document_data(org, instance_id)
    assert data.code == code
    assert data.procedure_code == "QT-XD-01" and data.procedure_name
    assert data.applicant_name == "Nguyễn Văn Ánh" and data.applicant_id == "001203004567"
    assert data.applicant_address == "Thôn Đông, xã Uy Nỗ" and data.applicant_phone == "0912345678"
    assert data.agency and data.deadline == "P15D"
    assert data.received_at == dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
    names = [s.name for s in data.steps]
    assert names[:2] == ["Tiếp nhận, kiểm tra thành phần hồ sơ", "Thẩm định hồ sơ, kiểm tra thực địa"]
    assert data.steps[0].role == "Bộ phận Một cửa huyện"  # the unit that did it, not the BPMN lane (issue 13)
    assert data.steps[0].handed_over_at == dt.datetime(2026, 1, 5, 2, 30, tzinfo=dt.UTC)
    assert data.steps[1].handed_over_at is not None and data.steps[2].handed_over_at is None

    receipt = pdf_text(render_form("receipt", data, base_url=BASE_URL))
    assert code in receipt and "Nguyễn Văn Ánh" in receipt
    assert "Thời gian nhận hồ sơ: 08 giờ 00 phút, ngày 05/01/2026" in receipt
    sheet = pdf_text(render_form("control_sheet", data, on_date=dt.date(2026, 1, 7)))
    in_order(sheet, [code, "Giao: Bộ phận Một cửa huyện",
                     "Nhận: Phòng Kinh tế – Hạ tầng", "09 giờ 30 phút, ngày 05/01/2026",
                     "Giao: Phòng Kinh tế – Hạ tầng", "Nhận: Phòng Kinh tế – Hạ tầng"])


def test_tracking_book_from_the_database(deployed, org, clock):
    deployed("QT-XD-01.bpmn")
    _, code = _run_case(org, clock)
    rows = tracking_book_data(org, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert [d.code for d in rows] == [code]
    assert tracking_book_data(org, dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == []
    text = pdf_text(render_tracking_book(rows, dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    assert code in text and "Nguyễn Văn Ánh" in text
