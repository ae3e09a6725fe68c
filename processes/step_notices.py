"""Who is told when a case moves (issue 13 item 5): a case lifecycle listener, run inside the case's transaction.

- a step arrives: its assignee, else everyone holding its role in the case's agency (or the unit the role
  names) — except the person who just sent it;
- a step comes back to someone who already did it (a send-back): that person, with the reason written;
- a substitute (ủy quyền) completes a step for someone: that someone;
- the citizen, when the dossier is received, asked for papers, or its result is ready: a message queued in
  the outbox (processes/mail_outbox.py), sent after the commit by the worker.

In-app notices are rows of `notifications`; whether and when they are e-mailed is the user's choice
(processes/mail_outbox.py: immediately or in one daily digest).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from . import mail_outbox, notifications
from .fastsql import Fast
from .notifications import Notice
from .projection import CaseMove
from .schema import human_tasks, units, users

# The kinds of notice written here (the SLA sweep and apologies write others).
KINDS = ("step_arrived", "step_returned", "substitute_acted")
# Step data fields whose text is the reason of a send-back or a request (the BPMN forms name them so).
REASON_HINTS = ("ly_do", "noi_dung", "y_kien")
# Dossier statuses the citizen hears about: received, papers requested, result ready.
CITIZEN_STATUSES = {2: "receipt", 5: "supplement", 9: "result"}


def on_start(move: CaseMove) -> None:
    """Tell the people of the first steps and the citizen whose dossier was received."""
    _tell(move)


def on_move(move: CaseMove) -> None:
    """Tell the people of the steps just opened, the one a step came back to, the one a substitute acted for."""
    _tell(move)


def _tell(move: CaseMove) -> None:
    conn, row = move.conn, move.row
    # a case read with its unit (processes.instances) carries its agency's path: one statement less per move
    agency_path = getattr(row, "agency_path", None) or str(_AGENCY_PATH.execute(conn, {"b_id": row.unit_id}).scalar())
    what = f"Hồ sơ {row.business_key} ({move.procedure.name})"
    notices: list[Notice] = []
    for step in move.changes.opened:
        link = f"/tasks/{step.task_id}"
        before = _done_before(conn, row.id, step.element_id)
        if before is not None and before != move.actor:
            reason = reason_in(move.data)
            text = f"{what} được trả lại bước «{step.name}» cho bạn" + (f". Lý do: {reason}" if reason else ".")
            notices.append(Notice(before, "step_returned", text, link, row.id))
            continue
        people = notifications.workers(conn, ",".join(step.roles), agency_path, step.assignee)
        if move.task is None and move.actor in people:
            continue  # a first step the starter does at once (the counter's reception): nobody to tell
        for username in people:
            if username != move.actor:
                notices.append(Notice(username, "step_arrived", f"{what} đã đến bước «{step.name}» của bạn.",
                                      link, row.id))
    absent = _acted_for(move)
    if absent is not None and move.task is not None:
        who = conn.execute(select(users.c.full_name).where(users.c.username == move.actor)).scalar() or move.actor
        notices.append(Notice(absent, "substitute_acted",
                              f"{who} (ủy quyền) đã thực hiện bước «{move.task.name}» của {what} thay bạn.",
                              f"/dossiers/{row.business_key}", row.id))
    notifications.add(conn, notices, move.now)
    for event in move.changes.events:
        if event.lifecycle == "dossier_status" and event.payload.get("to") in CITIZEN_STATUSES:
            mail_outbox.queue_citizen(conn, row.id, row.business_key, move.procedure.name,
                                      CITIZEN_STATUSES[event.payload["to"]], reason_in(move.data), move.now)


def _done_before(conn: Connection, instance_id: int, element_id: str) -> str | None:
    """Who last completed this step of the case before (a step opened again was sent back), or None."""
    return _DONE_BEFORE.execute(conn, {"b_instance": instance_id, "b_element": element_id}).scalar()


# Every move of every case runs these two: compiled once (processes/fastsql.py), not per call.
_AGENCY_PATH = Fast(select(units.c.agency_path).where(units.c.id == bindparam("b_id")))
_DONE_BEFORE = Fast(select(human_tasks.c.completed_by).where(
    human_tasks.c.instance_id == bindparam("b_instance"), human_tasks.c.element_id == bindparam("b_element"),
    human_tasks.c.completed_by.isnot(None)).order_by(human_tasks.c.id.desc()).limit(1))


def _acted_for(move: CaseMove) -> str | None:
    """The absent user a substitute completed the step for (instances records it on the completion event)."""
    for event in move.changes.events:
        if event.lifecycle == "complete" and isinstance(event.payload.get("for"), str):
            return event.payload["for"]
    return None


def reason_in(data: dict[str, Any]) -> str:
    """The reason written in a step's data: the first non-empty text field whose name says it is one."""
    for key, value in data.items():
        if isinstance(value, str) and value.strip() and any(h in key for h in REASON_HINTS):
            return value.strip()[:500]
    return ""
