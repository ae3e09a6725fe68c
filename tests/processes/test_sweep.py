"""The SLA sweep: notifies once, escalates to the head of the unit, asks for apologies, repeats nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from processes import apology, dossier_actions, dossiers, notifications, sweep
from processes.notifications import LogSender
from processes.schema import human_tasks
from processes.schema import notifications as notifications_table
from processes.step_notices import KINDS  # case-move notices (issue 13), not the sweep's

from .conftest import history, verify
from .sla_helpers import set_emails, start_xd, step, vn

SUPPLEMENT = {"ket_qua_tham_dinh": "bo_sung", "noi_dung_bo_sung": "Bản vẽ"}  # what to supplement is required

# A building permit received Mon 5/1/2026 08:00 and handed to the specialists at 10:00:
# Thẩm định (9 days) is due Fri 16/1 10:00 and due soon from Wed 14/1 08:00 (its last 18 office hours);
# the dossier is due Mon 26/1 08:00 and due soon from Tue 20/1 10:00 (its last 30 office hours).


@pytest.fixture
def case(org, deployed, clock) -> int:
    """A building-permit case waiting at Thẩm định, the specialists and their head with e-mail addresses."""
    deployed("QT-XD-01.bpmn")
    iid = start_xd(org, clock, at=vn(2026, 1, 5, 8, 0))
    step(org, clock, iid, "Task_TiepNhan", at=vn(2026, 1, 5, 10, 0))
    set_emails(org, cv_ktht="duc@example.vn", cv_ktht2="lan@example.vn", tp_ktht="hung@example.vn")
    return iid


def run(db, clock, at):
    """One sweep at `at` with a log sender; returns (result, mails sent)."""
    clock.set(at)
    sender = LogSender()
    result = sweep.run_sweep(db, clock, sender)
    return result, sender.sent


def inbox(db, user: str) -> list[tuple[str, str]]:
    """(kind, text) of a user's notifications from the sweep, oldest first (not the step arrival notices)."""
    return [(n["kind"], n["text"]) for n in reversed(notifications.inbox(db, user)) if n["kind"] not in KINDS]


def sla_events(db, iid: int) -> list[tuple[str, str]]:
    return [(e["activity"], e["lifecycle"]) for e in history(db, iid)
            if e["lifecycle"] in ("sla_due_soon", "sla_overdue", "sla_escalated", "apology_requested")]


def test_nothing_to_say_before_anything_is_due(org, case, clock):
    result, mails = run(org, clock, vn(2026, 1, 14, 7, 59))
    assert (result.notifications, result.events, mails) == (0, 0, [])
    assert inbox(org, "cv.ktht") == []


def test_due_soon_is_notified_once_to_the_role_holders(org, case, clock):
    result, mails = run(org, clock, vn(2026, 1, 14, 8, 1))
    text = "Bước «Thẩm định hồ sơ, kiểm tra thực địa» của hồ sơ H01-260105-0001 sắp đến hạn (10:00 16/01/2026)."
    assert (result.tasks_due_soon, result.notifications, result.emails_sent) == (1, 2, 2)
    assert inbox(org, "cv.ktht") == inbox(org, "cv.ktht2") == [("task_due_soon", text)]
    assert inbox(org, "tp.ktht") == [] and inbox(org, "motcua") == []
    assert sorted(to for to, _, _ in mails) == ["duc@example.vn", "lan@example.vn"]
    assert mails[0][1].startswith("[quytrinh] Bước «Thẩm định hồ sơ") and "/tasks/" in mails[0][2]
    again, mails = run(org, clock, vn(2026, 1, 15, 9, 0))
    assert (again.notifications, again.events, mails) == (0, 0, [])
    assert len(inbox(org, "cv.ktht")) == 1
    assert sla_events(org, case) == [("Task_ThamDinh", "sla_due_soon")]


