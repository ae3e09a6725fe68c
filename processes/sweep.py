"""The SLA sweep: steps and dossiers that became due soon or overdue, escalations, apology requests.

Every open step and running dossier carries ``next_check_at``, the next instant at which its SLA
state can change (due soon, overdue, an escalation level, the apology lead time); closed rows carry
NULL. A sweep reads only rows with ``next_check_at <= now`` through its index, in batches, and never
loads a workflow. For each row it records what changed since the state it stored last time, so a
second sweep finds nothing to say about the same instant:

* due soon → ``sla_due_soon`` event, notify the assignee (or the holders of the step's roles);
* overdue → ``sla_overdue`` event, notify them too;
* each escalation level reached (SlaPolicy.escalation: the head of the handling unit when overdue,
  the agency's leaders two working days later) → ``sla_escalated`` event and a notification;
* a running dossier one working day before its appointment, with no step returning the result and
  no apology yet → a pending apology for the head of the handling unit (processes/apology.py).

Events go to each case's hash chain (case rows locked first, ``SKIP LOCKED`` on PostgreSQL so that
two sweeps share the work); notifications go to the in-app inbox, then to e-mail through `sender`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from engine.durations import parse_duration

from . import apology, notifications, sla
from .calendar_store import calendar_for
from .citizen_scope import is_internal_level
from .clock import Clock
from .db import Database
from .dossier_rules import RUNNING, markers_of
from .errors import ConflictError
from .eventlog import GENESIS, Event, canonical_payload, row_hash
from .keys import VN
from .notifications import Notice, Sender
from .projection import OPEN
from .schema import apologies, definitions, dossiers, events, human_tasks, instances, units
from .sla import DEFAULT_POLICY, SlaPolicy, SlaState

_RANK = {None: 0, "paused": 0, "on_track": 0, "due_soon": 1, "overdue": 2}
_TICK = dt.timedelta(seconds=1)


@dataclass
class SweepResult:
    """What one sweep did."""

    at: dt.datetime
    tasks_due_soon: int = 0
    tasks_overdue: int = 0
    dossiers_due_soon: int = 0
    dossiers_overdue: int = 0
    escalations: int = 0
    apologies: int = 0
    notifications: int = 0
    events: int = 0
    emails_sent: int = 0
    email_failures: int = 0


class _Context:
    """Per-sweep caches: calendars, the people of a step, the heads of units."""

    def __init__(self, conn: Connection, policy: SlaPolicy) -> None:
        self.conn, self.policy = conn, policy
        self._cache: dict[tuple, Any] = {}

    def _get(self, key: tuple, make) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def calendar(self, unit_id: int):
        return self._get(("cal", unit_id), lambda: calendar_for(self.conn, unit_id))

    def workers(self, roles: str, agency: str, assignee: str | None) -> list[str]:
        return self._get(("w", roles, agency, assignee),
                         lambda: notifications.workers(self.conn, roles, agency, assignee))

    def paths(self, roles: str, agency: str, assignee: str | None) -> list[str]:
        return self._get(("p", roles, agency, assignee), lambda: sorted(
            {h.path for h in notifications.holders(self.conn, roles, agency, assignee)}))

    def head(self, paths: list[str], agency: str, target: str) -> tuple[int | None, list[str]]:
        key = ("h", tuple(paths) if target == "unit" else (), agency)
        return self._get(key, lambda: notifications.heads(self.conn, paths if target == "unit" else [agency],
                                                          agency))

    def heads(self, paths: list[str], agency: str, target: str) -> list[str]:
        return self.head(paths, agency, target)[1]


def _local(at: dt.datetime) -> str:
    return at.astimezone(VN).strftime("%H:%M %d/%m/%Y")


def _spoken(duration: str | None) -> str:
    """A working duration in words: P1D -> '1 ngày', PT4H -> '4 giờ'."""
    amount = parse_duration(duration or "P0D")
    days = f"{float(amount.days):g} ngày" if amount.days else ""
    hours = f"{float(amount.minutes / 60):g} giờ" if amount.minutes else ""
    return " ".join(part for part in (days, hours) if part) or "0 giờ"


def _lock(conn: Connection, instance_ids: set[int]) -> dict[int, list]:
    """Lock the cases (skipping those another transaction holds); return their chain heads."""
    query = select(instances.c.id, instances.c.event_count, instances.c.event_head).where(
        instances.c.id.in_(sorted(instance_ids))).order_by(instances.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return {r.id: [r.event_count, r.event_head or GENESIS] for r in conn.execute(query)}


def _log(conn: Connection, heads: dict[int, list], found: dict[int, list[Event]]) -> int:
    """Append events to many chains at once (one insert, one batched update of the heads)."""
    rows, moved = [], []
    for case_id, new in found.items():
        seq, prev = heads[case_id]
        for ev in new:
            seq += 1
            text = canonical_payload(ev.payload)
            digest = row_hash(case_id, seq, ev.activity, ev.activity_name, ev.lifecycle, ev.actor, ev.at, text, prev)
            rows.append({"case_id": case_id, "seq": seq, "activity": ev.activity, "activity_name": ev.activity_name,
                         "lifecycle": ev.lifecycle, "actor": ev.actor, "at": ev.at, "payload": text,
                         "prev_hash": prev, "hash": digest})
            prev = digest
        heads[case_id] = [seq, prev]
        moved.append({"b_id": case_id, "b_count": seq, "b_head": prev})
    if rows:
        conn.execute(insert(events), rows)
        conn.execute(update(instances).where(instances.c.id == bindparam("b_id"))
                     .values(event_count=bindparam("b_count"), event_head=bindparam("b_head")), moved)
    return len(rows)


def _next(value: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    # A threshold equal to now fires on the next sweep (overdue is strictly after the due instant).
    return None if value is None else max(value, now + _TICK)


_TASKS = (select(human_tasks, instances.c.business_key, instances.c.unit_id.label("case_unit"),
                 instances.c.status.label("case_status"), units.c.agency_path)
          .join(instances, instances.c.id == human_tasks.c.instance_id)
          .join(units, units.c.id == instances.c.unit_id))
_TASK_UPDATE = update(human_tasks).where(human_tasks.c.id == bindparam("b_id")).values(
    sla_state=bindparam("b_state"), escalation_level=bindparam("b_level"), next_check_at=bindparam("b_next"))


def _sweep_tasks(ctx: _Context, now: dt.datetime, batch: int, result: SweepResult) -> tuple[int, int]:
    conn, policy = ctx.conn, ctx.policy
    candidates = conn.execute(select(human_tasks.c.id, human_tasks.c.instance_id)
                              .where(human_tasks.c.next_check_at <= now)
                              .order_by(human_tasks.c.next_check_at).limit(batch)).all()
    heads = _lock(conn, {c.instance_id for c in candidates}) if candidates else {}
    ids = [c.id for c in candidates if c.instance_id in heads]
    found: dict[int, list[Event]] = defaultdict(list)
    notices: list[Notice] = []
    changes = []
    query = _TASKS.where(human_tasks.c.id.in_(ids), human_tasks.c.next_check_at <= now)
    if conn.dialect.name == "postgresql":
        # A completion locks its step, then the case: skip steps being completed rather than wait for them.
        query = query.with_for_update(of=human_tasks, skip_locked=True)
    for r in conn.execute(query) if ids else []:
        if r.state not in OPEN or r.case_status != "running" or r.due_at is None:
            changes.append({"b_id": r.id, "b_state": None, "b_level": r.escalation_level, "b_next": None})
            continue
        calendar = ctx.calendar(r.case_unit)
        level = r.escalation_level or 0
        state, reached, following = sla.watch(now, r.due_at, r.soon_at, level,
                                              sla.escalation_times(calendar, r.due_at, policy))
        link, who = f"/tasks/{r.task_uuid}", ctx.workers(r.roles, r.agency_path, r.assignee)
        if _RANK[state.value] > _RANK[r.sla_state]:
            overdue = state is SlaState.OVERDUE
            text = (f"Bước «{r.name}» của hồ sơ {r.business_key} " +
                    (f"đã quá hạn (hạn {_local(r.due_at)})." if overdue else f"sắp đến hạn ({_local(r.due_at)})."))
            notices += [Notice(u, f"task_{state.value}", text, link, r.instance_id) for u in who]
            found[r.instance_id].append(Event(r.element_id, f"sla_{state.value}", now, None, r.name, {
                "task": r.task_uuid, "due_at": r.due_at.isoformat(), "notified": who}))
            result.tasks_overdue += overdue
            result.tasks_due_soon += not overdue
        for index in range(level, reached):
            target = policy.escalation[index].target
            leaders = ctx.heads(ctx.paths(r.roles, r.agency_path, r.assignee), r.agency_path, target)
            text = (f"Báo cáo lãnh đạo: bước «{r.name}» của hồ sơ {r.business_key} quá hạn từ {_local(r.due_at)}; "
                    f"người xử lý: {', '.join(who) or 'chưa có'}.")
            notices += [Notice(u, "task_escalated", text, link, r.instance_id) for u in leaders]
            found[r.instance_id].append(Event(r.element_id, "sla_escalated", now, None, r.name, {
                "task": r.task_uuid, "level": index + 1, "target": target, "to": leaders}))
            result.escalations += 1
        changes.append({"b_id": r.id, "b_state": state.value, "b_level": reached, "b_next": _next(following, now)})
    if changes:
        conn.execute(_TASK_UPDATE, changes)
    result.events += _log(conn, heads, found)
    result.notifications += notifications.add(conn, notices, now)
    return len(candidates), len(ids)


_DOSSIERS = (select(dossiers, instances.c.definition_id, instances.c.status.label("case_status"),
                    units.c.agency_path, definitions.c.process_id, definitions.c.name.label("procedure_name"),
                    definitions.c.sha256, definitions.c.properties)
             .join(instances, instances.c.id == dossiers.c.instance_id)
             .join(units, units.c.id == instances.c.unit_id)
             .join(definitions, definitions.c.id == instances.c.definition_id))
_DOSSIER_UPDATE = update(dossiers).where(dossiers.c.id == bindparam("b_id")).values(
    sla_state=bindparam("b_state"), escalation_level=bindparam("b_level"), next_check_at=bindparam("b_next"),
    apology_at=bindparam("b_apology"))


def _sweep_dossiers(ctx: _Context, now: dt.datetime, batch: int, result: SweepResult) -> tuple[int, int]:
    conn, policy = ctx.conn, ctx.policy
    candidates = conn.execute(select(dossiers.c.id, dossiers.c.instance_id).where(dossiers.c.next_check_at <= now)
                              .order_by(dossiers.c.next_check_at).limit(batch)).all()
    heads = _lock(conn, {c.instance_id for c in candidates}) if candidates else {}
    ids = [c.id for c in candidates if c.instance_id in heads]
    rows = list(conn.execute(_DOSSIERS.where(dossiers.c.id.in_(ids), dossiers.c.next_check_at <= now))) if ids else []
    steps: dict[int, list] = defaultdict(list)
    for t in conn.execute(select(human_tasks.c.instance_id, human_tasks.c.element_id, human_tasks.c.roles,
                                 human_tasks.c.assignee).where(
            human_tasks.c.instance_id.in_([r.instance_id for r in rows]), human_tasks.c.state.in_(OPEN))):
        steps[t.instance_id].append(t)
    asked = {a.dossier_id for a in conn.execute(select(apologies.c.dossier_id).where(
        apologies.c.dossier_id.in_([r.id for r in rows])))}
    found: dict[int, list[Event]] = defaultdict(list)
    notices: list[Notice] = []
    changes = []
    for r in rows:
        if r.status_code not in RUNNING or r.case_status != "running" or r.appointment_at is None:
            changes.append({"b_id": r.id, "b_state": None, "b_level": r.escalation_level, "b_next": None,
                            "b_apology": None})
            continue
        calendar, due, link = ctx.calendar(r.unit_id), r.appointment_at, f"/cases/{r.code}"
        level = r.escalation_level or 0
        state, reached, following = sla.watch(now, due, r.soon_at, level, sla.escalation_times(calendar, due, policy))
        open_steps = steps[r.instance_id]
        who = sorted({u for t in open_steps for u in ctx.workers(t.roles, r.agency_path, t.assignee)})
        paths = sorted({p for t in open_steps for p in ctx.paths(t.roles, r.agency_path, t.assignee)})
        who = who or ctx.heads(paths, r.agency_path, "agency")

        def log(lifecycle: str, payload: dict[str, Any], r=r) -> None:
            found[r.instance_id].append(Event(r.process_id, lifecycle, now, None, r.procedure_name, payload))

        if _RANK[state.value] > _RANK[r.sla_state]:
            overdue = state is SlaState.OVERDUE
            text = f"Hồ sơ {r.code} " + (f"đã quá ngày hẹn trả {_local(due)}." if overdue
                                         else f"sắp đến ngày hẹn trả {_local(due)}.")
            notices += [Notice(u, f"dossier_{state.value}", text, link, r.instance_id) for u in who]
            log(f"sla_{state.value}", {"appointment_at": due.isoformat(), "notified": who})
            result.dossiers_overdue += overdue
            result.dossiers_due_soon += not overdue
        for index in range(level, reached):
            target = policy.escalation[index].target
            leaders = ctx.heads(paths, r.agency_path, target)
            text = f"Báo cáo lãnh đạo: hồ sơ {r.code} đã quá ngày hẹn trả {_local(due)}."
            notices += [Notice(u, "dossier_escalated", text, link, r.instance_id) for u in leaders]
            log("sla_escalated", {"level": index + 1, "target": target, "to": leaders})
            result.escalations += 1
        apology_at = r.apology_at
        if apology_at is not None and now >= apology_at:
            apology_at = None
            markers = markers_of(conn, r.definition_id, r.sha256)
            returning = any(markers.sla.get(t.element_id) == "return" for t in open_steps)
            # (an internal case has no apology instant since is_internal_level; a row stored before may)
            if r.id not in asked and not r.new_date_set and not returning and not is_internal_level(r.properties):
                case = SimpleNamespace(id=r.instance_id, unit_id=r.unit_id, definition_id=r.definition_id)
                reason = (f"Còn {_spoken(policy.apology_lead)} làm việc đến ngày hẹn trả mà hồ sơ chưa giải quyết "
                          "xong (hệ thống tự đề nghị).")
                try:
                    _, logged = apology.create(conn, case, r, reason, None, None, now, policy,
                                               ctx.head(paths or [r.agency_path], r.agency_path, "unit"),
                                               (r.process_id, r.procedure_name))
                except ConflictError:
                    logged = []
                found[r.instance_id].extend(logged)
                result.apologies += bool(logged)
        following = min((t for t in (following, apology_at) if t is not None), default=None)
        changes.append({"b_id": r.id, "b_state": state.value, "b_level": reached, "b_next": _next(following, now),
                        "b_apology": apology_at})
    if changes:
        conn.execute(_DOSSIER_UPDATE, changes)
    result.events += _log(conn, heads, found)
    result.notifications += notifications.add(conn, notices, now)
    return len(candidates), len(ids)


def run_sweep(db: Database, clock: Clock, sender: Sender | None = None, policy: SlaPolicy = DEFAULT_POLICY,
              batch: int = 500) -> SweepResult:
    """One sweep at `clock.now()`: record, notify and escalate what changed since the last one."""
    now = clock.now()
    result = SweepResult(at=now)
    with db.read() as conn:
        first_notice = notifications.last_id(conn)
    for step in (_sweep_tasks, _sweep_dossiers):
        while True:
            with db.write() as conn:
                selected, done = step(_Context(conn, policy), now, batch, result)
            if selected < batch or done == 0:
                break
    if sender is not None:
        result.emails_sent, result.email_failures = notifications.deliver(db, sender, first_notice, clock)
    return result
