"""Dossier search and CSV export, the dossier page's printed forms, apologies and notifications."""

from __future__ import annotations

import csv
import datetime as dt
import io

from processes import notifications, queries
from processes.notifications import Notice
from tests.web.workspace_helpers import open_task, post_form, receive_ok, rows, texts, work


def test_search_by_code_applicant_procedure_status_dates_and_unit(xd, user, org, clock):
    c = user("motcua")
    first = receive_ok(c)
    clock.advance(days=1)
    second = receive_ok(c, **{"applicant.name": "Hoàng Thị Mai", "applicant.id_number": "079199001122"})
    work(user, org, second, "Task_ThamDinh")
    pct = user("pct")

    def found(query: str) -> str:
        return rows(pct.get(f"/dossiers?{query}").data)

    assert first in found(f"code={first}") and second not in found(f"code={first}")
    assert second in found("applicant=Mai") and first not in found("applicant=Mai")
    assert second in rows(pct.get("/dossiers?applicant=079199001122").data)
    assert first in rows(pct.get("/dossiers?procedure=QT-XD-01").data)
    assert first not in rows(pct.get("/dossiers?procedure=QT-KD-01").data)
    assert rows(pct.get("/dossiers?from=2026-01-06&to=2026-01-06").data).count("H01-") == 1
    assert first in rows(pct.get("/dossiers?from=2026-01-05&to=2026-01-05").data)
    assert first in rows(pct.get("/dossiers?unit=H01").data) and first not in rows(pct.get("/dossiers?unit=X01").data)
    assert first in rows(pct.get("/dossiers?status=4").data) and first not in rows(pct.get("/dossiers?status=10").data)
    page = queries.search_dossiers(org, "pct", clock, queries.DossierFilter(), per_page=1, page=2)
    assert (page.total, page.pages, [d.code for d in page.items]) == (2, 2, [first])  # newest first


def test_csv_export_is_utf8_with_bom_and_safe_for_spreadsheets(xd, user, org):
    c = user("motcua")
    code = receive_ok(c, **{"applicant.name": "=HYPERLINK(\"http://x\")"})
    other = receive_ok(c, **{"applicant.name": "Đỗ Thị Hằng"})
    reply = user("pct").get("/dossiers/export.csv")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    raw = reply.data
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:5] == ["Mã hồ sơ", "Thủ tục", "Tên thủ tục", "Cơ quan", "Người nộp"]
    by_code = {r[0]: r for r in table[1:]}
    assert by_code[other][4] == "Đỗ Thị Hằng" and by_code[other][7] == "Đang giải quyết"
    assert by_code[code][4].startswith("'=")  # a formula typed as a name is not run by Excel
    assert code not in user("cv.tp").get("/dossiers/export.csv").get_data(as_text=True)