def test_overdue_step_is_escalated_to_the_head_of_the_division_once(org, case, clock):
    run(org, clock, vn(2026, 1, 14, 8, 1))
    result, mails = run(org, clock, vn(2026, 1, 16, 10, 1))
    assert (result.tasks_overdue, result.escalations) == (1, 1)
    assert inbox(org, "cv.ktht")[-1] == ("task_overdue", "Bước «Thẩm định hồ sơ, kiểm tra thực địa» của hồ sơ "
                                                         "H01-260105-0001 đã quá hạn (hạn 10:00 16/01/2026).")
    assert inbox(org, "tp.ktht") == [("task_escalated", "Báo cáo lãnh đạo: bước «Thẩm định hồ sơ, kiểm tra thực địa» "
                                      "của hồ sơ H01-260105-0001 quá hạn từ 10:00 16/01/2026; người xử lý: cv.ktht, "
                                      "cv.ktht2.")]
    assert inbox(org, "pct") == []  # the agency's turn comes two working days later
    assert sorted(to for to, _, _ in mails) == ["duc@example.vn", "hung@example.vn", "lan@example.vn"]
    again, mails = run(org, clock, vn(2026, 1, 16, 16, 0))
    assert (again.notifications, again.events, mails) == (0, 0, [])
    later, _ = run(org, clock, vn(2026, 1, 20, 10, 1))  # Fri 16/1 10:00 + 2 working days
    assert later.escalations == 1
    assert [kind for kind, _ in inbox(org, "pct")] == ["task_escalated"]
    assert sla_events(org, case)[:4] == [("Task_ThamDinh", "sla_due_soon"), ("Task_ThamDinh", "sla_overdue"),
                                         ("Task_ThamDinh", "sla_escalated"), ("Task_ThamDinh", "sla_escalated")]
    assert verify(org, case) == []


def test_a_missed_sweep_jumps_straight_to_overdue_without_a_stale_due_soon(org, case, clock):
    result, _ = run(org, clock, vn(2026, 1, 16, 12, 0))
    assert (result.tasks_due_soon, result.tasks_overdue) == (0, 1)
    assert [kind for kind, _ in inbox(org, "cv.ktht")] == ["task_overdue"]


def test_assigned_step_notifies_only_the_assignee(org, case, clock):
    from processes import tasks

    task = tasks.list_tasks(org, user="cv.ktht", instance_id=case)[0]
    tasks.claim(org, task.id, "cv.ktht2", clock)
    run(org, clock, vn(2026, 1, 14, 8, 1))
    assert inbox(org, "cv.ktht") == [] and [k for k, _ in inbox(org, "cv.ktht2")] == ["task_due_soon"]


def test_dossier_due_soon_overdue_and_apology_request(org, case, clock):
    step(org, clock, case, "Task_ThamDinh", at=vn(2026, 1, 14, 9, 0))  # now waiting for Xem xét (tp.ktht)
    result, _ = run(org, clock, vn(2026, 1, 20, 10, 1))
    assert result.dossiers_due_soon == 1
    assert inbox(org, "tp.ktht")[-1] == ("dossier_due_soon", "Hồ sơ H01-260105-0001 sắp đến ngày hẹn trả "
                                                             "08:00 26/01/2026.")
    # One working day before the appointment (Fri 23/1 08:00) the head is asked to sign an apology.
    assert run(org, clock, vn(2026, 1, 23, 7, 59))[0].apologies == 0
    result, _ = run(org, clock, vn(2026, 1, 23, 8, 0))
    assert result.apologies == 1
    pending = apology.pending_for(org, "tp.ktht")
    assert [(a.dossier, a.unit, a.requested_by) for a in pending] == [("H01-260105-0001", "H01.KTHT", None)]
    assert inbox(org, "tp.ktht")[-1][0] == "apology_requested"
    assert run(org, clock, vn(2026, 1, 23, 9, 0))[0].apologies == 0
    result, _ = run(org, clock, vn(2026, 1, 26, 8, 1))
    assert (result.dossiers_overdue, result.escalations) == (1, 1)  # Xem xét (due 15/1) was escalated on 20/1
    assert ("dossier_escalated", "Báo cáo lãnh đạo: hồ sơ H01-260105-0001 đã quá ngày hẹn trả 08:00 26/01/2026.") \
        in inbox(org, "tp.ktht")
    assert ("QT_XD_01", "apology_requested") in sla_events(org, case)
    assert verify(org, case) == []


def test_closed_and_paused_dossiers_are_not_swept(org, case, clock):
    step(org, clock, case, "Task_ThamDinh", SUPPLEMENT, at=vn(2026, 1, 6, 9, 0))
    result, _ = run(org, clock, vn(2026, 2, 20, 9, 0))  # the applicant never came back
    assert (result.notifications, result.events) == (0, 0)
    assert dossiers.get(org, case, clock).sla_state == "paused"


def test_a_withdrawn_dossier_leaves_nothing_to_sweep(org, case, clock):
    dossier_actions.withdraw(org, case, "motcua", clock, "rút hồ sơ")
    result, _ = run(org, clock, vn(2026, 2, 20, 9, 0))
    assert result.notifications == 0
    with org.read() as conn:
        waiting = conn.execute(select(func.count()).select_from(human_tasks)
                               .where(human_tasks.c.next_check_at.isnot(None))).scalar_one()
    assert waiting == 0


