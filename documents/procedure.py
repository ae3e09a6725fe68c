"""The ISO 9001 procedure document (QĐ 101/QĐ-BKHCN 2019 layout) generated from the BPMN and metadata.

The step table is read from the BPMN every time — never typed in — so the document cannot drift from
the procedure that runs. Metadata (a plain dict) supplies what the BPMN does not hold: agency,
issue number and date, purpose, scope, references, definitions, records, approvals and revisions.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from engine.durations import parse_duration

from . import vn
from .flow import FlowStep, flow_steps
from .forms import render
from .layout import Column, Document, Heading, PageBreak, Paragraph, RunningHeader, Spacer, Table, Title
from .templates import template_for

STEP_COLUMNS = ("TT", "Trình tự công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả")


def _date(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return vn.short_date(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return vn.short_date(dt.date.fromisoformat(value))
    return vn.nfc(value or "")


def _form_name(key: str | None, forms: dict[str, str]) -> str:
    if not key:
        return "—"
    return forms.get(key, key)


def step_form_titles(steps: list[FlowStep]) -> dict[str, str]:
    """A title for each step form: the BPMN names a form only by a key (tiep_nhan_gpxd), which means nothing to a
    reader, so the form is called after the first step that fills it ("Phiếu tiếp nhận, kiểm tra thành phần hồ sơ")."""
    titles: dict[str, str] = {}
    for step in steps:
        if step.form_key and step.form_key not in titles and step.name:
            name = vn.nfc(step.name)
            titles[step.form_key] = f"Phiếu {name[:1].lower()}{name[1:]}"
    return titles


# The statutory forms of the one-stop mechanism (Thông tư 01/2018/TT-VPCP) a citizen procedure uses; an internal
# procedure (level noi_bo) has none of them.
STATUTORY_FORMS = ("receipt", "supplement_request", "refusal", "apology", "stop_notice", "control_sheet",
                   "tracking_book")


def statutory_form_titles(on_date: dt.date) -> list[str]:
    """'Mẫu số 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Thông tư 01/2018/TT-VPCP)', … in force on a date."""
    found = []
    for form in STATUTORY_FORMS:
        try:
            spec = template_for(form, on_date).spec
        except LookupError:
            continue  # no version of that form in force yet on that date
        title = vn.nfc(spec.get("title", form))
        number = f"{spec['form_number']} – " if spec.get("form_number") else ""
        found.append(f"{number}{title[:1]}{title[1:].lower()}"
                     + (f" ({spec['legal_basis']})" if spec.get("legal_basis") else ""))
    return sorted(found)


def step_rows(steps: list[FlowStep], forms: dict[str, str] | None = None) -> list[tuple[str, str, str, str, str]]:
    """The step table: (TT, step, responsibility, time in Vietnamese, form/result), main path first."""
    forms = forms or {}
    rows = []
    for i, step in enumerate(steps, 1):
        what = step.name if step.main else f"{step.name}\n(Trường hợp: {step.branch or 'khác'})"
        rows.append((str(i), what, step.lane, vn.duration_vn(step.due), _form_name(step.form_key, forms)))
    return rows


def main_path_total(steps: list[FlowStep]) -> str:
    """The main path's step limits added up, in Vietnamese ('13,5 ngày làm việc'); '' if none has one."""
    days, minutes = Fraction(0), Fraction(0)
    for step in steps:
        if step.main and step.due:
            try:
                amount = parse_duration(step.due)
            except ValueError:
                continue
            days, minutes = days + amount.days, minutes + amount.minutes
    if not days and not minutes:
        return ""
    text = f"P{_decimal(days)}D" if days else "P"
    if minutes:
        hours, rest = divmod(minutes, 60)
        text += "T" + (f"{_decimal(hours)}H" if hours else "") + (f"{_decimal(rest)}M" if rest else "")
    return vn.duration_vn(text)


def _decimal(value: Fraction | int) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _forms_map(meta: dict[str, Any], steps: list[FlowStep] | None = None) -> dict[str, str]:
    forms = meta.get("forms") or {}
    if isinstance(forms, list):
        given = {f["key"]: f"{f.get('code', '')} {f.get('name', '')}".strip() for f in forms if f.get("key")}
    else:
        given = dict(forms)
    return {**step_form_titles(steps or []), **given}


