"""Late-dossier apologies: asked by the handling officer, signed once by the head of the unit."""

from __future__ import annotations

import pytest

from processes import apology, dossier_actions, dossiers, notifications
from processes.errors import ConflictError, InvalidInput, PermissionDenied
from processes.step_notices import KINDS  # case-move notices (issue 13), not the apology's

from .conftest import history, verify
from .sla_helpers import MAIN_PATH, local, start_xd, step, vn

REASON = "Chờ ý kiến của Sở Xây dựng về chỉ giới xây dựng"


@pytest.fixture
def case(org, deployed, clock) -> int:
    """A building permit received Mon 5/1/2026 08:00 (appointment Mon 26/1 08:00), now at Thẩm định."""
    deployed("QT-XD-01.bpmn")
    iid = start_xd(org, clock, at=vn(2026, 1, 5, 8, 0))
    step(org, clock, iid, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))
    clock.set(vn(2026, 1, 21, 9, 0))
    return iid


def test_the_handling_officer_asks_and_the_head_of_the_division_sees_it(org, case, clock):
    asked = apology.request(org, case, "cv.ktht", clock, REASON, vn(2026, 1, 30, 17, 0))
    assert (asked.state, asked.unit, asked.requested_by) == ("pending", "H01.KTHT", "cv.ktht")
    assert (local(asked.appointment_at), local(asked.proposed_at)) == ("2026-01-26 08:00", "2026-01-30 17:00")
    assert [a.id for a in apology.pending_for(org, "tp.ktht")] == [asked.id]
    assert apology.pending_for(org, "tp.tckh") == [] and apology.pending_for(org, "cv.ktht") == []
    assert [n["kind"] for n in notifications.inbox(org, "tp.ktht")] == ["apology_requested"]
    logged = [e for e in history(org, case) if e["lifecycle"] == "apology_requested"]
    assert [(e["actor"], e["payload"]["reason"], e["payload"]["leaders"]) for e in logged] == [
        ("cv.ktht", REASON, ["tp.ktht"])]


def test_only_people_handling_the_dossier_may_ask(org, case, clock):
    with pytest.raises(PermissionDenied, match="does not handle H01-260105-0001"):
        apology.request(org, case, "motcua", clock, REASON)
    with pytest.raises(InvalidInput, match="say why"):
        apology.request(org, case, "cv.ktht", clock, "  ")


def test_the_proposed_date_must_be_after_the_appointment(org, case, clock):
    with pytest.raises(InvalidInput, match=r"08:00 26/01/2026 must be after the current one 08:00 26/01/2026"):
        apology.request(org, case, "cv.ktht", clock, REASON, vn(2026, 1, 26, 8, 0))
    assert apology.of_dossier(org, case) == []


def test_without_a_date_the_proposal_is_three_working_days_later(org, case, clock):
    asked = apology.request(org, case, "cv.ktht", clock, REASON)
    assert local(asked.proposed_at) == "2026-01-29 08:00"  # Mon 26/1 08:00 + 3 working days
    with pytest.raises(ConflictError, match="already has an apology waiting"):
        apology.request(org, case, "cv.ktht2", clock, REASON)


