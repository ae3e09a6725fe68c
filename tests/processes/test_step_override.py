"""Issue 13 item 12: a leader moves a case past a step — handled outside the system, or passed over — with a
reason, recorded in the hash-chained log with who and why; refusals store nothing; conformance reports it."""

from __future__ import annotations

import pytest

from audits.casecheck import check_cases
from audits.deviations import SKIPPED
from processes import step_override, timeline
from processes.errors import InvalidInput, PermissionDenied

from .conftest import RECEIVE, dump_all, history, single_task, start_case, task_rows, verify, work

REASON = "Mất kết nối mạng, lãnh đạo phòng thẩm định trên hồ sơ giấy ngày 05/01"


def test_a_step_handled_outside_the_system_moves_the_case_and_shows_as_a_deviation(proc, clock):
    case = start_case(proc, clock).instance_id
    work(proc, clock, "motcua", RECEIVE, case)
    appraisal = single_task(proc, "cv.ktht", case)
    done = step_override.override(proc, appraisal.id, step_override.OUTSIDE, f"  {REASON} ", "pct", clock,
                                  {"ket_qua": "dat", "y_kien": "Đạt (trên giấy)"})
    assert done.step == "Thẩm định hồ sơ" and [s.element_id for s in done.moved.opened] == ["Task_PheDuyet"]
    row = next(r for r in task_rows(proc, case) if r.task_uuid == appraisal.id)
    assert (row.state, row.completed_by) == ("completed", "pct")
    event = next(e for e in history(proc, case) if e["lifecycle"] == "step_outside")
    assert (event["activity"], event["actor"], event["payload"]["reason"]) == ("Task_ThamDinh", "pct", REASON)
    assert event["payload"]["data"] == {"ket_qua": "dat", "y_kien": "Đạt (trên giấy)"}
    assert verify(proc, case) == []  # chained like every other event
    shown = next(e for e in timeline.timeline(proc, case) if e.lifecycle == "step_outside")
    assert shown.details["reason"] == REASON and shown.actor_name and ("Kết quả thẩm định", "Đạt") in \
        [(a.label, a.text) for a in shown.answers]
    work(proc, clock, "tp.ktht", {"quyet_dinh": "duyet"}, case)
    _, verdicts = check_cases(proc, [case], stored=False)
    assert [(d.kind, d.activity) for d in verdicts[0].deviations] == [(SKIPPED, "Task_ThamDinh")]


def test_a_step_passed_over_needs_what_the_next_gateway_reads(proc, clock):
    case = start_case(proc, clock).instance_id
    work(proc, clock, "motcua", RECEIVE, case)
    work(proc, clock, "cv.ktht", {"ket_qua": "dat"}, case)
    approval = single_task(proc, "tp.ktht", case)
    before = dump_all(proc)
    with pytest.raises(InvalidInput) as caught:  # the gateway after it has nothing to decide on
        step_override.override(proc, approval.id, step_override.SKIP, REASON, "admin", clock)
    assert caught.value.code == "override_needs_values"
    assert dump_all(proc) == before
    moved = step_override.override(proc, approval.id, step_override.SKIP, REASON, "admin", clock,
                                   {"quyet_dinh": "duyet"}).moved
    assert moved.status == "completed"
    lifecycles = [e["lifecycle"] for e in history(proc, case)]
    assert lifecycles.count("step_skip") == 1 and lifecycles[-1] == "case_complete"


@pytest.mark.parametrize(("actor", "kind", "reason", "data", "fields"), [
    ("pct", "outside", "   ", None, {"reason": "required"}),
    ("pct", "outside", "x" * 1001, None, {"reason": "max_length"}),
    ("pct", "xoa_buoc", REASON, None, {"kind": "one_of"}),
    ("pct", "outside", REASON, {"ket_qua": "tot", "khac": 1}, {"ket_qua": "one_of", "khac": "unknown_field"}),
])
def test_a_record_without_reason_or_with_bad_values_is_refused_and_stores_nothing(proc, clock, actor, kind, reason,
                                                                                   data, fields):
    case = start_case(proc, clock).instance_id
    work(proc, clock, "motcua", RECEIVE, case)
    appraisal = single_task(proc, "cv.ktht", case)
    before = dump_all(proc)
    with pytest.raises(InvalidInput) as caught:
        step_override.override(proc, appraisal.id, kind, reason, actor, clock, data)
    assert caught.value.code == "override_invalid"
    assert {k: v.code for k, v in caught.value.errors.items()} == fields
    assert dump_all(proc) == before


@pytest.mark.parametrize("actor", ["cv.ktht", "tp.ktht", "motcua"])
def test_only_a_leader_of_the_agency_may_move_a_case_past_a_step(proc, clock, actor):
    case = start_case(proc, clock).instance_id
    work(proc, clock, "motcua", RECEIVE, case)
    appraisal = single_task(proc, "cv.ktht", case)
    before = dump_all(proc)
    with pytest.raises(PermissionDenied) as caught:
        step_override.override(proc, appraisal.id, step_override.OUTSIDE, REASON, actor, clock, {"ket_qua": "dat"})
    assert caught.value.code == "may_not_override"
    assert dump_all(proc) == before
