"""The internal audit programme (ISO 9001:2015 clause 9.2): plans, independent auditors, checklists,
reproducible samples of dossiers, and findings with evidence; a nonconformity starts a QT-CAPA-01 case.

* **Independence** (9.2.2 c, ISO 19011:2018 4 b): an auditor may not audit a unit they belong to, nor a
  unit above or below one of theirs (line management); the plan is refused with the reason.
* **Sample size**: ISO 19011:2018 A.6 leaves it to the auditor; quytrinh uses the common rule of thumb
  √N + 1 rounded up, at least 5 (or all N when N ≤ 5) and at most 30.
* **Sampling** is simple random sampling without replacement over the dossiers of the audited unit
  and procedures in the period, ordered by case id, with a seed kept on the plan: drawing again gives
  the same dossiers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from processes import catalog, instances, organisation, records
from processes.audit_schema import audit_checklist, audit_findings, audit_plans, audit_samples, audit_team
from processes.clock import Clock
from processes.db import Database
from processes.errors import InvalidInput, NotFound, PermissionDenied
from processes.inserted import inserted_id
from processes.uow import UnitOfWork, unit_of_work

from .checklist import checklist_items
from .evidence import checked_links
from .periods import Period, parse_period

AUDITOR_ROLES = ("danh_gia_vien", "thu_ky_iso")
KINDS = ("conformity", "observation", "nonconformity")
CAPA_CODE = "QT-CAPA-01"


class NotIndependent(InvalidInput):
    """An auditor was assigned to audit their own unit (or a unit in their own line)."""


def sample_size(population: int) -> int:
    """How many dossiers to examine out of `population` (√N + 1, at least 5, at most 30)."""
    if population <= 5:
        return population
    return max(5, min(30, math.ceil(math.sqrt(population)) + 1))


@dataclass(frozen=True)
class Plan:
    """An audit plan as stored."""

    id: int
    code: str
    unit: str
    period: str
    procedures: list[str]
    team: list[tuple[str, str]]
    planned_from: dt.date
    planned_to: dt.date
    status: str
    seed: int


def _related(a: str, b: str) -> bool:
    """True when one unit path contains the other."""
    return a.startswith(b) or b.startswith(a)


def check_independence(conn: Connection, auditor: str, unit_path: str, unit_code: str) -> None:
    """Refuse an auditor who belongs to the audited unit, a unit inside it or a unit above it."""
    member = organisation.memberships_of(conn, auditor)
    if not any(m.role in AUDITOR_ROLES for m in member):
        raise InvalidInput(f"{auditor} is not an internal auditor (needs role {' or '.join(AUDITOR_ROLES)})",
                           {"auditors": auditor})
    for m in member:
        if _related(m.unit_path, unit_path):
            raise NotIndependent(
                f"{auditor} may not audit {unit_code}: they hold {m.role} in {m.unit_code}, in the audited unit's "
                "own line (ISO 9001:2015 9.2.2 c — auditors do not audit their own work)", {"auditors": auditor})


def plan_audit(db: Database, unit: str, period: str | Period, auditors: list[str], actor: str, clock: Clock,
               procedures: list[str] | None = None, objective: str = "", planned_from: dt.date | None = None,
               planned_to: dt.date | None = None, seed: int | None = None) -> Plan:
    """Plan an audit of `unit` over `period` by `auditors` (the first leads), with a checklist per procedure."""
    period = parse_period(period) if isinstance(period, str) else period
    if not auditors:
        raise InvalidInput("an audit needs at least one auditor", {"auditors": "required"})
    if seed is not None and not 0 <= seed < 2**31:
        raise InvalidInput("the seed is a whole number from 0 to 2147483647", {"seed": "out of range"})
    now = clock.now()
    with db.write() as conn:
        target = organisation.unit_by_code(conn, unit)
        for auditor in dict.fromkeys(auditors):
            organisation.user_by_name(conn, auditor)
            check_independence(conn, auditor, target.path, target.code)
        chosen = sorted(set(procedures or _procedures_of(db, conn, target, period)))
        if not chosen:
            raise InvalidInput(f"no procedure to audit in {unit} for {period.label}", {"procedures": "none found"})
        number = conn.execute(select(func.count(audit_plans.c.id))
                              .where(audit_plans.c.year == period.year)).scalar_one()
        code = f"DGNB-{period.year}-{number + 1:02d}"
        seed = seed if seed is not None else int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF
        plan_id = inserted_id(conn.execute(insert(audit_plans).values(
            code=code, year=period.year, period=period.label, unit_id=target.id, procedures=json.dumps(chosen),
            objective=objective or f"Đánh giá sự phù hợp và hiệu lực của các quy trình tại {target.name}",
            planned_from=planned_from or period.end, planned_to=planned_to or period.end + dt.timedelta(days=7),
            status="planned", seed=seed, created_by=actor, created_at=now)))
        conn.execute(insert(audit_team), [{"plan_id": plan_id, "username": a, "role": "lead" if i == 0 else "member"}
                                          for i, a in enumerate(dict.fromkeys(auditors))])
        rows = []
        for code_ in chosen:
            for item in checklist_items(conn, code_):
                rows.append({"plan_id": plan_id, "procedure": code_, **item})
        if rows:
            conn.execute(insert(audit_checklist), rows)
    return get_plan(db, plan_id)


def _procedures_of(db: Database, conn: Connection, target, period: Period) -> list[str]:
    """Procedures an audit of the unit covers by default.

    An agency: those with dossiers of the agency received in the period. A department: the active
    procedures with a step for a role somebody holds in the department.
    """
    if target.path == target.agency_path:
        return records.procedures_received(conn, target.id, period)
    # The roles the unit works with, not its auditors' or admins'.
    held = organisation.roles_held_in(conn, target.id, ("officer", "leader"))
    found = []
    for d in _active(conn):
        steps = db.procedures.get(conn, d.definition_id).steps.values()
        if any(r.partition("@")[0] in held for s in steps for r in s.roles):
            found.append(d.code)
    return found


def _active(conn: Connection) -> list[catalog.VersionRef]:
    """The newest active definition of every procedure code."""
    return list({r.code: r for r in catalog.active_versions(conn)}.values())


def get_plan(db: Database, plan_id: int | str) -> Plan:
    """A plan by id or code."""
    with db.read() as conn:
        return _plan(conn, plan_id)


def _plan(conn: Connection, plan_id: int | str) -> Plan:
    cond = audit_plans.c.id == int(plan_id) if str(plan_id).isdigit() else audit_plans.c.code == str(plan_id)
    row = conn.execute(select(audit_plans).where(cond)).first()
    if row is None:
        raise NotFound(f"no audit plan {plan_id}")
    unit_code = organisation.unit_codes(conn)[row.unit_id]
    team = [(r.username, r.role) for r in conn.execute(select(audit_team).where(audit_team.c.plan_id == row.id)
                                                       .order_by(audit_team.c.id))]
    return Plan(row.id, row.code, unit_code, row.period, json.loads(row.procedures), team, row.planned_from,
                row.planned_to, row.status, row.seed)


def list_plans(db: Database, year: int | None = None) -> list[Plan]:
    """Every plan (of a year), oldest first."""
    with db.read() as conn:
        query = select(audit_plans.c.id).order_by(audit_plans.c.id)
        if year is not None:
            query = query.where(audit_plans.c.year == year)
        return [_plan(conn, r.id) for r in conn.execute(query)]


def population(conn: Connection, plan: Plan) -> list[int]:
    """Case ids of the dossiers the plan's sample is drawn from (the unit's agency, the plan's procedures and
    period, by date received), in case-id order."""
    period = parse_period(plan.period)
    agency_path = organisation.unit_by_code(conn, plan.unit).agency_path
    return records.received_in_agency(conn, agency_path, plan.procedures, period)


def draw_sample(db: Database, plan_id: int | str) -> list[str]:
    """Draw (once) and return the dossier codes to examine; drawing again returns the same sample."""
    with db.write() as conn:
        plan = _plan(conn, plan_id)
        existing = _sample(conn, plan.id)
        if existing:
            return existing
        ids = population(conn, plan)
        rng = random.Random(f"{plan.seed}:{plan.code}")
        chosen = sorted(rng.sample(ids, sample_size(len(ids))))
        if chosen:
            conn.execute(insert(audit_samples), [{"plan_id": plan.id, "instance_id": iid, "position": i + 1}
                                                 for i, iid in enumerate(chosen)])
        return _sample(conn, plan.id)


def _sample(conn: Connection, plan_id: int) -> list[str]:
    ids = list(conn.execute(select(audit_samples.c.instance_id).where(audit_samples.c.plan_id == plan_id)
                            .order_by(audit_samples.c.position)).scalars())
    codes = records.dossier_codes(conn, ids)
    return [codes[i] for i in ids if i in codes]


def record_finding(db: Database, plan_id: int | str, kind: str, statement: str, actor: str, clock: Clock,
                   clause: str = "", procedure: str | None = None, evidence: list[dict[str, Any]] | None = None,
                   responsible: str | None = None) -> dict[str, Any]:
    """Record a finding by a member of the audit team; a nonconformity starts a corrective-action case."""
    with unit_of_work(db) as uow:
        return record_finding_in(uow, plan_id, kind, statement, actor, clock, clause, procedure, evidence,
                                 responsible)


def record_finding_in(uow: UnitOfWork, plan_id: int | str, kind: str, statement: str, actor: str, clock: Clock,
                      clause: str = "", procedure: str | None = None, evidence: list[dict[str, Any]] | None = None,
                      responsible: str | None = None) -> dict[str, Any]:
    """Record a finding inside `uow` (see record_finding): the finding and its CAPA case commit together."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", {"kind": kind})
    if not statement or len(statement.strip()) < 5:
        raise InvalidInput("state the finding", {"statement": "required"})
    now = clock.now()
    conn = uow.conn
    plan = _plan(conn, plan_id)
    if actor not in {u for u, _ in plan.team}:
        raise PermissionDenied(f"{actor} is not on the team of {plan.code}")
    links = checked_links(conn, plan, evidence or [])
    number = (conn.execute(select(func.max(audit_findings.c.number))
                           .where(audit_findings.c.plan_id == plan.id)).scalar() or 0) + 1
    ref = f"{plan.code}/{number:02d}"
    capa = None
    if kind == "nonconformity":
        data = {"ma_phat_hien": ref, "mo_ta": statement.strip()[:4000], "dieu_khoan": clause[:200],
                "quy_trinh": procedure or "", "don_vi": plan.unit,
                "nguoi_chiu_trach_nhiem": responsible or _head_of(conn, plan.unit)}
        capa = instances.start_in(uow, CAPA_CODE, data, actor, clock)
    finding_id = inserted_id(conn.execute(insert(audit_findings).values(
        plan_id=plan.id, number=number, kind=kind, clause=clause, procedure=procedure, statement=statement.strip(),
        evidence=json.dumps(links, ensure_ascii=False), created_by=actor, created_at=now,
        capa_instance_id=capa.instance_id if capa else None)))
    conn.execute(update(audit_plans).where(audit_plans.c.id == plan.id, audit_plans.c.status == "planned")
                 .values(status="in_progress"))
    return {"id": finding_id, "ref": ref, "kind": kind, "evidence": links,
            "capa": capa.business_key if capa else None, "capa_instance_id": capa.instance_id if capa else None}


