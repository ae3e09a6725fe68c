"""The task page: the generated form, per-field errors, completion, scans, comments, timeline, diagram."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from tests.web.conftest import csrf_of
from tests.web.workspace_helpers import PDF, PNG, complete, open_task, post_form, receive_ok, rows, texts, work

SCRIPT = "<script>alert('x')</script>"


def test_form_is_generated_from_the_step_schema(xd, user, org):
    code = receive_ok(user("motcua"))
    html = user("cv.ktht").get(f"/tasks/{open_task(org, code)}").get_data(as_text=True)
    assert '<select name="ket_qua_tham_dinh"' in html and "Đạt – đủ điều kiện cấp giấy phép" in html
    assert '<input type="date" name="ngay_kiem_tra_thuc_dia"' in html
    assert '<textarea name="y_kien_tham_dinh"' in html and 'maxlength="4000"' in html
    assert "Kết quả thẩm định" in html and 'class="req"' in html  # the BPMN's Vietnamese label, required mark


def test_errors_are_shown_next_to_their_fields_and_values_kept(xd, user, org):
    code = receive_ok(user("motcua"))
    task = open_task(org, code)
    reply = complete(user("cv.ktht"), task, {"ngay_kiem_tra_thuc_dia": "05/01/2026", "y_kien_tham_dinh": "Ổn"})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Bắt buộc nhập." in html and "Ngày không hợp lệ." in html
    assert 'value="05/01/2026"' in html and ">Ổn</textarea>" in html
    assert open_task(org, code) == task  # nothing moved


def test_completing_moves_the_dossier_and_records_the_result(xd, user, org):
    code = receive_ok(user("motcua"))
    reply = work(user, org, code, "Task_ThamDinh")
    assert reply.headers["Location"] == "/tasks"
    follow = user("cv.ktht").get("/tasks")
    assert "Đã hoàn thành bước «Thẩm định hồ sơ, kiểm tra thực địa»" in texts(follow.data)
    page = user("tp.ktht").get(f"/tasks/{open_task(org, code)}").get_data(as_text=True)
    assert "Xem xét hồ sơ, trình ký" in page
    assert "res-on_time" in page or "res-early" in page  # the appraisal's result in the steps table and timeline


def test_outsiders_cannot_open_or_complete_a_step(xd, user, org):
    code = receive_ok(user("motcua"))
    task = open_task(org, code)
    assert user("xa.motcua").get(f"/tasks/{task}").status_code == 403
    assert complete(user("tp.ktht"), task, {"ket_qua_tham_dinh": "dat"}).status_code == 403
    assert user("cv.ktht").get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404


def test_scans_are_checked_stored_by_hash_outside_the_web_root_and_guarded(xd, user, org):
    code = receive_ok(user("motcua"))
    cv = user("cv.ktht")
    back = f"/dossiers/{code}"
    ok = post_form(cv, f"/dossiers/{code}/attachments", {"file": (io.BytesIO(PNG), "ban-ve.png"), "next": back},
                   page=back, content_type="multipart/form-data")
    assert ok.status_code == 302
    fake = post_form(cv, f"/dossiers/{code}/attachments", {"file": (io.BytesIO(b"<html>"), "ban-ve.png")},
                     page=back, content_type="multipart/form-data")
    assert fake.status_code == 302
    assert "Nội dung tệp không đúng định dạng .png." in texts(cv.get(back).data)
    exe = post_form(cv, f"/dossiers/{code}/attachments", {"file": (io.BytesIO(b"MZ"), "virus.exe")},
                    page=back, content_type="multipart/form-data")
    assert exe.status_code == 302 and "Chỉ nhận tệp" in texts(cv.get(back).data)
    root = Path(xd.config["ATTACHMENTS_DIR"])
    digest = hashlib.sha256(PNG).hexdigest()
    assert (root / digest[:2] / digest).read_bytes() == PNG
    assert not str(root.resolve()).startswith(str(Path(xd.static_folder).resolve()))
    page = cv.get(back).get_data(as_text=True)
    link = page.split('href="/attachments/')[1].split('"')[0]
    got = cv.get(f"/attachments/{link}")
    assert got.status_code == 200 and got.data == PNG and got.headers["X-Content-Type-Options"] == "nosniff"
    assert user("xa.motcua").get(f"/attachments/{link}").status_code == 403


def test_uploads_over_the_size_limit_are_refused(xd, user, org):
    code = receive_ok(user("motcua"))
    big = PDF + b"0" * (10 * 1024 * 1024)
    reply = post_form(user("cv.ktht"), f"/dossiers/{code}/attachments", {"file": (io.BytesIO(big), "lon.pdf")},
                      page=f"/dossiers/{code}", content_type="multipart/form-data")
    page = texts(user("cv.ktht").get(f"/dossiers/{code}").data)
    assert reply.status_code == 302 and "Tệp quá lớn (tối đa 10 MB)." in page and "lon.pdf" not in page


def test_comments_are_escaped_and_in_the_timeline(xd, user, org):
    code = receive_ok(user("motcua"))
    cv = user("cv.ktht")
    assert post_form(cv, f"/dossiers/{code}/comments", {"text": f"Cần đo lại {SCRIPT}"},
                     page=f"/dossiers/{code}").status_code == 302
    html = cv.get(f"/dossiers/{code}").get_data(as_text=True)
    assert SCRIPT not in html and "Cần đo lại &lt;script&gt;" in html
    assert "Ý kiến trao đổi" in html and "Phạm Minh Đức" in html  # the timeline names the officer


def test_applicant_name_with_markup_is_escaped_everywhere(xd, user, org):
    c = user("motcua")
    code = receive_ok(c, **{"applicant.name": f"Lê {SCRIPT}"})
    pages = [c.get(f"/receptions/{code}"), c.get(f"/dossiers/{code}"), c.get("/dossiers"),
             user("cv.ktht").get("/tasks"), user("cv.ktht").get(f"/tasks/{open_task(org, code)}")]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and SCRIPT not in html and "Lê &lt;script&gt;" in html
    lookup = xd.test_client()
    token = csrf_of(lookup.get(f"/tra-cuu?ma={code}").data)
    html = lookup.post("/tra-cuu", data={"csrf_token": token, "ma": code,
                                         "so_giay_to": "001203004567"}).get_data(as_text=True)
    assert SCRIPT not in html and "Lê &lt;script&gt;" in html


def test_timeline_is_in_vietnam_time_with_results(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    clock.advance(hours=2)
    work(user, org, code, "Task_ThamDinh")
    html = user("tp.ktht").get(f"/dossiers/{code}").get_data(as_text=True)
    text = texts(html.encode())
    assert "08:00:00 05/01/2026" in text and "10:00:00 05/01/2026" in text  # 01:00 and 03:00 UTC
    assert "Tiếp nhận hồ sơ vào hệ thống" in text and "Hoàn thành bước" in text
    assert "Trước hạn" in text  # appraisal done on day 1 of 9


def test_diagram_is_the_files_own_layout_with_the_current_step_lit(xd, user, org):
    # issue 13: QT-XD-01 has a BPMN layout, so bpmn-js's viewer draws it (Graphviz only for files without one)
    code = receive_ok(user("motcua"))
    html = user("cv.ktht").get(f"/tasks/{open_task(org, code)}").get_data(as_text=True)
    assert 'class="qt-bpmn-view"' in html and "modeler/dist/viewer.js" in html and "<svg" not in html
    box = html[html.index('class="qt-bpmn-view"'):]
    assert "&#34;Task_ThamDinh&#34;: &#34;qt-current&#34;" in box  # the open step is lit
    assert "&#34;Task_TiepNhan&#34;: &#34;qt-" in box  # the reception, finished, in its result's colour
    assert "Đang xử lý" in html  # the legend


def test_dossier_rows_only_for_those_who_may_see(xd, user, org):
    code = receive_ok(user("motcua"))
    assert code in rows(user("cv.ktht").get("/dossiers").data)  # open to their role
    assert code not in rows(user("cv.tp").get("/dossiers").data)  # another division
    assert code in rows(user("pct").get("/dossiers").data)  # the agency's leader
    assert user("xa.motcua").get(f"/dossiers/{code}").status_code == 403