def test_signing_sets_the_new_date_once_and_refuses_a_second(org, case, clock):
    first = apology.request(org, case, "cv.ktht", clock, REASON, vn(2026, 1, 28, 17, 0))
    with pytest.raises(PermissionDenied, match="does not head the unit"):
        apology.sign(org, first.id, "tp.tckh", clock)
    with pytest.raises(InvalidInput, match="must be after the current one"):
        apology.sign(org, first.id, "tp.ktht", clock, vn(2026, 1, 23, 17, 0))
    signed = apology.sign(org, first.id, "tp.ktht", clock, vn(2026, 1, 30, 17, 0))
    assert (signed.state, signed.decided_by, local(signed.new_appointment_at)) == ("signed", "tp.ktht",
                                                                                   "2026-01-30 17:00")
    view = dossiers.get(org, case, clock)
    assert (local(view.appointment_at), view.new_date_set) == ("2026-01-30 17:00", True)
    # The statutory due date does not move: a dossier past it is late, apology or not.
    assert (local(view.original_appointment_at), local(view.due_at)) == ("2026-01-26 08:00", "2026-01-26 08:00")
    assert [n["kind"] for n in notifications.inbox(org, "cv.ktht") if n["kind"] not in KINDS] == ["apology_signed"]
    log = [(e["lifecycle"], e["payload"]) for e in history(org, case) if e["lifecycle"] in
           ("apology_signed", "sla_extended")]
    assert log == [("apology_signed", {"apology": first.id, "new_appointment_at": "2026-01-30T10:00:00+00:00"}),
                   ("sla_extended", {"from": "2026-01-26T01:00:00+00:00", "to": "2026-01-30T10:00:00+00:00",
                                     "apology": first.id})]
    with pytest.raises(ConflictError, match="already moved by a signed apology; it can be moved only once"):
        apology.request(org, case, "cv.ktht", clock, "Lần hai", vn(2026, 2, 6, 17, 0))
    with pytest.raises(ConflictError, match="already signed"):
        apology.sign(org, first.id, "tp.ktht", clock, vn(2026, 2, 6, 17, 0))
    assert local(dossiers.get(org, case).appointment_at) == "2026-01-30 17:00"
    assert verify(org, case) == []


def test_a_second_apology_cannot_be_signed_after_a_first_one(org, case, clock):
    # An old request left pending by the sweep, and one signed meanwhile by the vice-chair.
    first = apology.request(org, case, "cv.ktht", clock, REASON, vn(2026, 1, 28, 17, 0))
    apology.dismiss(org, first.id, "tp.ktht", clock, "Sẽ kịp hạn")
    second = apology.request(org, case, "cv.ktht", clock, REASON, vn(2026, 1, 29, 17, 0))
    apology.sign(org, second.id, "pct", clock)  # a leader above the division may sign too
    assert (apology.get(org, first.id).state, apology.get(org, second.id).state) == ("dismissed", "signed")
    with pytest.raises(ConflictError, match="already dismissed"):
        apology.sign(org, first.id, "tp.ktht", clock)
    assert local(dossiers.get(org, case).appointment_at) == "2026-01-29 17:00"


def test_a_dossier_finished_after_its_due_date_is_late_despite_the_apology(org, case, clock):
    signed = apology.request(org, case, "cv.ktht", clock, REASON, vn(2026, 1, 30, 17, 0))
    apology.sign(org, signed.id, "tp.ktht", clock)
    for element in MAIN_PATH[1:]:
        step(org, clock, case, element, at=vn(2026, 1, 28, 10, 0))
    view = dossiers.get(org, case)
    assert (view.status_code, view.result) == (10, "late")
    assert apology.pending_for(org, "tp.ktht") == []


def test_closed_dossiers_get_no_apology(org, case, clock):
    dossier_actions.withdraw(org, case, "motcua", clock)
    with pytest.raises(ConflictError, match="is closed"):
        apology.request(org, case, "tp.ktht", clock, REASON)


def test_an_internal_case_cannot_be_asked_for_an_apology(org, deployed, clock):
    # An incoming document (QT-VB-01, level noi_bo) has no applicant: nothing is stored, and the refusal says why.
    from processes import instances
    from web.error_text import TEXTS

    deployed("QT-VB-01.bpmn")
    clock.set(vn(2026, 1, 5, 8, 0))
    moved = instances.start(org, "QT-VB-01", {}, "vanthu", clock)
    with pytest.raises(InvalidInput) as refused:
        apology.request(org, moved.business_key, "vanthu", clock, "Chậm do thiếu người")
    assert refused.value.code == "apology_internal_case"
    assert TEXTS["apology_internal_case"] % refused.value.params == (
        f"Hồ sơ {moved.business_key} thuộc quy trình nội bộ, không có người nộp để gửi thư xin lỗi.")
    assert apology.of_dossier(org, moved.instance_id) == []
