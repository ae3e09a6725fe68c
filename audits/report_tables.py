"""The report's sections as plain tables of text, drawn the same way in HTML, PDF and XLSX.

Parts: "audit" (the annual internal-audit report), "review" (the management-review pack, ISO 9001:2015
9.3.2 inputs a–f) and "cchc" (the quarterly administrative-reform figures per unit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from processes.keys import VN
from processes.statuses import InstanceStatus

from .report_data import HEADLINE_LABELS, AnnualReport
from .unsigned_results import unsigned_section

KIND_LABELS = {"conformity": "Phù hợp", "observation": "Khuyến nghị (quan sát)", "nonconformity": "Không phù hợp"}
DEVIATION_LABELS = {"skipped": "bỏ qua bước", "out_of_order": "sai thứ tự", "repeated": "lặp lại",
                    "unexpected": "bước không có trong quy trình", "role_not_allowed": "sai người thực hiện"}


def _case_status(value: str | None) -> str:
    """A CAPA case's status by the enum's one label (the value itself if it is not one)."""
    if value is None:
        return ""
    try:
        return InstanceStatus(value).label
    except ValueError:
        return value


@dataclass
class TableSpec:
    """A table: column headers and rows of text."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...] = ()


@dataclass
class Section:
    """A numbered section of the report."""

    part: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)
    pictures: list[str] = field(default_factory=list)  # procedure codes whose picture goes here


def pct(value: float | None) -> str:
    """A share as a Vietnamese percentage (comma decimal), '–' without data."""
    return "–" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def num(value: float | int | None, digits: int = 1) -> str:
    """A number with a comma decimal, '–' for None."""
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}".replace(".", ",")


def day(value: dt.date | dt.datetime | None) -> str:
    """A date (or instant, in Vietnam time) as dd/mm/yyyy."""
    if value is None:
        return ""
    return (value.astimezone(VN) if hasattr(value, "astimezone") and hasattr(value, "hour") else value).strftime(
        "%d/%m/%Y")


def _counts_rows(items, names: dict[str, str] | None) -> list[tuple[str, ...]]:
    return [(key, *((names.get(key, ""),) if names is not None else ()), str(c.resolved), str(c.early),
             str(c.on_time), str(c.late), pct(c.in_time_rate)) for key, c in items]


# The six groups of QĐ 766/QĐ-TTg, for a table with no unit to take them from.
GROUP_NAMES = {"1": "Công khai, minh bạch", "2": "Tiến độ giải quyết", "3": "Dịch vụ công trực tuyến",
               "4": "Thanh toán trực tuyến", "5": "Mức độ hài lòng", "6": "Số hóa hồ sơ"}
COUNT_COLUMNS = ("Mã", "Tên", "Đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn", "Tỷ lệ đúng hạn")


def _anchor_text(r: AnnualReport) -> str:
    """Where tamper evidence stands: the latest checkpoint signed outside the database (issue 12, defect 10)."""
    a = r.anchor
    if a is None:
        return ("Nhật ký chưa được neo ra ngoài cơ sở dữ liệu (chưa có mốc ký số nào: quytrinh log anchor); "
                "chuỗi băm chỉ chứng minh tính toàn vẹn với người không có quyền ghi vào cơ sở dữ liệu.")
    return (f"Mốc neo nhật ký gần nhất: {day(a.made_at)} lúc {a.made_at.astimezone(VN):%H:%M}, ký bằng khóa "
            f"{a.key_id}, gồm {a.chains} chuỗi; kiểm tra bằng quytrinh verify-log --anchors.")