def build_procedure_document(bpmn: bytes | str, meta: dict[str, Any], process_id: str | None = None) -> Document:
    """The procedure document for a BPMN file and its ISO metadata."""
    info, steps = flow_steps(bpmn, process_id)
    code = meta.get("code") or info.code
    name = meta.get("name") or info.name
    issue = str(meta.get("issue_number") or "01").zfill(2)
    agency = meta.get("agency", "")
    doc = Document(title=f"Quy trình {code} – {name}", font_size=12.5, subject=f"{code} lần ban hành {issue}")
    doc.running_header = RunningHeader(
        left=tuple(line.upper() for line in (meta.get("parent_agency"), agency) if line),
        middle=("QUY TRÌNH", vn.nfc(name).upper()),
        right=(f"Mã hiệu: {code}", f"Lần ban hành: {issue}", f"Ngày ban hành: {_date(meta.get('issue_date'))}",
               "Trang: {page}/{pages}"),
    )
    _approvals(doc, meta.get("approvals") or {})
    _revisions(doc, meta.get("revisions") or [])
    doc.add(PageBreak())
    doc.add(Heading("1. MỤC ĐÍCH"), Paragraph(meta.get("purpose") or f"Quy định trình tự, trách nhiệm và thời "
                                                    f"hạn giải quyết công việc: {name}.", indent=True))
    doc.add(Heading("2. PHẠM VI"), Paragraph(meta.get("scope") or "……………", indent=True))
    references = list(meta.get("references") or [])
    legal = [p.strip() for p in info.properties.get("legal_basis", "").split(";") if p.strip()]
    doc.add(Heading("3. TÀI LIỆU VIỆN DẪN"))
    for item in references + [x for x in legal if x not in references]:
        doc.add(Paragraph(f"- {item}", align="L"))
    doc.add(Paragraph("- Tiêu chuẩn quốc gia TCVN ISO 9001:2015 Hệ thống quản lý chất lượng – Các yêu cầu.",
                      align="L"))
    _definitions(doc, meta.get("definitions") or {})
    _content(doc, info, steps, meta)
    _forms_section(doc, steps, meta)
    _records(doc, meta.get("records") or [])
    return doc


# The approval table's column widths: the approver's column is the last and the widest; his digital signature is
# drawn in its "Chữ ký" cell (processes/approval_signing.py finds the cell from these widths and the row labels), at
# the block's own font size (~56 mm: "Thời gian ký: dd/mm/yyyy hh:mm" at 7 pt fits without shrinking).
APPROVAL_COLUMNS = (0.9, 1.2, 1.2, 1.7)
SIGNATURE_ROW, DATE_ROW = "Chữ ký", "Ngày"


def _approvals(doc: Document, approvals: dict[str, Any]) -> None:
    roles = (("drafted", "Người soạn thảo"), ("reviewed", "Người xem xét"), ("approved", "Người phê duyệt"))
    people = [approvals.get(key) or {} for key, _ in roles]
    doc.add(Spacer(4), Table(
        (Column("Trách nhiệm", APPROVAL_COLUMNS[0]),
         *(Column(label, width, "C") for (_, label), width in zip(roles, APPROVAL_COLUMNS[1:], strict=True))),
        (("Họ và tên", *(p.get("name", "") for p in people)),
         ("Chức vụ", *(p.get("title", "") for p in people)),
         # five lines high: room for a handwritten signature, or the approver's digital signature block
         (SIGNATURE_ROW, "\n\n\n\n", "\n\n\n\n", "\n\n\n\n"),
         (DATE_ROW, *(_date(p.get("date")) for p in people))),
        bold_first_column=True))


def _revisions(doc: Document, revisions: list[dict[str, Any]]) -> None:
    doc.add(Title("BẢNG THEO DÕI SỬA ĐỔI TÀI LIỆU"))
    rows = tuple((str(i), _date(r.get("date")), vn.nfc(r.get("section", "")), vn.nfc(r.get("content", "")),
                  str(r.get("issue_number", r.get("issue", "")))) for i, r in enumerate(revisions, 1))
    doc.add(Table((Column("TT", 0.5, "C"), Column("Ngày sửa đổi", 1.2, "C"), Column("Phần/Mục sửa đổi", 1.4),
                   Column("Nội dung sửa đổi", 3.0), Column("Lần ban hành", 1.0, "C")),
                  rows or (("", "", "", "", ""),)))


