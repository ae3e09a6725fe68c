"""Conformance on history written by the real engine: QT-XD-01 cases worked through processes/."""

from __future__ import annotations

from audits.casecheck import check_cases
from audits.conformance import ModelCatalog, ProcedureModel, check_log
from audits.deviations import ROLE_NOT_ALLOWED, SKIPPED
from engine.model import read_process
from engine.xml import BPMN_NS, load_xml
from processes import eventlog, instances, organisation, tasks

ACTORS = {"motcua": {"mot_cua@H01.MC"}, "cv.ktht": {"chuyen_vien_ktht@H01.KTHT"},
          "tp.ktht": {"lanh_dao_phong_ktht@H01.KTHT"}, "pct": {"lanh_dao_ubnd@H01"}, "vanthu": {"van_thu@H01.VP"}}
DECISIONS = {"ket_qua_tham_dinh": "dat", "ket_qua_xem_xet": "duyet"}


def _fill(form) -> dict:
    """Form data meeting every constraint: decisions from DECISIONS, plain values otherwise."""
    data = {}
    for f in form.fields if form else ():
        if f.id in DECISIONS:
            data[f.id] = DECISIONS[f.id]
        elif f.type == "enum":
            data[f.id] = f.options[0][0]
        elif f.type == "date":
            data[f.id] = "2026-01-05"
        elif f.type in ("long", "integer"):
            data[f.id] = int(f.constraints.get("min") or 1)
        elif f.type == "boolean":
            data[f.id] = True
        else:
            data[f.id] = "Nội dung đủ dài để hợp lệ"[: int(f.constraints.get("maxlength") or 200)]
    return data


def _run_case(db, clock, steps_info, who: dict[str, str]) -> int:
    moved = instances.start(db, "QT-XD-01", {}, "motcua", clock)
    while True:
        open_tasks = tasks.list_tasks(db, instance_id=moved.instance_id)
        if not open_tasks:
            return moved.instance_id
        task = open_tasks[0]
        clock.advance(hours=2)
        actor = who[task.element_id]
        instances.complete(db, task.id, _fill(steps_info[task.element_id].form), actor, clock)


def test_cases_run_by_the_engine_fit_and_a_tampered_one_does_not(deployed, org, clock, xd01_xml):
    deployment = deployed("QT-XD-01.bpmn")
    process = next(p for p in load_xml(xd01_xml).getroot().iter(f"{{{BPMN_NS}}}process"))
    info, _ = read_process(process, {})
    who = {"Task_TiepNhan": "motcua", "Task_ThamDinh": "cv.ktht", "Task_XemXet": "tp.ktht",
           "Task_KyGiayPhep": "pct", "Task_VaoSoDongDau": "vanthu", "Task_TraKetQua": "motcua"}
    case_ids = [_run_case(org, clock, info.steps, who) for _ in range(2)]
    with org.read() as conn:
        logs = {cid: eventlog.history(conn, cid) for cid in case_ids}
    model = ProcedureModel.from_xml(xd01_xml, version=deployment.version)
    figures, verdicts = check_log(logs, ModelCatalog([model]), ACTORS)
    assert [(v.status, v.fits, v.fitness, v.token_fitness) for v in verdicts] == [("complete", True, 1.0, 1.0)] * 2
    assert figures["QT-XD-01"].share_fitting == 1.0 and figures["QT-XD-01"].log_fitness == 1.0
    # The same history with the signature removed and the registration done by the wrong person.
    tampered = [e for e in logs[case_ids[0]] if e["activity"] != "Task_KyGiayPhep"]
    for e in tampered:
        if e["activity"] == "Task_VaoSoDongDau" and e["lifecycle"] == "complete":
            e["actor"], e["payload"]["held"] = "cv.ktht", ["chuyen_vien_ktht@H01.KTHT"]
    _, verdicts = check_log({"t": tampered}, ModelCatalog([model]), ACTORS)
    assert {(d.kind, d.activity) for d in verdicts[0].deviations} == {
        (SKIPPED, "Task_KyGiayPhep"), (ROLE_NOT_ALLOWED, "Task_VaoSoDongDau")}


def test_a_step_is_judged_by_the_roles_its_actor_held_then_not_by_those_held_now(deployed, org, clock, xd01_xml):
    deployed("QT-XD-01.bpmn")
    process = next(p for p in load_xml(xd01_xml).getroot().iter(f"{{{BPMN_NS}}}process"))
    info, _ = read_process(process, {})
    who = {"Task_TiepNhan": "motcua", "Task_ThamDinh": "cv.ktht", "Task_XemXet": "tp.ktht",
           "Task_KyGiayPhep": "pct", "Task_VaoSoDongDau": "vanthu", "Task_TraKetQua": "motcua"}
    case_id = _run_case(org, clock, info.steps, who)
    # The clerk moves to a specialist's post after the case was closed.
    organisation.revoke(org, "vanthu", "van_thu", "H01.VP")
    organisation.grant(org, "vanthu", "chuyen_vien_tp", "H01.TP")
    _, verdicts = check_cases(org, [case_id])
    assert [(v.status, v.fits, list(v.deviations)) for v in verdicts] == [("complete", True, [])]