def head_of(db: Database, unit: str) -> str:
    """The username of a leader of the unit (or of the nearest unit above it that has one)."""
    with db.read() as conn:
        return _head_of(conn, unit)


def _head_of(conn: Connection, unit: str) -> str:
    path = organisation.unit_by_code(conn, unit).path
    above = [h for h in organisation.role_holders(conn) if h.role_kind == "leader" and path.startswith(h.unit_path)]
    if not above:
        raise NotFound(f"no leader of {unit} or above it")
    # The nearest unit above wins; among its leaders, the first by username (role_holders' order).
    nearest = max(len(h.unit_path) for h in above)
    return next(h.username for h in above if len(h.unit_path) == nearest)


def findings(db: Database, year: int | None = None, plan_id: int | None = None) -> list[dict[str, Any]]:
    """Findings with their plan, unit and corrective-action case (status from the case), oldest first."""
    query = (select(audit_findings, audit_plans.c.code.label("plan"), audit_plans.c.year, audit_plans.c.unit_id)
             .join(audit_plans, audit_plans.c.id == audit_findings.c.plan_id).order_by(audit_findings.c.id))
    if year is not None:
        query = query.where(audit_plans.c.year == year)
    if plan_id is not None:
        query = query.where(audit_plans.c.id == plan_id)
    with db.read() as conn:
        rows = list(conn.execute(query))
        unit_codes = organisation.unit_codes(conn)
        capas = records.case_summaries(conn, [r.capa_instance_id for r in rows if r.capa_instance_id is not None])
    found = []
    for r in rows:
        capa = capas.get(r.capa_instance_id) if r.capa_instance_id is not None else None
        found.append({"ref": f"{r.plan}/{r.number:02d}", "plan": r.plan, "unit": unit_codes[r.unit_id],
                      "kind": r.kind, "clause": r.clause, "procedure": r.procedure, "statement": r.statement,
                      "evidence": json.loads(r.evidence), "by": r.created_by, "at": r.created_at,
                      "capa": capa.business_key if capa else None, "capa_status": capa.status if capa else None})
    return found


