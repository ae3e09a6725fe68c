"""The year's inspections seen from the district (issue 17 item 4): coverage against the target in the rules
file in force (oversight/rules/inspection/, ≥ 60 % inspected, 100 % self-inspecting), and the inspection
minutes (biên bản kiểm tra) as an editable DOCX.

The units counted are those the district inspects: its departments (directly under the top agency) and the
commune-level agencies. A unit counts as inspected / self-inspected when such an inspection of it is done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from documents.layout import (
    Column,
    Document,
    Fields,
    Header,
    Heading,
    Paragraph,
    Signature,
    Signatures,
    Table,
    Title,
)
from documents.word import render_docx
from processes import cchc_plan, inspections, organisation
from processes.db import Database

from .rules_files import rules_for

CONTENT_NAMES = {"cchc": "công tác cải cách hành chính", "iso": "áp dụng, duy trì Hệ thống quản lý chất lượng "
                 "theo TCVN ISO 9001:2015"}
KIND_NAMES = {"observation": "Khuyến nghị", "nonconformity": "Không phù hợp"}


@dataclass(frozen=True)
class Coverage:
    """How much of the district was inspected and self-inspected in a year, against the targets."""

    year: int
    units: list[str]
    inspected: list[str]
    self_inspected: list[str]
    planned: list[str]
    rate: float
    self_rate: float
    target: float
    self_target: float
    rules_file: str

    @property
    def met(self) -> bool:
        return self.rate >= self.target and self.self_rate >= self.self_target


def inspected_units(db: Database) -> list[str]:
    """The units the district inspects: its departments and the commune-level agencies, by code."""
    units = cchc_plan.directory(db).units
    if not units:
        return []
    top = min(units, key=lambda u: u.depth)
    return [u.code for u in units if u.code != top.code
            and ((u.kind == "department" and u.depth == top.depth + 1) or u.path == u.agency_path)]


def coverage(db: Database, year: int) -> Coverage:
    """Coverage of `year` by the rules in force on its first day."""
    rules = rules_for("inspection", dt.date(year, 1, 1))
    units = inspected_units(db)
    done = [i for i in inspections.list_inspections(db, year) if i.status == "done"]
    inspected = sorted({i.unit for i in done if i.kind == "inspection"} & set(units))
    self_done = sorted({i.unit for i in done if i.kind == "self"} & set(units))
    planned = sorted({i.unit for i in inspections.list_inspections(db, year) if i.kind == "inspection"}
                     & set(units))
    total = len(units) or 1
    return Coverage(year, units, inspected, self_done, planned, len(inspected) / total, len(self_done) / total,
                    float(rules["coverage_target"]), float(rules["self_inspection_target"]), rules["file"])


def _date(day: dt.date | None) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" if day else "ngày … tháng … năm …"


def minutes_docx(db: Database, code: str) -> bytes:
    """The biên bản kiểm tra of inspection `code`: who, where, what was checked, findings, conclusion.

    The passages the team writes on the day (their remarks, the unit's opinion) are left as lines to fill in;
    the DOCX is editable.
    """
    found = inspections.get(db, code)
    findings = inspections.findings_of(db, code)
    with db.read() as conn:
        agency = organisation.top_agency_name(conn)
    content = "; ".join(CONTENT_NAMES[c] for c in found.content)
    team = tuple((f"{i}. {member}", "Trưởng đoàn" if i == 1 else "Thành viên")
                 for i, member in enumerate(found.team, start=1))
    doc = Document(f"Biên bản kiểm tra {found.code}", subject="Biên bản kiểm tra công tác CCHC")
    doc.add(
        Header(agency_lines=(agency.upper(), "ĐOÀN KIỂM TRA"), number=f"Số: {found.code}/BB-ĐKT",
               place_date=f"…, {_date(found.done_on)}"),
        Title("BIÊN BẢN KIỂM TRA", (f"Về {content}",)),
        Paragraph(f"Thực hiện Kế hoạch kiểm tra cải cách hành chính năm {found.year}, "
                  f"{_date(found.done_on or found.planned_from)}, Đoàn kiểm tra tiến hành kiểm tra tại "
                  f"{found.unit_name}." if found.kind == "inspection" else
                  f"{found.unit_name} tự kiểm tra {content} năm {found.year}.", indent=True),
        Heading("I. THÀNH PHẦN"),
        Fields(team or (("", ""),)),
        Paragraph(f"Đại diện {found.unit_name}: …………………………………………", indent=True),
        Heading("II. NỘI DUNG KIỂM TRA"),
        Paragraph(f"Kiểm tra {content}; thời gian theo kế hoạch: từ {found.planned_from:%d/%m/%Y} "
                  f"đến {found.planned_to:%d/%m/%Y}.", indent=True),
        Heading("III. KẾT QUẢ KIỂM TRA"),
    )
    if findings:
        doc.add(Table((Column("STT", 0.4, "C"), Column("Phát hiện", 3.2), Column("Loại", 1.0),
                       Column("Phiếu khắc phục", 1.2)),
                      tuple((str(i), f.statement, KIND_NAMES[f.kind], f.capa or "")
                            for i, f in enumerate(findings, start=1))))
    else:
        doc.add(Paragraph("Không có phát hiện.", indent=True))
    doc.add(
        Heading("IV. KẾT LUẬN, KIẾN NGHỊ"),
        Paragraph(found.conclusion or "…………………………………………………………………………", indent=True),
        Heading("V. Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA"),
        Paragraph("…………………………………………………………………………", indent=True),
        Paragraph("Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.", italic=True),
        Signatures((Signature(f"ĐẠI DIỆN {found.unit_name.upper()}"), Signature("TRƯỞNG ĐOÀN KIỂM TRA",
                                                                               name=found.team[0]))),
    )
    return render_docx(doc)
