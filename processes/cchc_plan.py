"""The year's CCHC plan (issue 17 item 2): unit aliases, storing an imported plan with a QT-CCHC-01 case per
item, and reading the items back with how far their cases are.

Reading the appendix and matching names is oversight/'s (oversight/plan_import.py); this module owns the
tables (processes/oversight_schema.py) and the use cases that write them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, insert, select

from . import instances, organisation
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput
from .inserted import inserted_id
from .oversight_schema import cchc_plan_items, cchc_plans, unit_aliases
from .schema import instances as instances_table
from .schema import units
from .search_terms import fold
from .uow import UnitOfWork, unit_of_work

PROCEDURE = "QT-CCHC-01"
FIRST_STEP = "Task_Giao"
# Words that join the parts of a unit's name and that agencies write either way ("Kinh tế – Hạ tầng",
# "Kinh tế và Hạ tầng", "Kinh tế & Hạ tầng"): left out of both sides when names are compared.
_CONNECTORS = re.compile(r"(?<!\w)(va|&)(?!\w)|[-–—&,.;:()/]")


def fold_name(text: str) -> str:
    """A unit name as compared: no case, diacritics, connectors, "(demo)"-like remarks; "Ủy ban nhân dân" = UBND."""
    folded = fold(re.sub(r"\([^)]*\)", " ", text))
    folded = folded.replace("uy ban nhan dan", "ubnd").replace("hoi dong nhan dan", "hdnd")
    return " ".join(_CONNECTORS.sub(" ", folded).split())


@dataclass(frozen=True)
class UnitRef:
    """A unit as the plan import sees it: code, name, where it sits, and who carries out its part."""

    code: str
    name: str
    kind: str
    path: str
    agency_path: str
    depth: int
    leader: str | None  # the leader of the unit, else of the nearest unit above it


@dataclass(frozen=True)
class Directory:
    """Every unit, and the declared aliases (folded alias → unit code)."""

    units: list[UnitRef]
    aliases: dict[str, str]


def directory(db: Database) -> Directory:
    """The units and aliases plan names are matched against."""
    with db.read() as conn:
        return _directory(conn)


def _directory(conn: Connection) -> Directory:
    leaders = [h for h in organisation.role_holders(conn) if h.role_kind == "leader"]
    found = []
    for r in conn.execute(select(units.c.code, units.c.name, units.c.kind, units.c.path, units.c.agency_path)
                          .order_by(units.c.path)):
        above = [h for h in leaders if r.path.startswith(h.unit_path)]
        nearest = max((len(h.unit_path) for h in above), default=0)
        leader = next((h.username for h in above if len(h.unit_path) == nearest), None)
        found.append(UnitRef(r.code, r.name, r.kind, r.path, r.agency_path, r.path.count("/") - 1, leader))
    aliases = {r.folded: r.code for r in conn.execute(
        select(unit_aliases.c.folded, units.c.code).join(units, units.c.id == unit_aliases.c.unit_id))}
    return Directory(found, aliases)


def add_alias(db: Database, unit: str, alias: str) -> str:
    """Declare another name of `unit` for plan imports; returns the folded form stored."""
    folded = fold_name(alias)
    if not folded:
        raise InvalidInput("the alias is empty", {"alias": "required"})
    with unit_of_work(db) as uow:
        row = organisation.unit_by_code(uow.conn, unit)
        taken = uow.conn.execute(select(unit_aliases.c.unit_id).where(unit_aliases.c.folded == folded)).first()
        if taken is not None:
            raise ConflictError(f"alias '{alias}' is already declared")
        uow.conn.execute(insert(unit_aliases).values(unit_id=row.id, alias=alias.strip(), folded=folded))
    return folded


@dataclass(frozen=True)
class NewItem:
    """A plan item ready to store: units resolved (code, who carries out its part), deadline read."""

    row: int
    section_no: str
    section_title: str
    number: str
    task: str
    product: str
    lead_text: str
    leads: list[tuple[str, str]]
    cooperating: list[tuple[str, str]]
    budget: Decimal | None
    deadline_text: str
    due: dt.date | None


def store_plan(db: Database, year: int, file_name: str, items: list[NewItem], actor: str, clock: Clock) -> int:
    """Store the plan of `year` and start a QT-CCHC-01 case per item, all or nothing; returns the plan id."""
    with unit_of_work(db) as uow:
        return store_plan_in(uow, year, file_name, items, actor, clock)


def store_plan_in(uow: UnitOfWork, year: int, file_name: str, items: list[NewItem], actor: str,
                  clock: Clock) -> int:
    """Store the plan inside `uow` (see store_plan): the plan, its items and their cases commit together."""
    conn = uow.conn
    if conn.execute(select(cchc_plans.c.id).where(cchc_plans.c.year == year)).first() is not None:
        raise ConflictError(f"the CCHC plan of {year} is already imported")
    if not items:
        raise InvalidInput("the plan has no items", {"items": "none"})
    plan_id = inserted_id(conn.execute(insert(cchc_plans).values(
        year=year, file_name=file_name[:255], imported_by=actor, imported_at=clock.now())))
    for position, item in enumerate(items, start=1):
        data = {"ma_nhiem_vu": f"{item.section_no}.{item.number}", "nhiem_vu": item.task[:4000],
                "san_pham": item.product[:500], "don_vi_chu_tri": ", ".join(c for c, _ in item.leads),
                "don_vi_phoi_hop": ", ".join(c for c, _ in item.cooperating),
                "han_hoan_thanh": item.due.isoformat() if item.due else "",
                "co_phoi_hop": bool(item.cooperating),
                "nguoi_thuc_hien_ds": [who for _, who in item.leads],
                "nguoi_phoi_hop_ds": [who for _, who in item.cooperating]}
        started = instances.start_in(uow, PROCEDURE, data, actor, clock)
        # Phòng Nội vụ gives the item out by importing the plan: its first step is done in the same breath.
        first = next(s for s in started.opened if s.element_id == FIRST_STEP)
        # What the item is, written at that step, so each unit's step shows it among the earlier decisions.
        due = f"{item.due:%d/%m/%Y} ({item.deadline_text})" if item.due else item.deadline_text
        instances.complete_in(uow, str(first.task_id), {
            "ma_nhiem_vu": f"{item.section_no}.{item.number}", "nhiem_vu": item.task[:4000],
            "san_pham": item.product[:500], "han_theo_ke_hoach": due[:300]}, actor, clock)
        conn.execute(insert(cchc_plan_items).values(
            plan_id=plan_id, position=position, row=item.row, section_no=item.section_no,
            section_title=item.section_title[:500], number=item.number, task=item.task,
            product=item.product[:500], lead_text=item.lead_text,
            leads=json.dumps([c for c, _ in item.leads]), cooperating=json.dumps([c for c, _ in item.cooperating]),
            budget=item.budget, deadline_text=item.deadline_text[:300], due_date=item.due,
            instance_id=started.instance_id))
    return plan_id


@dataclass(frozen=True)
class StoredItem:
    """A stored plan item and its case: status running | completed | cancelled …, finished_at when it ended."""

    section_no: str
    section_title: str
    number: str
    task: str
    product: str
    leads: list[str]
    cooperating: list[str]
    budget: Decimal | None
    deadline_text: str
    due: dt.date | None
    business_key: str | None
    status: str | None
    finished_at: dt.datetime | None


def plan_items(db: Database, year: int) -> list[StoredItem]:
    """The items of the plan of `year` in the plan's order (empty when there is none)."""
    query = (select(cchc_plan_items, instances_table.c.business_key, instances_table.c.status,
                    instances_table.c.completed_at)
             .join(cchc_plans, cchc_plans.c.id == cchc_plan_items.c.plan_id)
             .outerjoin(instances_table, instances_table.c.id == cchc_plan_items.c.instance_id)
             .where(cchc_plans.c.year == year).order_by(cchc_plan_items.c.position))
    with db.read() as conn:
        rows = list(conn.execute(query))
    return [StoredItem(r.section_no, r.section_title, r.number, r.task, r.product, json.loads(r.leads),
                       json.loads(r.cooperating), Decimal(r.budget) if r.budget is not None else None,
                       r.deadline_text, r.due_date, r.business_key, r.status,
                       r.completed_at if r.status == "completed" else None) for r in rows]


def plan_years(db: Database) -> list[int]:
    """The years with an imported plan."""
    with db.read() as conn:
        return [r.year for r in conn.execute(select(cchc_plans.c.year).order_by(cchc_plans.c.year))]