def test_printed_forms_come_from_the_documents_package(xd, user, org):
    code = receive_ok(user("motcua"))
    c = user("cv.ktht")
    page = c.get(f"/dossiers/{code}").get_data(as_text=True)
    assert f"/dossiers/{code}/documents/receipt.pdf" in page
    assert f"/dossiers/{code}/documents/control_sheet.docx" in page
    pdf = c.get(f"/dossiers/{code}/documents/receipt.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    docx = c.get(f"/dossiers/{code}/documents/control_sheet.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    assert c.get(f"/dossiers/{code}/documents/receipt.exe").status_code == 404
    assert c.get(f"/dossiers/{code}/documents/nothing.pdf").status_code == 404
    assert user("xa.motcua").get(f"/dossiers/{code}/documents/receipt.pdf").status_code == 403


def test_the_receipt_prints_the_counter_record(xd, user, org):
    from processes.document_data import build_dossier_document_data
    from web import paperwork

    code = receive_ok(user("motcua"))
    with xd.test_request_context():
        from processes import reception

        data = paperwork._with_counter(build_dossier_document_data(org, reception.get(org, code).instance_id),
                                       reception.get(org, code))
    assert data.applicant_email == "an@example.vn" and data.applicant_phone == "0912 345 678"
    assert [d.name for d in data.documents][:2] == ["Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)",
                                                    "Giấy chứng nhận quyền sử dụng đất"]
    assert data.officer_name == "Nguyễn Thị Hoa" and data.receiving_unit == "Bộ phận Một cửa huyện"


def test_apology_requested_by_the_officer_and_signed_by_the_head(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    cv = user("cv.ktht")
    reply = post_form(cv, f"/dossiers/{code}/apology", {"reason": "Chờ ý kiến cơ quan quản lý quy hoạch"},
                      page=f"/dossiers/{code}")
    assert reply.status_code == 302
    head = user("tp.ktht")
    pending = head.get("/apologies")
    assert code in rows(pending.data)
    link = pending.get_data(as_text=True).split('href="/apologies/')[1].split('"')[0]
    assert "Chờ ý kiến cơ quan quản lý quy hoạch" in texts(head.get(f"/apologies/{link}").data)
    assert post_form(cv, f"/apologies/{link}/sign", {}, page=f"/apologies/{link}").status_code == 403
    signed = post_form(head, f"/apologies/{link}/sign", {"new_on": "2026-02-02"}, page=f"/apologies/{link}")
    assert signed.status_code == 302
    page = texts(cv.get(f"/dossiers/{code}").data)
    assert "17:00 02/02/2026" in page and "Hẹn lần đầu: 08:00 26/01/2026" in page
    again = post_form(cv, f"/dossiers/{code}/apology", {"reason": "Lần nữa"}, page=f"/dossiers/{code}")
    assert again.status_code == 409  # the appointment moves only once


def test_notifications_page_lists_and_marks_read(xd, user, org, clock):
    with org.write() as conn:
        notifications.add(conn, [Notice("cv.ktht", "sla_overdue", "Hồ sơ H01-X quá hạn <b>gấp</b>", "/tasks"),
                                 Notice("cv.ktht", "info", "Tin cũ", "//evil.example")], clock.now())
    c = user("cv.ktht")
    page = c.get("/notifications").get_data(as_text=True)
    assert "quá hạn &lt;b&gt;gấp&lt;/b&gt;" in page and 'href="//evil.example"' not in page
    assert '<span class="count">2</span>' in page
    assert post_form(c, "/notifications/read", {"all": "1"}, page="/notifications").status_code == 302
    assert '<span class="count">' not in c.get("/notifications").get_data(as_text=True)
    assert notifications.inbox(org, "cv.ktht", unread_only=True) == []


def test_step_list_and_claim_from_the_dossier_page(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    page = user("cv.ktht").get(f"/dossiers/{code}").get_data(as_text=True)
    assert f"/tasks/{open_task(org, code)}" in page  # "your steps on this dossier"
    clock.set(dt.datetime(2026, 1, 16, 3, 0, tzinfo=dt.UTC))
    assert "sla-overdue" in user("cv.ktht").get(f"/tasks/{open_task(org, code)}").get_data(as_text=True)


def test_withdrawal_by_the_counter_and_stop_by_a_leader(xd, user, org):
    first, second = receive_ok(user("motcua")), receive_ok(user("motcua"))
    assert post_form(user("cv.ktht"), f"/dossiers/{first}/withdraw", {"reason": "x"},
                     page=f"/dossiers/{first}").status_code == 403
    assert post_form(user("motcua"), f"/dossiers/{first}/withdraw", {"reason": "Người nộp xin rút"},
                     page=f"/dossiers/{first}").status_code == 302
    assert post_form(user("motcua"), f"/dossiers/{second}/stop", {"reason": "x"},
                     page=f"/dossiers/{second}").status_code == 403
    stopped = user("pct").post(f"/api/dossiers/{second}/stop", json={"reason": "Sai thẩm quyền"})
    assert stopped.status_code == 200 and stopped.json["status_code"] == 8
    text = texts(user("pct").get(f"/dossiers/{first}").data)
    assert "Đã rút hồ sơ" in text and "Người nộp xin rút" in text
    assert first not in rows(user("cv.ktht").get("/tasks").data)


def test_tracking_book_for_a_date_range(xd, user, org):
    code = receive_ok(user("motcua"))
    book = user("motcua").get("/dossiers/tracking-book.pdf?from=2026-01-01&to=2026-01-31")
    assert book.status_code == 200 and book.data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(book.data)).pages)
    assert code in text and "Nguyễn Văn An" in text
    assert user("motcua").get("/dossiers/tracking-book.docx?from=2026-01-01&to=2026-01-31").data.startswith(b"PK")
    assert user("motcua").get("/dossiers/tracking-book.pdf?from=2026-01-01&to=2028-01-31").status_code == 422
    assert user("cv.ktht").get("/dossiers/tracking-book.pdf").status_code == 403