def _definitions(doc: Document, definitions: dict[str, str] | list) -> None:
    doc.add(Heading("4. ĐỊNH NGHĨA, TỪ VIẾT TẮT"))
    pairs = list(definitions.items()) if isinstance(definitions, dict) else [tuple(d) for d in definitions]
    if not pairs:
        doc.add(Paragraph("Không có.", indent=True))
        return
    doc.add(Table((Column("Từ ngữ, viết tắt", 1.0), Column("Giải thích", 3.0)),
                  tuple((vn.nfc(k), vn.nfc(v)) for k, v in pairs), bold_first_column=True))


def _content(doc: Document, info, steps: list[FlowStep], meta: dict[str, Any]) -> None:
    doc.add(Heading("5. NỘI DUNG QUY TRÌNH"))
    number = 0

    def sub(title: str) -> None:
        nonlocal number
        number += 1
        doc.add(Heading(f"5.{number}. {title}", 2))

    if info.properties.get("legal_basis"):
        sub("Cơ sở pháp lý")
        doc.add(Paragraph(info.properties["legal_basis"], indent=True))
    if meta.get("dossier_components"):
        sub("Thành phần hồ sơ")
        for item in meta["dossier_components"]:
            doc.add(Paragraph(f"- {item}", align="L"))
    if info.deadline:
        sub("Thời hạn giải quyết")
        kind_calendar = info.properties.get("deadline_kind") == "calendar"
        total = main_path_total(steps)
        note = f" (tổng thời hạn các bước trên đường chính: {total})" if total else ""
        doc.add(Paragraph(vn.duration_vn(info.deadline, kind_calendar) + note, indent=True))
    for key, title in (("place", "Nơi tiếp nhận và trả kết quả"), ("fees", "Phí, lệ phí")):
        if meta.get(key):
            sub(title)
            doc.add(Paragraph(meta[key], indent=True))
    sub("Quy trình xử lý công việc")
    doc.add(Table((Column(STEP_COLUMNS[0], 0.45, "C"), Column(STEP_COLUMNS[1], 2.6), Column(STEP_COLUMNS[2], 1.7),
                   Column(STEP_COLUMNS[3], 1.05, "C"), Column(STEP_COLUMNS[4], 1.5)),
                  tuple(step_rows(steps, _forms_map(meta, steps))), size=11))


def _forms_section(doc: Document, steps: list[FlowStep], meta: dict[str, Any]) -> None:
    doc.add(Heading("6. BIỂU MẪU"))
    forms = _forms_map(meta, steps)
    keys = list(dict.fromkeys(s.form_key for s in steps if s.form_key))
    titles = [forms.get(k, k) for k in keys]
    if meta.get("level") != "noi_bo":
        day = meta.get("issue_date") or meta.get("on_date") or dt.date.today()
        titles += statutory_form_titles(dt.date.fromisoformat(day) if isinstance(day, str) else day)
    rows = [(str(i), title) for i, title in enumerate(titles, 1)]
    doc.add(Table((Column("TT", 0.5, "C"), Column("Tên biểu mẫu", 5.0)), tuple(rows) or (("", "Không có."),)))


def _records(doc: Document, records: list[dict[str, Any]]) -> None:
    doc.add(Heading("7. HỒ SƠ CẦN LƯU"))
    rows = tuple((str(i), vn.nfc(r.get("record", "")), vn.nfc(r.get("where", "")), vn.nfc(r.get("retention", "")))
                 for i, r in enumerate(records, 1))
    doc.add(Table((Column("TT", 0.5, "C"), Column("Hồ sơ lưu", 3.0), Column("Nơi lưu", 1.6),
                   Column("Thời gian lưu", 1.3, "C")), rows or (("", "", "", ""),)))
    doc.add(Paragraph("Hồ sơ được lưu theo quy định về công tác văn thư, lưu trữ; hết thời hạn lưu tại đơn vị, "
                      "chuyển lưu trữ cơ quan theo quy định.", italic=True))


def render_procedure_document(bpmn: bytes | str, meta: dict[str, Any], fmt: str = "pdf",
                              process_id: str | None = None) -> bytes:
    """The procedure document as PDF or DOCX bytes."""
    return render(build_procedure_document(bpmn, meta, process_id), fmt)
