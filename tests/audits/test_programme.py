"""The internal audit programme: independent auditors, reproducible samples, checklists, findings with evidence,
and the corrective-action procedure QT-CAPA-01 a nonconformity starts (looping until effective, escalating)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from audits import programme
from processes import instances, organisation
from processes.errors import InvalidInput, PermissionDenied
from processes.schema import events, human_tasks
from processes.sweep import run_sweep
from tests.uow_helpers import Injected, leaves_no_trace

APPLICANT = {"ten_nguoi_nop": "Nguyễn Văn An", "so_giay_to": "001203004567", "kenh_nop": "truc_tiep"}


@pytest.fixture
def audited(org, deployed, clock):
    """The demo district with 14 building-permit dossiers received, and three internal auditors."""
    for name in ("QT-XD-01.bpmn", "QT-CT-01.bpmn", "QT-CAPA-01.bpmn"):
        deployed(name)
    for user, unit in (("cv.tp", "H01.TP"), ("cv.ktht", "H01.KTHT"), ("pct", "H01"), ("iso", "H01.VP")):
        organisation.grant(org, user, "danh_gia_vien", unit)
    codes = []
    for _ in range(14):
        clock.advance(minutes=20)
        codes.append(instances.start(org, "QT-XD-01", APPLICANT, "motcua", clock).business_key)
    return codes


def test_auditors_may_not_audit_their_own_line(org, audited, clock):
    with pytest.raises(programme.NotIndependent, match="cv.ktht may not audit H01.KTHT"):
        programme.plan_audit(org, "H01.KTHT", "2026", ["cv.ktht"], "iso", clock)
    with pytest.raises(programme.NotIndependent, match="pct may not audit H01.KTHT"):
        programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp", "pct"], "iso", clock)
    with pytest.raises(programme.NotIndependent, match="cv.tp may not audit H01"):
        programme.plan_audit(org, "H01", "2026", ["cv.tp"], "iso", clock)
    with pytest.raises(InvalidInput, match="not an internal auditor"):
        programme.plan_audit(org, "H01.KTHT", "2026", ["motcua"], "iso", clock)
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp", "iso"], "iso", clock)
    assert plan.team == [("cv.tp", "lead"), ("iso", "member")] and plan.procedures == ["QT-XD-01"]


@pytest.mark.parametrize(("population", "size"), [(0, 0), (3, 3), (5, 5), (6, 5), (14, 5), (50, 9), (400, 21),
                                                   (10_000, 30)])
def test_sample_size_rule(population, size):
    assert programme.sample_size(population) == size


def test_the_sample_is_drawn_once_and_reproducibly(org, audited, clock):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock)
    first = programme.draw_sample(org, plan.id)
    assert first == programme.draw_sample(org, plan.code) and len(first) == 5
    with org.read() as conn:
        population = programme.population(conn, plan)
    again = random.Random(f"{plan.seed}:{plan.code}").sample(population, programme.sample_size(len(population)))
    codes = {i: c for i, c in zip(population, audited, strict=True)}
    assert sorted(codes[i] for i in again) == sorted(first)
    other = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock, seed=plan.seed)
    assert other.seed == plan.seed and set(programme.draw_sample(org, other.id)) <= set(audited)


def test_the_checklist_follows_the_procedure(org, audited, clock):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock)
    items = programme.checklist(org, plan.id)
    steps = {i["element_id"] for i in items if i["element_id"]}
    assert {"Task_TiepNhan", "Task_ThamDinh", "Task_KyGiayPhep", "Task_TraKetQua"} <= steps
    assert {"4.4", "7.5.3", "8.5.1", "8.7", "9.1.2", "10.2"} <= {i["clause"] for i in items}
    assert [i["item_no"] for i in items] == list(range(1, len(items) + 1))
    programme.answer(org, plan.id, "QT-XD-01", 1, "conformity", "cv.tp")
    with pytest.raises(PermissionDenied):
        programme.answer(org, plan.id, "QT-XD-01", 2, "conformity", "cv.ktht")


def test_evidence_links_are_checked(org, audited, clock):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock)
    with pytest.raises(InvalidInput, match="no dossier"):
        programme.record_finding(org, plan.id, "observation", "Thiếu chữ ký", "cv.tp", clock,
                                 evidence=[{"dossier": "H01-000000-9999"}])
    with pytest.raises(InvalidInput, match="has no event 999"):
        programme.record_finding(org, plan.id, "observation", "Thiếu chữ ký", "cv.tp", clock,
                                 evidence=[{"dossier": audited[0], "seq": 999}])
    with pytest.raises(PermissionDenied, match="not on the team"):
        programme.record_finding(org, plan.id, "observation", "Thiếu chữ ký", "iso", clock)
    made = programme.record_finding(org, plan.id, "observation", "Bước thẩm định sát hạn", "cv.tp", clock,
                                    clause="9.1.3", evidence=[{"dossier": audited[0], "seq": 1}])
    assert made["capa"] is None and made["evidence"][0]["lifecycle"] == "case_start"


def test_evidence_lies_in_the_plans_scope_or_nothing_is_stored(org, audited, clock):
    """ISO 19011 6.4.7: evidence lies in the audit's scope — the plan's procedures, its unit's dossiers, its period."""
    plan = programme.plan_audit(org, "H01.KTHT", "2026-Q1", ["cv.tp"], "iso", clock, ["QT-XD-01"])
    later = programme.plan_audit(org, "H01.KTHT", "2026-Q2", ["cv.tp"], "iso", clock, ["QT-XD-01"])
    other = programme.plan_audit(org, "H01.KTHT", "2026-Q1", ["cv.tp"], "iso", clock, ["QT-CT-01"])
    for wrong, ref, code in ((plan, "H01-000000-9999", "evidence_dossier_not_found"),
                             (later, audited[0], "evidence_out_of_scope"),
                             (other, audited[0], "evidence_out_of_scope"),
                             (plan, f"{audited[0]}:999", "evidence_event_not_found"),
                             (plan, f"{audited[0]}:bốn", "evidence_event_not_found")):
        dossier, _, seq = ref.partition(":")
        with pytest.raises(InvalidInput) as refused:
            programme.answer(org, wrong.id, wrong.procedures[0], 1, "conformity", "cv.tp", "ghi chú",
                             [{"dossier": dossier, "seq": seq or None}])
        assert refused.value.code == code, ref
        assert programme.checklist(org, wrong.id)[0]["answer"] is None  # nothing stored
        assert programme.get_plan(org, wrong.id).status == "planned"
    with pytest.raises(InvalidInput, match="outside the scope of DGNB-2026-02"):
        programme.record_finding(org, later.id, "observation", "Thiếu chữ ký", "cv.tp", clock,
                                 evidence=[{"dossier": audited[1]}])
    assert programme.findings(org, plan_id=later.id) == []
    programme.answer(org, plan.id, "QT-XD-01", 1, "conformity", "cv.tp", "Đúng phiên bản",
                     [{"dossier": audited[0], "seq": 1}, {"dossier": audited[1]}])
    linked = programme.checklist(org, plan.id)[0]["evidence"]
    assert [e["dossier"] for e in linked] == audited[:2] and linked[0]["seq"] == 1
    assert linked[0]["lifecycle"] == "case_start" and linked[0]["activity_name"] and linked[0]["at"]


