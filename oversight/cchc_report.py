"""The CCHC report to Phòng Nội vụ (issue 17 item 3): quarterly, six-month or annual, as an editable DOCX in the
usual outline — the figures computed by quytrinh, the passages a person writes left as marked sections.

The TTHC figures are audits.indicators.sla_report over the same period (the audit pages' function, so the
numbers are the same) and the digitised count is audits.report_data.headline's; ISO status comes from the
registry, inspections from their coverage, plan items from the plan's progress at the period's last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audits.indicators import sla_report
from audits.periods import Period, parse_period
from audits.report_data import headline
from documents.layout import Column, Document, Header, Heading, Paragraph, Signature, Signatures, Table, Title
from documents.word import render_docx
from processes import organisation, records
from processes.db import Database
from processes.errors import InvalidInput

from . import inspections, plan_progress, registry

WRITE_HERE = "[Phần đơn vị viết: {what}]"


@dataclass(frozen=True)
class Figures:
    """What quytrinh computes for the report of a period."""

    period: Period
    label: str
    received: int
    received_online: int
    resolved: int
    early: int
    on_time: int
    late: int
    digitised: int
    agencies: int
    agencies_announced: int
    agencies_behind: list[str]
    inspected: int
    self_inspected: int
    units: int
    plan: plan_progress.Progress


def period_name(period: Period) -> str:
    """"quý IV năm 2025", "6 tháng đầu năm 2025", "năm 2025"."""
    label = period.label
    if "-Q" in label:
        return f"quý {('I', 'II', 'III', 'IV')[int(label[-1]) - 1]} năm {period.year}"
    if "-H" in label:
        return f"6 tháng {'đầu' if label.endswith('1') else 'cuối'} năm {period.year}"
    return f"năm {period.year}"


def figures(db: Database, period_text: str) -> Figures:
    """The report's figures for a period "2025-Q4", "2025-H1" or "2025"."""
    period = parse_period(period_text)
    if len(period.label) > 4 and "-Q" not in period.label and "-H" not in period.label:
        raise InvalidInput("a CCHC report covers a quarter, a half-year or a year", {"period": period_text})
    last = period.end - dt.timedelta(days=1)
    sla = sla_report(db, period)
    with db.read() as conn:
        facts = records.load_dossiers(conn, period, "either")
    lines = registry.registry(db, last)
    cover = inspections.coverage(db, period.year)
    return Figures(period, period_name(period), sla.received, sla.received_online, sla.overall.resolved,
                   sla.overall.early, sla.overall.on_time, sla.overall.late, headline(facts, period)["digitised"],
                   len(lines), sum(1 for s in lines if s.decision_no), [s.name for s in lines if s.behind],
                   len(cover.inspected), len(cover.self_inspected), len(cover.units),
                   plan_progress.progress(db, period.year, last))


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}".replace(".", ",") if whole else "–"


