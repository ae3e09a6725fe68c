"""The internal audit's papers, laid out as ISO 19011:2018 describes them (TCVN ISO 19011:2018):

* the **audit plan** (6.3.2): objectives, scope (unit, procedures, period), criteria, dates, methods
  (sampling), the team and their roles;
* the **checklist** (work document, 6.3.4): each question with its clause, the answer, the note and the
  evidence (dossiers, events of their logs);
* the **audit report** (6.5.1): objectives, scope, client, team, dates, criteria, sample, findings with
  their evidence, the conclusion and the degree to which the criteria are fulfilled.

Plain data in (audits.programme_views.document_data), PDF or DOCX out; nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import vn
from .forms import render
from .layout import Column, Document, Fields, Header, Heading, Paragraph, Signature, Signatures, Table, Title

CRITERIA = ("TCVN ISO 9001:2015 Hệ thống quản lý chất lượng – Các yêu cầu (điều 4 đến 10)",
            "Các quy trình nội bộ đang có hiệu lực của đơn vị được đánh giá",
            "Nghị định 61/2018/NĐ-CP và Nghị định 107/2021/NĐ-CP về cơ chế một cửa, một cửa liên thông",
            "Quyết định 19/2014/QĐ-TTg và Quyết định 101/QĐ-BKHCN về áp dụng TCVN ISO 9001 trong cơ quan hành chính")
KINDS = ("conformity", "observation", "nonconformity", "not_applicable")


def _d(value: Any) -> str:
    return vn.short_date(value) if isinstance(value, dt.date | dt.datetime) else vn.nfc(str(value or ""))


def _start(data: dict[str, Any], title: str, subtitle: str) -> Document:
    doc = Document(title=f"{title} {data['code']}", font_size=12.5, footer_page_numbers=True,
                   subject=f"{data['code']} – {data['unit']}")
    doc.add(Header(agency_lines=(vn.nfc(data.get("agency", "")).upper(), "ĐOÀN ĐÁNH GIÁ NỘI BỘ")))
    doc.add(Title(title, (subtitle, f"Mã đợt đánh giá: {data['code']}")))
    return doc


def _scope(doc: Document, data: dict[str, Any], number: int) -> None:
    doc.add(Heading(f"{number}. PHẠM VI ĐÁNH GIÁ"))
    doc.add(Fields((("Đơn vị được đánh giá", f"{data['unit']} ({data['unit_code']})"),
                    ("Quy trình", ", ".join(data["procedures"])),
                    ("Kỳ hồ sơ được xem xét", f"{_d(data['period_from'])} – {_d(data['period_to'])}"))))


def _team(doc: Document, data: dict[str, Any], number: int) -> None:
    doc.add(Heading(f"{number}. ĐOÀN ĐÁNH GIÁ"))
    doc.add(Table((Column("TT", 0.5, "C"), Column("Họ và tên", 3.0), Column("Vai trò", 1.5, "C")),
                  tuple((str(i), vn.nfc(t["name"]), t["role"]) for i, t in enumerate(data["team"], 1))))


def _criteria(doc: Document, number: int) -> None:
    doc.add(Heading(f"{number}. CHUẨN MỰC ĐÁNH GIÁ"))
    for item in CRITERIA:
        doc.add(Paragraph(f"- {item}", align="L"))


def build_plan(data: dict[str, Any]) -> Document:
    """The audit plan (ISO 19011:2018, 6.3.2)."""
    doc = _start(data, "KẾ HOẠCH ĐÁNH GIÁ NỘI BỘ", "Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015")
    doc.add(Heading("1. MỤC TIÊU ĐÁNH GIÁ"), Paragraph(vn.nfc(data["objective"]), indent=True))
    _scope(doc, data, 2)
    _criteria(doc, 3)
    doc.add(Heading("4. THỜI GIAN, ĐỊA ĐIỂM"))
    doc.add(Paragraph(f"Từ {_d(data['planned_from'])} đến {_d(data['planned_to'])}, tại {data['unit']}.", indent=True))
    doc.add(Heading("5. PHƯƠNG PHÁP ĐÁNH GIÁ"))
    doc.add(Paragraph("Phỏng vấn, xem xét hồ sơ và nhật ký xử lý trên hệ thống, đối chiếu với quy trình; chọn mẫu "
                      f"hồ sơ ngẫu nhiên, cỡ mẫu {data['sample_size_rule']}: {len(data['sample'])} hồ sơ.",
                      indent=True))
    _team(doc, data, 6)
    doc.add(Signatures((Signature("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC ĐÁNH GIÁ"), Signature("TRƯỞNG ĐOÀN ĐÁNH GIÁ",
                                                                            name=_lead(data)))))
    return doc


def build_checklist(data: dict[str, Any]) -> Document:
    """The checklist with answers and evidence (ISO 19011:2018, 6.3.4)."""
    doc = _start(data, "PHIẾU KIỂM TRA ĐÁNH GIÁ NỘI BỘ", f"{data['unit']} – kỳ {data['period']}")
    rows = tuple((f"{item['procedure']}\n{item['item_no']}", item["clause"], vn.nfc(item["question"]),
                  item.get("answer_label") or "—",
                  "; ".join(x for x in (vn.nfc(item.get("note") or ""), _item_evidence(item)) if x))
                 for item in data["checklist"])
    doc.add(Table((Column("Quy trình / TT", 1.0, "C"), Column("Điều khoản", 0.8, "C"), Column("Nội dung kiểm tra", 3.4),
                   Column("Kết quả", 1.1, "C"), Column("Ghi chép, bằng chứng", 2.0)), rows, size=10.5))
    doc.add(Paragraph(f"Hồ sơ mẫu: {', '.join(data['sample']) or 'không có'}.", italic=True))
    doc.add(Signatures((Signature(""), Signature("CHUYÊN GIA ĐÁNH GIÁ", name=_lead(data)))))
    return doc


def build_report(data: dict[str, Any]) -> Document:
    """The audit report (ISO 19011:2018, 6.5.1)."""
    doc = _start(data, "BÁO CÁO ĐÁNH GIÁ NỘI BỘ", "Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015")
    doc.add(Heading("1. MỤC TIÊU ĐÁNH GIÁ"), Paragraph(vn.nfc(data["objective"]), indent=True))
    _scope(doc, data, 2)
    _team(doc, data, 3)
    doc.add(Heading("4. THỜI GIAN ĐÁNH GIÁ"),
            Paragraph(f"Từ {_d(data['planned_from'])} đến {_d(data['planned_to'])}.", indent=True))
    _criteria(doc, 5)
    sample = ", ".join(data["sample"]) or "không có"
    doc.add(Heading("6. HỒ SƠ MẪU"), Paragraph(f"{len(data['sample'])} hồ sơ chọn ngẫu nhiên "
                                                 f"({data['sample_size_rule']}): {sample}.", indent=True))
    doc.add(Heading("7. KẾT QUẢ KIỂM TRA VÀ BẰNG CHỨNG"))
    linked = tuple((f"{item['procedure']}\n{item['item_no']}", item["clause"], vn.nfc(item["question"]),
                    item.get("answer_label") or "—", _item_evidence(item))
                   for item in data["checklist"] if item.get("evidence"))
    if linked:
        doc.add(Table((Column("Quy trình / TT", 1.0, "C"), Column("Điều khoản", 0.8, "C"),
                       Column("Nội dung kiểm tra", 2.6), Column("Kết quả", 1.1, "C"), Column("Bằng chứng", 2.6)),
                      linked, size=10.5))
    else:
        doc.add(Paragraph("Phiếu kiểm tra chưa dẫn chiếu hồ sơ, sự kiện nào làm bằng chứng.", indent=True))
    doc.add(Heading("8. CÁC PHÁT HIỆN VÀ BẰNG CHỨNG"))
    rows = tuple((f["ref"], f["kind_label"], f.get("clause") or "—", vn.nfc(f["statement"]),
                  f.get("evidence_text") or "—", f.get("capa") or "—") for f in data["findings"])
    doc.add(Table((Column("Số", 1.1, "C"), Column("Loại", 1.0, "C"), Column("Điều khoản", 0.7, "C"),
                   Column("Nội dung", 2.6), Column("Bằng chứng", 1.6), Column("Hành động khắc phục", 1.1, "C")),
                  rows or (("", "", "", "Không có phát hiện.", "", ""),), size=10.5))
    doc.add(Heading("9. KẾT LUẬN"))
    counts = {k: sum(1 for i in data["checklist"] if i.get("answer") == k) for k in KINDS}
    total = sum(counts.values())
    ncs = sum(1 for f in data["findings"] if f["kind"] == "nonconformity")
    doc.add(Paragraph(f"Đã kiểm tra {total}/{len(data['checklist'])} nội dung: {counts['conformity']} phù hợp, "
                      f"{counts['observation']} khuyến nghị, {counts['nonconformity']} không phù hợp, "
                      f"{counts['not_applicable']} không áp dụng.", indent=True))
    doc.add(Paragraph(("Hệ thống quản lý chất lượng tại đơn vị được áp dụng và duy trì phù hợp với chuẩn mực đánh giá."
                       if not ncs else f"Có {ncs} điểm không phù hợp; đơn vị thực hiện hành động khắc phục theo "
                       "quy trình QT-CAPA-01 và báo cáo kết quả cho Thư ký ISO."), indent=True))
    doc.add(Signatures((Signature("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC ĐÁNH GIÁ"), Signature("TRƯỞNG ĐOÀN ĐÁNH GIÁ",
                                                                            name=_lead(data)))))
    return doc


def _lead(data: dict[str, Any]) -> str:
    return next((vn.nfc(t["name"]) for t in data["team"] if t["role"] == "Trưởng đoàn"), "")


def _item_evidence(item: dict[str, Any]) -> str:
    """The evidence of a checklist answer in words (audits describes each link; bare codes otherwise)."""
    if item.get("evidence_text"):
        return vn.nfc(item["evidence_text"])
    return ", ".join(str(e["dossier"]) + (f" (sự kiện {e['seq']})" if e.get("seq") else "")
                     for e in item.get("evidence") or [])


BUILDERS = {"plan": build_plan, "checklist": build_checklist, "report": build_report}


def render_audit_document(kind: str, data: dict[str, Any], fmt: str = "pdf") -> bytes:
    """'plan', 'checklist' or 'report' as 'pdf' or 'docx' bytes."""
    return render(BUILDERS[kind](data), fmt)
