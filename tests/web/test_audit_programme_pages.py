"""Issue 14 item 4: the internal audit programme in the browser — plan (independence said in Vietnamese), sample,
checklist answers with evidence, a nonconformity that starts its CAPA case, closing, coverage, documents."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from pypdf import PdfReader

from audits import programme
from processes import instances
from tests.web.conftest import csrf_of

APPLICANT = {"ten_nguoi_nop": "Nguyễn Văn An", "so_giay_to": "001203004567", "kenh_nop": "truc_tiep"}


@pytest.fixture
def audited(org, deployed, clock):
    """Eight building-permit dossiers received in H01, and the CAPA procedure."""
    for name in ("QT-XD-01.bpmn", "QT-CAPA-01.bpmn"):
        deployed(name)
    codes = []
    for _ in range(8):
        clock.advance(minutes=20)
        codes.append(instances.start(org, "QT-XD-01", APPLICANT, "motcua", clock).business_key)
    return codes


def _text(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def _post(client, url: str, page: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_of(client.get(page).data), **data}, follow_redirects=True)


def test_plan_answer_finding_close_in_the_browser(org, audited, login):
    auditor = login("danhgia")
    start = "/audit/programme?year=2026"
    refused = _text(_post(auditor, "/audit/programme", start, {"unit": "H01.VP", "period": "2026", "lead": "danhgia"}))
    assert "không được đánh giá đơn vị này" in refused  # danhgia works in H01.VP
    made = _post(auditor, "/audit/programme", start, {"unit": "H01.KTHT", "period": "2026", "lead": "danhgia",
                                                       "procedures": "QT-XD-01"})
    page = _text(made)
    code = programme.list_plans(org, 2026)[0].code
    assert made.request.path == f"/audit/programme/{code}" and "Đã lập kế hoạch" in page
    sample = programme.draw_sample(org, code)
    assert len(sample) == 5 and all(s in page for s in sample)
    items = programme.checklist(org, code)
    plan_page = f"/audit/programme/{code}"
    first = items[0]
    _post(auditor, f"{plan_page}/answers", plan_page, {"procedure": first["procedure"], "item_no": first["item_no"],
                                                      "answer": "conformity", "note": "Đúng phiên bản",
                                                      "evidence": f"{sample[0]}:1, {sample[1]}"})
    answered = programme.checklist(org, code)[0]
    assert programme.get_plan(org, code).status == "in_progress"
    assert answered["answer"] == "conformity" and answered["note"] == "Đúng phiên bản"
    assert [e["dossier"] for e in answered["evidence"]] == sample[:2] and answered["evidence"][0]["seq"] == 1
    early = _text(_post(auditor, f"{plan_page}/close", plan_page, {}))
    assert "chưa trả lời" in early and programme.get_plan(org, code).status != "done"
    found = _text(_post(auditor, f"{plan_page}/findings", plan_page, {
        "kind": "nonconformity", "procedure": "QT-XD-01", "clause": "8.5.1",
        "statement": "Hồ sơ trễ hạn không có văn bản xin lỗi", "evidence": sample[2]}))
    capa = programme.findings(org, plan_id=programme.get_plan(org, code).id)[0]["capa"]
    assert capa and f"Đã mở hồ sơ hành động khắc phục {capa}" in found
    for item in items[1:]:
        programme.answer(org, code, item["procedure"], item["item_no"], "conformity", "danhgia")
    closed = _text(_post(auditor, f"{plan_page}/close", plan_page, {}))
    assert "Đã kết thúc đợt đánh giá" in closed and programme.get_plan(org, code).status == "done"
    coverage = _text(auditor.get(start))
    assert "Đã đánh giá 1/" in coverage and code in coverage


def test_checklist_evidence_is_checked_shown_and_printed(org, audited, login, clock):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["danhgia"], "danhgia", clock, ["QT-XD-01"])
    sample = programme.draw_sample(org, plan.id)
    other = programme.plan_audit(org, "H01.KTHT", "2026-Q2", ["danhgia"], "danhgia", clock, ["QT-XD-01"])
    auditor = login("danhgia")
    page = f"/audit/programme/{plan.code}"
    first = programme.checklist(org, plan.id)[0]
    item = {"procedure": first["procedure"], "item_no": first["item_no"], "answer": "conformity", "note": "Đạt"}
    wrong = _text(_post(auditor, f"{page}/answers", page, {**item, "evidence": "H01-000000-9999"}))
    assert "Không có hồ sơ mã 'H01-000000-9999' để làm bằng chứng; chưa ghi gì." in wrong
    no_event = _text(_post(auditor, f"{page}/answers", page, {**item, "evidence": f"{sample[0]}:500"}))
    assert f"Nhật ký của hồ sơ {sample[0]} không có sự kiện số 500" in no_event
    other_page = f"/audit/programme/{other.code}"
    outside = _text(_post(auditor, f"{other_page}/answers", other_page, {**item, "evidence": sample[0]}))
    assert f"Hồ sơ {sample[0]} nằm ngoài phạm vi đợt đánh giá {other.code}" in outside
    assert "từ 01/04/2026 đến 30/06/2026" in outside
    assert programme.checklist(org, plan.id)[0]["answer"] is None and programme.checklist(org, other.id)[0][
        "answer"] is None  # nothing stored
    shown = _text(_post(auditor, f"{page}/answers", page, {**item, "evidence": f"{sample[0]}:1, {sample[1]}"}))
    assert "Đã ghi câu trả lời." in shown
    assert f'href="/dossiers/{sample[0]}#su-kien-1"' in shown and "(sự kiện 1: Tiếp nhận hồ sơ vào hệ thống" in shown
    assert f'href="/dossiers/{sample[1]}"' in shown
    assert 'id="su-kien-1"' in _text(auditor.get(f"/dossiers/{sample[0]}"))  # where the event link lands
    for kind in ("checklist", "report"):
        pdf = auditor.get(f"{page}/{kind}.pdf")
        text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
        assert f"{sample[0]} (sự kiện 1:" in text and sample[1] in text, kind
    report = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        auditor.get(f"{page}/report.pdf").data)).pages).split())
    assert "KẾT QUẢ KIỂM TRA VÀ BẰNG CHỨNG" in report
    docx = auditor.get(f"{page}/report.docx").data
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert sample[0] in archive.read("word/document.xml").decode()


@pytest.mark.parametrize("kind", ["plan", "checklist", "report"])
def test_audit_documents_follow_iso_19011(org, audited, login, clock, kind):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["danhgia"], "danhgia", clock, ["QT-XD-01"])
    programme.draw_sample(org, plan.id)
    client = login("danhgia")
    reply = client.get(f"/audit/programme/{plan.code}/{kind}.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(reply.data)).pages).split())
    expected = {"plan": ["KẾ HOẠCH ĐÁNH GIÁ NỘI BỘ", "MỤC TIÊU ĐÁNH GIÁ", "PHẠM VI ĐÁNH GIÁ", "CHUẨN MỰC ĐÁNH GIÁ",
                         "PHƯƠNG PHÁP ĐÁNH GIÁ", "ĐOÀN ĐÁNH GIÁ"],
                "checklist": ["PHIẾU KIỂM TRA ĐÁNH GIÁ NỘI BỘ", "Nội dung kiểm tra", "8.5.1"],
                "report": ["BÁO CÁO ĐÁNH GIÁ NỘI BỘ", "CÁC PHÁT HIỆN VÀ BẰNG CHỨNG", "KẾT LUẬN", "HỒ SƠ MẪU"]}[kind]
    for words in expected:
        assert words in text, words
    assert client.get(f"/audit/programme/{plan.code}/{kind}.docx").data[:2] == b"PK"


def test_only_auditors_plan_and_only_readers_see(org, audited, login):
    assert login("motcua").get("/audit/programme").status_code == 403
    officer = login("iso")  # the ISO secretary plans too
    assert "Lập kế hoạch đánh giá" in _text(officer.get("/audit/programme"))
    leader = login("pct")
    assert "Lập kế hoạch đánh giá" not in _text(leader.get("/audit/programme"))


def test_the_audit_overview_links_the_programme(org, audited, login):
    assert "/audit/programme?year=2025" in login("danhgia").get("/audit?year=2025").get_data(as_text=True)