def report_docx(db: Database, period_text: str) -> bytes:
    """The report of the period as DOCX bytes."""
    f = figures(db, period_text)
    with db.read() as conn:
        agency = organisation.top_agency_name(conn)
    plan = f.plan
    doc = Document(f"Báo cáo CCHC {f.label}", subject="Báo cáo kết quả thực hiện công tác cải cách hành chính")
    doc.add(
        Header(agency_lines=(agency.upper(),), number="Số: …/BC-UBND", place_date="…, ngày … tháng … năm …"),
        Title("BÁO CÁO", (f"Kết quả thực hiện công tác cải cách hành chính {f.label}",)),
        Heading("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH"),
        Paragraph(f"Kế hoạch CCHC năm {f.period.year}: {plan.overall.total} nhiệm vụ, kinh phí "
                  f"{plan.overall.budget:,.1f} triệu đồng; đến ngày {plan.day:%d/%m/%Y} đã hoàn thành "
                  f"{plan.overall.done} nhiệm vụ ({plan.overall.counts['done_on_time']} đúng hạn, "
                  f"{plan.overall.counts['done_late']} trễ hạn), {plan.overall.counts['overdue']} nhiệm vụ quá hạn "
                  f"chưa hoàn thành, {plan.overall.counts['open']} nhiệm vụ đang thực hiện.", indent=True),
        Paragraph(WRITE_HERE.format(what="việc ban hành văn bản chỉ đạo, tuyên truyền CCHC"), italic=True),
        Heading("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC"),
    )
    if plan.by_section:
        doc.add(Table((Column("Mục", 0.5, "C"), Column("Lĩnh vực", 3.0), Column("Nhiệm vụ", 0.8, "C"),
                       Column("Đúng hạn", 0.8, "C"), Column("Trễ hạn", 0.8, "C"), Column("Quá hạn", 0.8, "C"),
                       Column("Đang làm", 0.8, "C")),
                      tuple((no, plan.section_titles[no], str(t.total), str(t.counts["done_on_time"]),
                             str(t.counts["done_late"]), str(t.counts["overdue"]), str(t.counts["open"]))
                            for no, t in plan.by_section.items())))
    doc.add(
        Heading("1. Cải cách thủ tục hành chính", level=2),
        Table((Column("Chỉ tiêu", 3.2), Column("Số lượng", 1.0, "R"), Column("Tỷ lệ", 1.0, "R")), (
            ("Hồ sơ TTHC tiếp nhận", str(f.received), ""),
            ("Trong đó tiếp nhận trực tuyến", str(f.received_online), _pct(f.received_online, f.received)),
            ("Hồ sơ đã giải quyết", str(f.resolved), ""),
            ("Giải quyết trước hạn", str(f.early), _pct(f.early, f.resolved)),
            ("Giải quyết đúng hạn", str(f.on_time), _pct(f.on_time, f.resolved)),
            ("Giải quyết trễ hạn", str(f.late), _pct(f.late, f.resolved)),
            ("Hồ sơ được số hóa", str(f.digitised), _pct(f.digitised, f.received)),
        )),
        Paragraph(WRITE_HERE.format(what="rà soát, đơn giản hóa TTHC; công khai TTHC"), italic=True),
        Heading("2. Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015", level=2),
        Paragraph(f"{f.agencies_announced}/{f.agencies} cơ quan đã công bố Hệ thống quản lý chất lượng; "
                  + (f"chưa đánh giá nội bộ, xem xét của lãnh đạo hoặc còn sự không phù hợp quá hạn: "
                     f"{', '.join(f.agencies_behind)}." if f.agencies_behind else "các cơ quan đều đúng tiến độ."),
                  indent=True),
        Heading("3. Công tác kiểm tra cải cách hành chính", level=2),
        Paragraph(f"Đã kiểm tra {f.inspected}/{f.units} cơ quan, đơn vị ({_pct(f.inspected, f.units)}); "
                  f"{f.self_inspected}/{f.units} cơ quan, đơn vị đã tự kiểm tra ({_pct(f.self_inspected, f.units)}).",
                  indent=True),
        Paragraph(WRITE_HERE.format(what="cải cách thể chế, tổ chức bộ máy, chế độ công vụ, tài chính công"),
                  italic=True),
        Heading("III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"),
        Paragraph(WRITE_HERE.format(what="tồn tại, hạn chế và nguyên nhân"), italic=True),
        Heading("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"),
        Paragraph(WRITE_HERE.format(what="phương hướng, nhiệm vụ trọng tâm"), italic=True),
        Heading("V. ĐỀ XUẤT, KIẾN NGHỊ"),
        Paragraph(WRITE_HERE.format(what="đề xuất, kiến nghị"), italic=True),
        Signatures((Signature("TM. ỦY BAN NHÂN DÂN", note="(Ký, ghi rõ họ tên, đóng dấu)"),),
                   recipients=("Phòng Nội vụ;", "Lưu: VT.")),
    )
    return render_docx(doc)