def _open(db, case_id):
    with db.read() as conn:
        return conn.execute(select(human_tasks).where(human_tasks.c.instance_id == case_id,
                                                      human_tasks.c.state.in_(("ready", "claimed")))).first()


def test_a_nonconformity_runs_the_corrective_action_procedure_to_closure(org, audited, clock):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock)
    made = programme.record_finding(org, plan.id, "nonconformity", "Hồ sơ quá hạn không có thư xin lỗi", "cv.tp",
                                    clock, clause="8.5.1", evidence=[{"dossier": audited[2]}])
    case = made["capa_instance_id"]
    steps = []
    answers = {"Task_GhiNhan": {"mo_ta": "Hồ sơ quá hạn không có thư xin lỗi", "muc_do": "nhe",
                                "nguoi_chiu_trach_nhiem": "tp.ktht"},
               "Task_KhacPhuc": {"bien_phap_khac_phuc": "Đã gửi thư xin lỗi", "ngay_khac_phuc": "2026-01-07"},
               "Task_NguyenNhan": {"nguyen_nhan": "Không theo dõi hạn", "phuong_phap": "5_tai_sao"},
               "Task_HanhDong": {"hanh_dong": "Nhắc việc tự động", "ket_qua_thuc_hien": "Đã làm"},
               "Task_DongPhieu": {"cap_nhat_rui_ro": True}}
    who = {"Task_GhiNhan": "cv.tp", "Task_DanhGiaHieuLuc": "iso", "Task_DongPhieu": "pct"}
    while (task := _open(org, case)) is not None:
        steps.append(task.element_id)
        data = answers.get(task.element_id) or {"hieu_luc": "chua_hieu_luc" if steps.count(task.element_id) == 1
                                                else "co_hieu_luc", "nhan_xet": "Còn hồ sơ quá hạn"}
        actor = who.get(task.element_id) or task.assignee
        if task.assignee:
            assert task.assignee == "tp.ktht"
            with pytest.raises(PermissionDenied):
                instances.complete(org, task.task_uuid, data, "tp.nv", clock)
        clock.advance(hours=3)
        instances.complete(org, task.task_uuid, data, actor, clock)
    assert steps == ["Task_GhiNhan", "Task_KhacPhuc", "Task_NguyenNhan", "Task_HanhDong", "Task_DanhGiaHieuLuc",
                     "Task_NguyenNhan", "Task_HanhDong", "Task_DanhGiaHieuLuc", "Task_DongPhieu"]
    [finding] = programme.findings(org, plan_id=plan.id)
    assert finding["capa"] == made["capa"] and finding["capa_status"] == "completed"


def test_an_overdue_corrective_action_escalates_like_any_step(org, audited, clock):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock)
    made = programme.record_finding(org, plan.id, "nonconformity", "Sai lệch quy trình", "cv.tp", clock)
    task = _open(org, made["capa_instance_id"])
    assert task.due_at is not None and task.element_id == "Task_GhiNhan"
    clock.set(task.due_at)
    clock.advance(days=5)
    run_sweep(org, clock)
    with org.read() as conn:
        lifecycles = {r.lifecycle for r in conn.execute(select(events.c.lifecycle).where(
            events.c.case_id == made["capa_instance_id"]))}
    assert {"sla_overdue", "sla_escalated"} <= lifecycles


LATE = "Hồ sơ quá hạn không có thư xin lỗi"


def test_a_finding_and_its_corrective_action_case_are_one_unit_of_work(org, audited, clock, monkeypatch):
    plan = programme.plan_audit(org, "H01.KTHT", "2026", ["cv.tp"], "iso", clock)
    real_update = programme.update

    def plan_update_fails(table):  # the last write: the plan goes in progress
        if table is programme.audit_plans:
            raise Injected("injected failure at the last step")
        return real_update(table)

    leaves_no_trace(org, monkeypatch, programme, "update",
                    lambda: programme.record_finding(org, plan.id, "nonconformity", LATE, "cv.tp", clock),
                    plan_update_fails)
    made = programme.record_finding(org, plan.id, "nonconformity", LATE, "cv.tp", clock)
    assert made["ref"].endswith("/01") and made["capa"] is not None
