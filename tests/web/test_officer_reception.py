"""Receiving a dossier at the counter: accept (atomic start + reception step), supplement, refuse."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from processes import dossiers
from processes.schema import human_tasks, instances, key_sequences
from processes.workspace_schema import attachments, receptions
from tests.web.workspace_helpers import PDF, open_element, receive, receive_ok, texts


def counts(db) -> tuple[int, int, int, int]:
    with db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (instances, human_tasks, receptions, attachments))


def test_counter_officer_sees_public_procedures_only(xd, user, deployed):
    deployed("QT-VB-01.bpmn")
    page = user("motcua").get("/receive")
    assert page.status_code == 200
    text = texts(page.data)
    assert "QT-XD-01" in text and "Cấp giấy phép xây dựng nhà ở riêng lẻ" in text
    assert "QT-VB-01" not in text  # an internal procedure is not received at the counter


def test_reception_form_shows_checklist_applicant_and_step_fields(xd, user):
    html = user("motcua").get("/receive/QT-XD-01").get_data(as_text=True)
    assert 'name="applicant.id_number"' in html and 'name="applicant.email"' in html
    assert "Bản vẽ thiết kế xây dựng" in html  # the checklist of QT-XD-01
    assert 'name="form.so_tang"' in html and 'type="number"' in html and 'min="1"' in html
    assert 'name="form.loai_giay_phep"' in html and "Sửa chữa, cải tạo" in html  # enum labels from the BPMN
    assert 'name="form.ten_nguoi_nop"' not in html  # applicant fields are entered once, in the applicant box


def test_accepting_issues_a_code_and_appointment_and_moves_to_appraisal(xd, user, org, clock):
    c = user("motcua")
    reply = receive(c, files=[(io.BytesIO(PDF), "don-de-nghi.pdf")])
    assert reply.status_code == 302
    code = reply.headers["Location"].rsplit("/", 1)[-1]
    page = c.get(reply.headers["Location"])
    text = texts(page.data)
    assert code.startswith("H01-260105-") and code in text
    # Received Monday 5/1/2026 08:00 + 15 working days: Monday 26/1/2026 08:00.
    assert "08:00 26/01/2026" in text
    assert f"/dossiers/{code}/documents/receipt.pdf" in page.get_data(as_text=True)
    view = dossiers.get(org, code)
    assert (view.applicant_name, view.applicant_id_number, view.status_code) == ("Nguyễn Văn An", "001203004567", 4)
    assert open_element(org, code) == "Task_ThamDinh"
    with org.read() as conn:
        row = conn.execute(select(receptions).where(receptions.c.ref == code)).one()
        files = list(conn.execute(select(attachments.c.filename, attachments.c.size)))
    assert (row.email, row.phone, row.outcome) == ("an@example.vn", "0912 345 678", "accepted")
    assert "Giấy chứng nhận quyền sử dụng đất" in row.documents
    assert files == [("don-de-nghi.pdf", len(PDF))]


def test_invalid_reception_shows_errors_per_field_keeps_values_and_stores_nothing(xd, user, org):
    c = user("motcua")
    before = counts(org)
    reply = receive(c, **{"form.so_tang": "ba", "applicant.id_number": "12", "form.dien_tich_xay_dung": ""})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Phải là số nguyên." in html  # so_tang, next to its field
    assert "Từ 6 đến 20 chữ cái hoặc chữ số" in html  # the ID number
    assert "Bắt buộc nhập." in html  # dien_tich_xay_dung is required
    assert 'value="ba"' in html and 'value="Thôn Đông, xã An Hòa"' in html  # what was typed is kept
    assert counts(org) == before


def test_a_failing_reception_step_rolls_the_started_case_back(xd, user, org):
    # The applicant checks pass, the step's own form fails after the case was started: nothing remains,
    # not even a used dossier number.
    c = user("motcua")
    reply = receive(c, **{"form.dien_tich_xay_dung": "0"})
    assert reply.status_code == 422
    assert "Không được nhỏ hơn 1." in reply.get_data(as_text=True)
    assert counts(org) == (0, 0, 0, 0)
    with org.read() as conn:
        assert conn.execute(select(func.count()).select_from(key_sequences)).scalar_one() == 0
    assert receive_ok(c).endswith("-0001")


def test_fake_pdf_upload_is_refused_by_its_content(xd, user, org):
    c = user("motcua")
    reply = receive(c, files=[(io.BytesIO(b"MZ\x90\x00 not a pdf"), "scan.pdf")])
    assert reply.status_code == 422
    assert "Nội dung tệp không đúng định dạng .pdf." in reply.get_data(as_text=True)
    assert counts(org) == (0, 0, 0, 0)


def test_supplement_at_the_counter_gives_a_slip_and_no_dossier(xd, user, org):
    c = user("motcua")
    missing = receive(c, outcome="supplement")
    assert missing.status_code == 422 and "Ghi rõ nội dung cần bổ sung." in missing.get_data(as_text=True)
    reply = receive(c, outcome="supplement", note="Thiếu bản vẽ mặt bằng móng")
    assert reply.status_code == 302
    ref = reply.headers["Location"].rsplit("/", 1)[-1]
    assert ref.startswith("H01-PH-260105-")
    page = texts(c.get(reply.headers["Location"]).data)
    assert "Thiếu bản vẽ mặt bằng móng" in page and "In phiếu" in page
    assert counts(org)[0] == 0
    slip = c.get(f"/receptions/{ref}/slip.pdf")
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")


def test_refusal_needs_a_reason(xd, user, org):
    c = user("motcua")
    assert receive(c, outcome="refused").status_code == 422
    reply = receive(c, outcome="refused", note="Không thuộc thẩm quyền của UBND huyện")
    assert reply.status_code == 302
    assert "Từ chối tiếp nhận" in texts(c.get(reply.headers["Location"]).data)


def test_only_counter_officers_receive(xd, user):
    assert user("cv.ktht").get("/receive").status_code == 403
    assert receive(user("motcua"), outcome="accepted").status_code == 302
    other = user("tp.ktht")
    assert other.get("/receive/QT-XD-01").status_code == 403


def test_a_commune_counter_cannot_see_the_district_slip(xd, user):
    reply = receive(user("motcua"), outcome="refused", note="Sai thẩm quyền")
    url = reply.headers["Location"]
    assert user("xa.motcua").get(url).status_code == 403
    assert user("motcua2").get(url).status_code == 200  # a colleague at the same counter