def answer(db: Database, plan_id: int | str, procedure: str, item_no: int, value: str, actor: str,
           note: str = "", evidence: list[dict[str, Any]] | None = None) -> None:
    """Record the answer to one checklist item (a team member only), with the dossiers and events that show it."""
    if value not in (*KINDS, "not_applicable"):
        raise InvalidInput("answer must be conformity, observation, nonconformity or not_applicable")
    with db.write() as conn:
        plan = _plan(conn, plan_id)
        if actor not in {u for u, _ in plan.team}:
            raise PermissionDenied(f"{actor} is not on the team of {plan.code}")
        if plan.status == "done":
            raise InvalidInput(f"{plan.code} is closed", {"plan": "closed"})
        links = checked_links(conn, plan, evidence or [])
        done = conn.execute(update(audit_checklist).where(
            audit_checklist.c.plan_id == plan.id, audit_checklist.c.procedure == procedure,
            audit_checklist.c.item_no == item_no).values(answer=value, note=_stored_note(note, links, actor)))
        if done.rowcount != 1:
            raise NotFound(f"{plan.code} has no checklist item {procedure} #{item_no}")
        # The first answer means the audit is under way (as the first finding does).
        conn.execute(update(audit_plans).where(audit_plans.c.id == plan.id, audit_plans.c.status == "planned")
                     .values(status="in_progress"))


