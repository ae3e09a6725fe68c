"""Closed cases' conformance verdicts are computed once, kept in case_conformance and read back (issue 14 item 6)."""

from __future__ import annotations

from sqlalchemy import func, select

from audits import casecheck, stored_conformance
from audits.casecheck import check_cases
from engine.model import read_process
from engine.xml import BPMN_NS, load_xml
from processes import instances
from processes.audit_schema import case_conformance
from tests.audits.test_conformance_engine import _run_case

WHO = {"Task_TiepNhan": "motcua", "Task_ThamDinh": "cv.ktht", "Task_XemXet": "tp.ktht",
       "Task_KyGiayPhep": "pct", "Task_VaoSoDongDau": "vanthu", "Task_TraKetQua": "motcua"}


def _logs_read(monkeypatch) -> list[int]:
    """Case ids whose event logs check_cases reads from now on."""
    read: list[int] = []
    real = casecheck.iter_case_logs

    def spy(conn, case_ids=None, *args, **kwargs):
        read.extend(case_ids or [])
        return real(conn, case_ids, *args, **kwargs)
    monkeypatch.setattr(casecheck, "iter_case_logs", spy)
    return read


def test_a_closed_case_is_checked_once_and_again_only_when_its_model_changes(deployed, org, clock, xd01_xml,
                                                                             monkeypatch):
    deployed("QT-XD-01.bpmn")
    info, _ = read_process(next(load_xml(xd01_xml).getroot().iter(f"{{{BPMN_NS}}}process")), {})
    done = _run_case(org, clock, info.steps, WHO)
    running = instances.start(org, "QT-XD-01", {}, "motcua", clock).instance_id
    fresh_figures, fresh = check_cases(org, [done, running], stored=False)

    read = _logs_read(monkeypatch)
    figures, verdicts = check_cases(org, [done, running])
    assert sorted(read) == [done, running]
    with org.read() as conn:  # only the closed case is kept: a running one may still change
        assert conn.execute(select(case_conformance.c.case_id)).scalars().all() == [done]

    read.clear()
    again_figures, again = check_cases(org, [done, running])
    assert read == [running]  # the closed case's log is not read again
    assert again == verdicts == fresh
    assert again_figures == figures == fresh_figures

    monkeypatch.setattr(stored_conformance, "CHECKER", "changed")  # the model as checked is no longer the same
    read.clear()
    _, changed = check_cases(org, [done, running])
    assert sorted(read) == [done, running] and changed == fresh
    with org.read() as conn:
        assert conn.execute(select(func.count()).select_from(case_conformance)).scalar() == 1