def test_notifications_are_read_once(org, case, clock):
    run(org, clock, vn(2026, 1, 14, 8, 1))
    ids = [n["id"] for n in notifications.inbox(org, "cv.ktht", unread_only=True) if n["kind"] not in KINDS]
    assert notifications.mark_read(org, "cv.ktht", ids, clock) == 1
    assert notifications.mark_read(org, "cv.ktht", ids, clock) == 0
    assert [n for n in notifications.inbox(org, "cv.ktht", unread_only=True) if n["kind"] not in KINDS] == []
    with org.read() as conn:
        assert conn.execute(select(func.count()).select_from(notifications_table)
                            .where(notifications_table.c.emailed_at.isnot(None))).scalar_one() == 2


def test_a_failing_mail_server_does_not_stop_the_inbox(org, case, clock):
    class Broken:
        def send(self, to, subject, body):
            raise OSError("connection refused")

    clock.set(vn(2026, 1, 14, 8, 1))
    result = sweep.run_sweep(org, clock, Broken())
    assert (result.notifications, result.emails_sent, result.email_failures) == (2, 0, 2)
    assert len(inbox(org, "cv.ktht")) == 1


def test_same_day_dossiers_are_never_asked_for_an_apology(org, deployed, clock):
    from processes import instances

    deployed("QT-CT-01.bpmn")
    clock.set(vn(2026, 1, 5, 8, 0))
    iid = instances.start(org, "QT-CT-01", {}, "motcua", clock).instance_id
    assert dossiers.get(org, iid).appointment_at == vn(2026, 1, 5, 17, 0)
    result, _ = run(org, clock, vn(2026, 1, 5, 16, 59))  # less than the whole day left: no lead time to ask
    assert (result.apologies, apology.of_dossier(org, iid)) == (0, [])
    assert run(org, clock, vn(2026, 1, 5, 17, 1))[0].dossiers_overdue == 1


def test_a_step_being_completed_is_skipped_not_waited_for(org, case, clock):
    import threading

    if org.is_sqlite:
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE; no row locks to skip")
    # A completion holds its step's row lock (and then waits for the case): the sweep must not wait for it.
    holder = org.engine.connect()
    holder.begin()
    holder.execute(select(human_tasks.c.id).where(human_tasks.c.instance_id == case,
                                                  human_tasks.c.state == "ready").with_for_update())
    found = []
    worker = threading.Thread(target=lambda: found.append(run(org, clock, vn(2026, 1, 14, 8, 1))[0]))
    worker.start()
    worker.join(timeout=30)
    blocked = worker.is_alive()
    holder.rollback()
    holder.close()
    worker.join()
    assert not blocked, "the sweep waited for a row lock held by a completion"
    assert found[0].tasks_due_soon == 0  # skipped this time…
    assert run(org, clock, vn(2026, 1, 14, 8, 2))[0].tasks_due_soon == 1  # …and told on the next sweep


def test_an_internal_procedure_s_case_is_never_asked_for_an_apology(org, deployed, clock):
    # The apology (Mẫu 04) is the one-stop mechanism's letter to an applicant: an incoming document handled by
    # QT-VB-01 (level noi_bo) has nobody to write to. The demo's dashboard showed one waiting to be signed.
    from processes import instances

    deployed("QT-VB-01.bpmn")
    clock.set(vn(2026, 1, 5, 8, 0))
    iid = instances.start(org, "QT-VB-01", {}, "vanthu", clock).instance_id
    due = dossiers.get(org, iid).appointment_at
    assert due is not None
    result, _ = run(org, clock, due)  # past the instant a citizen's dossier is asked for one (a day before)
    assert (result.apologies, apology.of_dossier(org, iid)) == (0, [])
    assert run(org, clock, due + dt.timedelta(minutes=1))[0].dossiers_overdue == 1  # still watched


def test_an_internal_case_stored_with_an_apology_instant_is_not_asked_for_one(org, deployed, clock):
    # A row written before internal cases stopped getting an apology instant still carries one after an upgrade.
    from processes import instances
    from processes.schema import dossiers as dossier_rows

    deployed("QT-VB-01.bpmn")
    clock.set(vn(2026, 1, 5, 8, 0))
    iid = instances.start(org, "QT-VB-01", {}, "vanthu", clock).instance_id
    with org.write() as conn:
        conn.execute(dossier_rows.update().where(dossier_rows.c.instance_id == iid).values(
            apology_at=vn(2026, 1, 5, 9, 0), next_check_at=vn(2026, 1, 5, 9, 0)))
    result, _ = run(org, clock, vn(2026, 1, 5, 10, 0))
    assert (result.apologies, apology.of_dossier(org, iid)) == (0, [])