# An answer's evidence and who answered are kept with its note as JSON ({"text", "evidence", "by"}): the
# checklist table has one free-text column for them, and a plain-text note written before is read as text.
def _stored_note(text: str, links: list[dict[str, Any]], actor: str) -> str:
    if not links:
        return text.strip()
    return json.dumps({"text": text.strip(), "evidence": links, "by": actor}, ensure_ascii=False)


def _read_note(stored: str | None) -> tuple[str, list[dict[str, Any]]]:
    if stored and stored.startswith("{"):
        try:
            found = json.loads(stored)
            return str(found.get("text", "")), list(found.get("evidence", []))
        except ValueError:
            pass
    return stored or "", []


def checklist(db: Database, plan_id: int | str) -> list[dict[str, Any]]:
    """The plan's checklist items in order (note: the text; evidence: the dossiers and events linked)."""
    with db.read() as conn:
        plan = _plan(conn, plan_id)
        rows = conn.execute(select(audit_checklist).where(audit_checklist.c.plan_id == plan.id)
                            .order_by(audit_checklist.c.procedure, audit_checklist.c.item_no))
        items = []
        for r in rows:
            item = {k: v for k, v in r._asdict().items() if k not in ("id", "plan_id")}
            item["note"], item["evidence"] = _read_note(r.note)
            items.append(item)
        return items


def close_plan(db: Database, plan_id: int | str, actor: str | None = None) -> None:
    """Mark an audit done: every checklist item answered; when an actor is given, a member of the team."""
    with db.write() as conn:
        plan = _plan(conn, plan_id)
        if actor is not None and actor not in {u for u, _ in plan.team}:
            raise PermissionDenied(f"{actor} is not on the team of {plan.code}")
        open_items = conn.execute(select(func.count()).select_from(audit_checklist).where(
            audit_checklist.c.plan_id == plan.id, audit_checklist.c.answer.is_(None))).scalar_one()
        if open_items:
            raise InvalidInput(f"{plan.code} has {open_items} checklist items not answered yet",
                               {"checklist": str(open_items)})
        conn.execute(update(audit_plans).where(audit_plans.c.id == plan.id).values(status="done"))