def sections(r: AnnualReport) -> list[Section]:
    """Every section of the report, in order."""
    sla, h = r.sla, r.headline
    out = [Section("audit", "1. Phạm vi, căn cứ đánh giá", [
        f"Đơn vị: {r.agency}. Kỳ đánh giá: năm {r.year} (từ 01/01/{r.year} đến 31/12/{r.year}).",
        "Chuẩn mực: TCVN ISO 9001:2015; Quyết định 19/2014/QĐ-TTg; Nghị định 61/2018/NĐ-CP; Quyết định 766/QĐ-TTg.",
        "Số liệu lấy từ nhật ký sự kiện của quytrinh (chuỗi băm kiểm tra được); hồ sơ tính theo ngày tiếp nhận, kết "
        "quả giải quyết tính theo ngày trả lời, thời gian tính theo giờ làm việc.", _anchor_text(r)])]
    out.append(Section("audit", "2. Kết quả tiếp nhận, giải quyết hồ sơ thủ tục hành chính", tables=[TableSpec(
        ("Chỉ tiêu", "Số lượng"), [(HEADLINE_LABELS[k], str(v)) for k, v in h.items()], (4, 1))]))
    if sla is not None:
        out.append(Section("audit", "3. Giải quyết hồ sơ theo quy trình", tables=[
            TableSpec(COUNT_COLUMNS, _counts_rows(sorted(sla.by_procedure.items()), r.names),
                      (1.2, 3, 1, 1, 1, 1, 1))]))
        out.append(Section("audit", "4. Theo đơn vị và theo tháng", tables=[
            TableSpec(COUNT_COLUMNS, _counts_rows(sorted(sla.by_unit.items()), r.names), (1.2, 3, 1, 1, 1, 1, 1)),
            TableSpec(("Tháng", *COUNT_COLUMNS[2:]), _counts_rows(sla.by_month.items(), None), (1.2, 1, 1, 1, 1, 1)),
            TableSpec(("Phòng/bộ phận", "Tên (bước do cán bộ của phòng thực hiện)", *COUNT_COLUMNS[2:]),
                      _counts_rows(sorted(sla.by_department.items()), r.names), (1.2, 3, 1, 1, 1, 1, 1))]))
        out.append(Section("audit", "5. Thời gian thực hiện từng bước so với thời hạn (giờ làm việc)", tables=[
            TableSpec(("Quy trình", "Bước", "Thời hạn", "Số lần", "Trung vị", "Phân vị 90", "Quá hạn"),
                      [(s.procedure, s.name, num(s.limit_hours), str(s.counts.resolved), num(s.median_hours),
                        num(s.p90_hours), str(s.counts.late)) for s in sla.steps], (1.3, 3.5, 1, 0.9, 1, 1, 0.9))]))
        out.append(Section("audit", "6. Các bước gây quá hạn", [
            "Bước vượt thời hạn trong những hồ sơ giải quyết quá hạn, nhiều nhất trước."] if sla.causes else
            ["Không có hồ sơ quá hạn do vượt thời hạn của bước."], tables=[TableSpec(
                ("Quy trình", "Bước", "Hồ sơ quá hạn", "Tổng giờ vượt"),
                [(s.procedure, s.name, str(s.late_in_late_dossiers), num(s.overrun_hours)) for s in sla.causes],
                (1.3, 4, 1.2, 1.2))] if sla.causes else []))
        out.append(Section("audit", "7. Hồ sơ quá hạn không có văn bản xin lỗi (sự không phù hợp)", [
            f"{len(sla.late_without_apology)} hồ sơ: " + (", ".join(sla.late_without_apology) or "không có") + "."]))
    conf_rows: list[tuple[str, ...]] = []
    for code, c in sorted(r.conformance.items()):
        top = "; ".join(f"{d.name}: {DEVIATION_LABELS.get(d.kind, d.kind)} ×{d.count} "
                        f"({', '.join(r.case_codes.get(x, str(x)) for x in d.examples)})" for d in c.deviations[:3])
        conf_rows.append((code, str(c.cases), str(c.fitting), pct(c.share_fitting), num(c.log_fitness, 3),
                          num(c.alignment_fitness, 3), top or "không có"))
    out.append(Section("audit", "8. Tuân thủ quy trình (so khớp nhật ký với sơ đồ quy trình)", [
        "Mỗi hồ sơ được so khớp với phiên bản quy trình đã áp dụng; độ khớp 1,000 là thực hiện đúng hoàn toàn. "
        "Độ khớp khi chạy lại: chạy lại hồ sơ trên sơ đồ, đếm các dấu hiệu thiếu và thừa. Độ khớp theo đối chiếu "
        "từng bước: 1 trừ tỉ lệ bước làm sai (bỏ qua, thừa, sai thứ tự) trên số bước tối đa có thể sai."], [TableSpec(
            ("Quy trình", "Hồ sơ", "Đúng quy trình", "Tỷ lệ", "Độ khớp khi chạy lại",
             "Độ khớp theo đối chiếu từng bước", "Sai lệch thường gặp (ví dụ)"), conf_rows,
            (1.2, 0.8, 1, 0.9, 0.9, 1.1, 3.6))]))
    out.append(Section("audit", "9. Sơ đồ quy trình thực tế", [
        "Màu bước đậm theo số lần thực hiện; dưới tên bước: số lần (n), thời gian trung vị (TV), số lần quá hạn; "
        "bước có sai lệch tô đỏ."], pictures=[p.code for p in r.pictures]))
    plan_rows: list[tuple[str, ...]] = []
    for item in r.plans:
        p, answers = item["plan"], [c["answer"] for c in item["checklist"]]
        plan_rows.append((p.code, r.names.get(p.unit, p.unit), ", ".join(p.procedures), ", ".join(u for u, _ in p.team),
                          f"{day(p.planned_from)}–{day(p.planned_to)}", str(len(item["sample"])),
                          f"{answers.count('conformity')}/{len(answers)}"))
    out.append(Section("audit", "10. Chương trình đánh giá nội bộ", tables=[TableSpec(
        ("Mã", "Đơn vị", "Quy trình", "Chuyên gia", "Thời gian", "Hồ sơ mẫu", "Phù hợp/câu hỏi"), plan_rows,
        (1.3, 1, 1.5, 1.5, 1.6, 0.8, 1))]))
    out.append(Section("audit", "11. Các phát hiện", tables=[TableSpec(
        ("Số", "Loại", "Điều khoản", "Nội dung", "Bằng chứng", "Hành động khắc phục"), _finding_rows(r.findings),
        (1.3, 1.2, 0.8, 3.5, 2, 1.6))]))
    paragraphs, columns, rows = unsigned_section(r.unsigned_results)
    out.append(Section("audit", "12. Kết quả giải quyết điện tử chưa có chữ ký số hợp lệ", paragraphs,
                       [TableSpec(columns, rows, (1.3, 4, 1))] if rows else []))
    out.extend(review_sections(r))
    out.append(Section("cchc", "C. Số liệu báo cáo cải cách hành chính theo quý", tables=[TableSpec(
        ("Quý", "Đơn vị", "Tiếp nhận", "Trực tuyến", "Đã giải quyết", "Đúng hạn", "Quá hạn", "Số hóa", "Hài lòng"),
        [(c["quarter"], c["unit_name"] or c["unit"], str(c["received"]), str(c["online"]), str(c["resolved"]),
          str(c["in_time"]), str(c["late"]), str(c["digitised"]), pct(c["satisfied_share"])) for c in r.cchc],
        (1, 0.8, 1, 1, 1, 1, 0.8, 0.8, 0.9))]))
    return out


