"""The inbox: SQL visibility equal to the assignment rules, filters, SLA colours, paging, claim / release /
reassign, and substitutes (ủy quyền)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from audits.casecheck import check_cases
from audits.deviations import ROLE_NOT_ALLOWED
from processes import eventlog, instances, queries, substitutes, tasks
from processes.errors import InvalidInput, PermissionDenied
from tests.web.workspace_helpers import open_task, post_form, receive_ok, rows, texts, work

DEMO = json.loads((Path(__file__).parents[2] / "processes/data/demo_org.json").read_text(encoding="utf-8"))
USERS = [u["username"] for u in DEMO["users"]]


def test_sql_inbox_matches_the_assignment_rules_for_every_demo_user(xd, user, org, clock, deployed):
    deployed("QT-HT-01.bpmn")
    c = user("motcua")
    codes = [receive_ok(c) for _ in range(3)]
    work(user, org, codes[0], "Task_ThamDinh")
    tasks.claim(org, open_task(org, codes[1]), "cv.ktht2", clock)
    instances.start(org, "QT-HT-01", {}, "xa.motcua", clock)  # a commune dossier
    for user in USERS:
        expected = {t.id for t in tasks.list_tasks(org, user)}
        found = {i.id for i in queries.inbox(org, user, clock, per_page=100).items}
        assert found == expected, user
        assert queries.inbox(org, user, clock).total == len(expected)


def test_inbox_lists_due_dates_sla_colours_and_filters(xd, user, org, clock):
    c = user("motcua")
    first, second = receive_ok(c), receive_ok(c)
    work(user, org, first, "Task_ThamDinh")
    cv = user("cv.ktht")
    page = cv.get("/tasks")
    text = rows(page.data)
    assert second in text and first not in text  # the first moved on to the head of division
    assert "10:00 16/01/2026" not in text  # appraisal is due 9 working days after 08:00 Mon 5/1 …
    assert "08:00 16/01/2026" in text  # … that is Friday 16/1 08:00
    assert "sla-on_track" in page.get_data(as_text=True)
    clock.set(dt.datetime(2026, 1, 16, 2, 0, tzinfo=dt.UTC))  # 09:00 Friday: one hour late
    late = cv.get("/tasks?sla=overdue").get_data(as_text=True)
    assert "sla-overdue" in late and second in late
    assert second not in cv.get("/tasks?sla=due_soon").get_data(as_text=True)
    assert second not in cv.get("/tasks?procedure=QT-KD-01").get_data(as_text=True)
    assert second in cv.get(f"/tasks?q={second[-4:]}").get_data(as_text=True)


def test_inbox_pages_in_sql(xd, user, org, clock):
    c = user("motcua")
    codes = [receive_ok(c) for _ in range(5)]
    cv = user("cv.ktht")
    one = cv.get("/tasks?per_page=2&sort=code").get_data(as_text=True)
    two = cv.get("/tasks?per_page=2&sort=code&page=2").get_data(as_text=True)
    three = cv.get("/tasks?per_page=2&sort=code&page=3").get_data(as_text=True)
    assert [code in one for code in codes] == [True, True, False, False, False]
    assert [code in two for code in codes] == [False, False, True, True, False]
    assert [code in three for code in codes] == [False, False, False, False, True]
    assert "5 bước" in texts(one.encode())
    page = queries.inbox(org, "cv.ktht", clock, sort="-created", page=2, per_page=2)
    assert (page.total, page.pages, len(page.items)) == (5, 3, 2)


def test_a_long_inbox_says_more_than_the_cap(xd, user, org, clock, monkeypatch):
    c = user("motcua")
    for _ in range(5):
        receive_ok(c)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    cv = user("cv.ktht")
    assert "hơn 3 bước" in texts(cv.get("/tasks?per_page=2").data)
    body = cv.get("/api/inbox?per_page=2").get_json()
    assert (body["total"], body["more"], body["pages"]) == (3, True, 2)


def test_claim_and_release_from_the_inbox(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    task = open_task(org, code)
    cv, cv2 = user("cv.ktht"), user("cv.ktht2")
    assert post_form(cv, f"/tasks/{task}/claim", {}).status_code == 302
    assert code in rows(cv.get("/tasks?scope=mine").data)
    assert code not in rows(cv2.get("/tasks").data)  # claimed by someone else: out of the queue
    assert post_form(cv2, f"/tasks/{task}/claim", {}).status_code == 409
    assert post_form(cv2, f"/tasks/{task}/release", {}).status_code == 403
    assert post_form(cv, f"/tasks/{task}/release", {}).status_code == 302
    assert code in rows(cv2.get("/tasks?scope=queue").data)


def test_leaders_reassign_others_may_not(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    task = open_task(org, code)
    page = user("tp.ktht").get(f"/tasks/{task}").get_data(as_text=True)
    assert 'name="assignee"' in page and "Võ Thị Lan" in page  # cv.ktht2 is a candidate
    assert post_form(user("cv.ktht"), f"/tasks/{task}/assign", {"assignee": "cv.ktht2"}).status_code == 403
    assert post_form(user("tp.ktht"), f"/tasks/{task}/assign", {"assignee": "motcua"}).status_code == 403
    assert post_form(user("tp.ktht"), f"/tasks/{task}/assign", {"assignee": "cv.ktht2"}).status_code == 302
    assert code in rows(user("cv.ktht2").get("/tasks?scope=mine").data)


def test_a_substitute_sees_and_does_the_absent_users_steps_only_in_the_range(xd, user, org, clock):
    code = receive_ok(user("motcua"))
    task = open_task(org, code)
    tasks.claim(org, task, "cv.ktht", clock)
    cv_tp = user("cv.tp")  # works in another division of the same district
    assert code not in rows(cv_tp.get("/tasks").data)
    reply = post_form(user("cv.ktht"), "/substitutes", {"substitute": "cv.tp", "starts_on": "2026-01-05",
                                                          "ends_on": "2026-01-09", "reason": "Nghỉ phép"},
                      page="/substitutes")
    assert reply.status_code == 302
    assert "Nghỉ phép" in texts(cv_tp.get("/substitutes").data)
    assert code in rows(cv_tp.get("/tasks").data)
    clock.set(dt.datetime(2026, 1, 12, 1, 0, tzinfo=dt.UTC))  # the Monday after: the delegation is over
    assert code not in rows(cv_tp.get("/tasks").data)
    clock.set(dt.datetime(2026, 1, 6, 1, 0, tzinfo=dt.UTC))
    moved = instances.complete(org, task, {"ket_qua_tham_dinh": "dat"}, "cv.tp", clock)
    assert moved.opened[0].element_id == "Task_XemXet"
    # The log says on whose behalf; the audit does not take the delegated step for a wrong role.
    with org.read() as conn:
        done = [e["payload"] for e in eventlog.history(conn, moved.instance_id)
                if e["lifecycle"] == "complete" and e["actor"] == "cv.tp"]
    assert [(p["for"], p["held"]) for p in done] == [("cv.ktht", ["chuyen_vien_tp@H01.TP"])]
    _, verdicts = check_cases(org, [moved.instance_id])
    assert [d.kind for v in verdicts for d in v.deviations if d.kind == ROLE_NOT_ALLOWED] == []


def test_delegation_rules(xd, user, org, clock):
    with pytest.raises(InvalidInput) as refused:
        substitutes.set_substitute(org, "cv.ktht", "xa.tphc", dt.date(2026, 1, 5), dt.date(2026, 1, 6), "cv.ktht",
                                   clock)
    assert "same agency" in str(refused.value.errors)
    bad = post_form(user("cv.ktht"), "/substitutes", {"substitute": "cv.tp", "starts_on": "2026-01-09",
                                                        "ends_on": "2026-01-05"}, page="/substitutes")
    assert bad.status_code == 422
    # A leader sets one for their staff; a colleague may not.
    assert substitutes.set_substitute(org, "cv.ktht", "cv.ktht2", dt.date(2026, 1, 5), dt.date(2026, 1, 6),
                                      "tp.ktht", clock).created_by == "tp.ktht"
    with pytest.raises(PermissionDenied):
        substitutes.set_substitute(org, "cv.ktht", "cv.ktht2", dt.date(2026, 1, 5), dt.date(2026, 1, 6),
                                   "cv.tp", clock)

