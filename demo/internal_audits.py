"""The demo district's quality work at the end of a simulated year: internal auditors, two audits with
samples, checklists and findings, the corrective-action cases they open (worked through QT-CAPA-01,
one of them needing a second round), and the QĐ 766 scores an officer enters by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from audits import index766, programme
from audits.periods import parse_period
from processes import instances, lookup, organisation
from processes.case_logs import first_seq
from processes.clock import FixedClock
from processes.db import Database
from processes.errors import InvalidInput, NotFound
from processes.keys import VN
from processes.records import late_dossiers, open_steps

AUDITORS = (("cv.tp", "H01.TP"), ("cv.nv", "H01.NV"), ("iso", "H01.VP"))
MANUAL = {"1": (16.5, "Tự chấm theo kết quả công khai TTHC trên Cổng DVC quốc gia"),
          "4": (6.0, "Tự chấm theo số liệu thanh toán trực tuyến của Cổng DVC quốc gia"),
          "6.3": (3.0, "Tự chấm")}


@dataclass
class AuditSummary:
    """What the demo's audit programme produced."""

    plans: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    capa_cases: list[str] = field(default_factory=list)


def _at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=VN).astimezone(dt.UTC)


def run_demo_audits(db: Database, year: int) -> AuditSummary:
    """Plan and carry out the year's internal audits of the demo district; enter the manual QĐ 766 scores.

    Once a year: a demo year finished again (a resumed run, a retried job) finds its audits made."""
    made = programme.list_plans(db, year)
    if made:
        return AuditSummary(plans=[p.code for p in made])
    summary = AuditSummary()
    for username, unit in AUDITORS:
        try:
            organisation.grant(db, username, "danh_gia_vien", unit)
        except NotFound:
            return summary  # not the demo organisation
    clock = FixedClock(_at(year, 10, 20))
    for quarter in range(1, 5):
        for unit in ("H01", "X01"):
            for criterion, (points, note) in MANUAL.items():
                index766.set_manual_score(db, unit, parse_period(f"{year}-Q{quarter}"), criterion,
                                          points - (0.5 if unit == "X01" else 0), "iso", clock, note)
    audits = (("H01.KTHT", ["cv.tp", "iso"], _at(year, 11, 10)), ("X01", ["cv.nv"], _at(year, 11, 17)))
    for unit, team, when in audits:
        clock.set(when)
        try:
            plan = programme.plan_audit(db, unit, str(year), team, "iso", clock,
                                        planned_from=when.astimezone(VN).date(),
                                        planned_to=(when + dt.timedelta(days=4)).astimezone(VN).date())
        except InvalidInput:  # no dossiers of the unit this year: nothing to audit
            continue
        summary.plans.append(plan.code)
        sample = programme.draw_sample(db, plan.id)
        for item in programme.checklist(db, plan.id):
            programme.answer(db, plan.id, item["procedure"], item["item_no"], "conformity", team[0])
        clock.advance(days=1)
        _findings(db, plan, sample, team[0], clock, summary)
        programme.close_plan(db, plan.id)
    _work_capa(db, summary, clock)
    return summary


def _findings(db: Database, plan: programme.Plan, sample: list[str], auditor: str, clock: FixedClock,
              summary: AuditSummary) -> None:
    """A nonconformity (a late dossier of the unit, unapologised if any), an observation and a conformity."""
    with db.read() as conn:
        ids = programme.population(conn, plan)
        late = late_dossiers(conn, ids)
        unapologised = [r for r in late if not r.apologised]
        target = next(iter(unapologised or late), None)
        seq = None
        if target is not None:
            seq = first_seq(conn, target.instance_id, "case_complete")
    if target is not None:
        statement = (f"Hồ sơ {target.code} giải quyết quá hạn "
                     + ("nhưng không có văn bản xin lỗi, hẹn lại ngày trả kết quả." if unapologised else
                        "; bước thẩm định vượt thời hạn quy định trong quy trình."))
        found = programme.record_finding(db, plan.id, "nonconformity", statement, auditor, clock,
                                         clause="8.5.1" if unapologised else "8.1",
                                         procedure=None, evidence=[{"dossier": target.code, "seq": seq}])
        summary.findings.append(found["ref"])
        summary.capa_cases.append(found["capa"])
    if sample:
        found = programme.record_finding(db, plan.id, "observation",
                                         "Một số bước ký duyệt hoàn thành sát thời hạn; nên nhắc việc sớm hơn.",
                                         auditor, clock, clause="9.1.3", evidence=[{"dossier": sample[0]}])
        summary.findings.append(found["ref"])
        found = programme.record_finding(db, plan.id, "conformity",
                                         "Hồ sơ mẫu được tiếp nhận, xử lý và lưu đúng quy trình.", auditor, clock,
                                         clause="8.5.1", evidence=[{"dossier": code} for code in sample[:3]])
        summary.findings.append(found["ref"])


def _work_capa(db: Database, summary: AuditSummary, clock: FixedClock) -> None:
    """Carry each corrective-action case to its end; the first one needs a second round of root causes."""
    answers: dict[str, dict[str, object]] = {
        "Task_GhiNhan": {"muc_do": "nhe", "mo_ta": "Theo phát hiện của đoàn đánh giá nội bộ"},
        "Task_KhacPhuc": {"bien_phap_khac_phuc": "Đã gửi thư xin lỗi, hẹn lại ngày trả kết quả", "ngay_khac_phuc": ""},
        "Task_NguyenNhan": {"nguyen_nhan": "Chưa theo dõi hạn xử lý từng bước", "phuong_phap": "5_tai_sao"},
        "Task_HanhDong": {"hanh_dong": "Bật cảnh báo sắp đến hạn, giao ban hằng tuần",
                          "ket_qua_thuc_hien": "Đã thực hiện từ tháng 12"},
        "Task_DongPhieu": {"cap_nhat_rui_ro": True, "y_kien_lanh_dao": "Đồng ý đóng phiếu"}}
    cases = [f for f in programme.findings(db) if f["capa"] in summary.capa_cases and f["capa_status"] == "running"]
    for index, finding in enumerate(cases):
        responsible = programme.head_of(db, finding["unit"])
        case_id = lookup.find_instance(db, finding["capa"]).id
        rounds = 0
        for _ in range(12):
            with db.read() as conn:
                task = next(iter(open_steps(conn, case_id)), None)
            if task is None:
                break
            clock.advance(days=2)
            data = dict(answers.get(task.element_id, {}))
            if task.element_id == "Task_GhiNhan":
                data["nguoi_chiu_trach_nhiem"] = responsible
            if task.element_id == "Task_KhacPhuc":
                data["ngay_khac_phuc"] = clock.now().astimezone(VN).date().isoformat()
            if task.element_id == "Task_DanhGiaHieuLuc":
                rounds += 1
                data = {"hieu_luc": "chua_hieu_luc" if index == 0 and rounds == 1 else "co_hieu_luc",
                        "nhan_xet": "Kiểm tra hồ sơ phát sinh sau hành động khắc phục"}
            actor = task.assignee or {"Task_GhiNhan": finding["by"], "Task_DanhGiaHieuLuc": "iso",
                                      "Task_DongPhieu": "pct"}[task.element_id]
            instances.complete(db, task.task_uuid, data, actor, clock)