def _finding_rows(findings: list[dict]) -> list[tuple[str, ...]]:
    return [(f["ref"], KIND_LABELS.get(f["kind"], f["kind"]), f["clause"], f["statement"],
             ", ".join(e["dossier"] + (f" #{e['seq']}" if e.get("seq") else "") for e in f["evidence"]),
             f"{f['capa']} ({_case_status(f['capa_status'])})" if f["capa"] else "")
            for f in findings]


def review_sections(r: AnnualReport) -> list[Section]:
    """The management-review inputs (ISO 9001:2015 9.3.2)."""
    h = r.headline
    satisfied = h["satisfied"] / h["ratings"] if h["ratings"] else None
    out = [Section("review", "B.a) Tình trạng các hành động từ lần xem xét trước", [
        "Các phát hiện của những năm trước và hành động khắc phục tương ứng."] if r.previous_findings else
        ["Chưa có phát hiện nào của kỳ trước được ghi nhận trong hệ thống."],
        [TableSpec(("Số", "Loại", "Điều khoản", "Nội dung", "Bằng chứng", "Hành động khắc phục"),
                   _finding_rows(r.previous_findings), (1.3, 1.2, 0.8, 3.5, 2, 1.6))] if r.previous_findings else [])]
    out.append(Section("review", "B.b) Thay đổi của các vấn đề bên ngoài và nội bộ", [
        "Do Thư ký ISO bổ sung trước cuộc họp xem xét (văn bản pháp luật mới, thay đổi tổ chức, nhân sự)."]))
    out.append(Section("review", "B.c1) Sự hài lòng của người dân", [
        f"{h['ratings']} lượt đánh giá; {h['satisfied']} lượt hài lòng, rất hài lòng ({pct(satisfied)})."]))
    out.append(Section("review", "B.c2) Mức độ đạt mục tiêu chất lượng", tables=[TableSpec(
        ("Mã", "Mục tiêu", "Kết quả", "Đánh giá"),
        [(o["code"], o["text"], pct(o["value"]), "–" if o["met"] is None else ("Đạt" if o["met"] else "Không đạt"))
         for o in r.objectives], (0.7, 5, 1, 1))]))
    in_time = (h["early"] + h["on_time"]) / h["resolved"] if h["resolved"] else None
    fits = [c for c in r.conformance.values()]
    share = sum(c.fitting for c in fits) / sum(c.cases for c in fits) if fits and sum(c.cases for c in fits) else None
    out.append(Section("review", "B.c3) Kết quả thực hiện các quá trình và sự phù hợp", [
        f"Hồ sơ giải quyết trước hạn và đúng hạn: {pct(in_time)}; hồ sơ thực hiện đúng quy trình: {pct(share)} "
        f"(chi tiết tại mục 3–9)."]))
    out.append(Section("review", "B.c4) Sự không phù hợp và hành động khắc phục", tables=[TableSpec(
        ("Hồ sơ khắc phục", "Mở ngày", "Đóng ngày", "Tình trạng", "Bước hiện tại"),
        [(c["case"], day(c["opened"]), day(c["closed"]), _case_status(c["status"]), c["step"])
         for c in r.capa], (1.6, 1, 1, 1.2, 3))]))
    rows, groups = [], GROUP_NAMES
    for quarter, units in r.index766.items():
        for u in units:
            groups = u.group_names or groups
            rows.append((quarter, u.unit_name or r.names.get(u.unit, u.unit),
                         *(num(u.groups.get(g)) for g in groups), num(u.total), u.grade))
    out.append(Section("review", "B.c5) Kết quả theo dõi, đo lường: Bộ chỉ số theo Quyết định 766/QĐ-TTg", [
        "Nhóm 2, 3, 5 và 6 (trừ 6.3) tính từ dữ liệu của quytrinh; nhóm 1, 4 và tiêu chí 6.3 do đơn vị nhập theo "
        "từng quý. Cách chia nhóm thành tiêu chí và ngưỡng chấm điểm là giả định của đơn vị, áp dụng từ ngày "
        "23/6/2022 (ngày ban hành Quyết định)."], [TableSpec(
            ("Quý", "Đơn vị", *(f"{g}. {name}" for g, name in groups.items()), "Tổng", "Xếp loại"),
            rows, (0.9, 1.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.7, 1))]))
    done = sum(1 for f in r.findings if f["kind"] == "nonconformity")
    out.append(Section("review", "B.c6) Kết quả đánh giá nội bộ", [
        f"{len(r.plans)} cuộc đánh giá; {len(r.findings)} phát hiện, trong đó {done} điểm không phù hợp "
        "(chi tiết tại mục 10–11)."]))
    causes = r.sla.causes[:5] if r.sla else []
    out.append(Section("review", "B.f) Cơ hội cải tiến", [
        f"Bước «{s.name}» ({s.procedure}) làm {s.late_in_late_dossiers} hồ sơ quá hạn; xem xét phân bổ lại thời "
        f"hạn hoặc nhân lực (trung vị {num(s.median_hours)} giờ, hạn {num(s.limit_hours)} giờ)." for s in causes]
        or ["Không có bước nào gây quá hạn trong năm."]))
    return out
