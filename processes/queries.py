"""Read models for the officer pages: the inbox and the dossier search, paged in SQL (no workflow is loaded)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Select, and_, false, func, or_, select

from . import inbox_index, notifications, organisation, search_terms, sla
from .access import Viewer, case_condition, may_act, task_condition, viewer
from .case_chain import heads_step, leads_case
from .citizen_scope import citizens_only
from .clock import Clock
from .db import Database
from .dossier_rules import LABELS, RUNNING, DossierStatus
from .errors import NotFound
from .keys import VN
from .projection import OPEN
from .schema import definitions, dossiers, human_tasks, instances, units, users

MAX_PAGE = 100
# An inbox or a dossier search counts up to this many (issue 15 item 3): past it the page says "more than
# 1,000", and the count no longer reads every entry of a 40,000-step queue or every "Nguyễn" on every page.
COUNT_CAP = 1000
TASK_SORTS = {
    "due": (human_tasks.c.due_at.is_(None), human_tasks.c.due_at, human_tasks.c.id),
    "-due": (human_tasks.c.due_at.is_(None), human_tasks.c.due_at.desc(), human_tasks.c.id.desc()),
    "created": (human_tasks.c.created_at, human_tasks.c.id),
    "-created": (human_tasks.c.created_at.desc(), human_tasks.c.id.desc()),
    "code": (instances.c.business_key, human_tasks.c.id),
}
DOSSIER_SORTS = {
    "-received": (dossiers.c.received_at.desc(), dossiers.c.id.desc()),
    "received": (dossiers.c.received_at, dossiers.c.id),
    "appointment": (dossiers.c.appointment_at.is_(None), dossiers.c.appointment_at, dossiers.c.id),
    "code": (dossiers.c.code,),
}


@dataclass(frozen=True)
class Page:
    """One page of results with what is needed to draw the pager."""

    items: list[Any]
    total: int
    page: int
    per_page: int
    more: bool = False  # there are more than `total` (the count stopped at a cap)

    @property
    def pages(self) -> int:
        """How many pages there are (at least one); with `more`, one past the current page while it is full (a page
        that is not full is the last)."""
        counted = max(1, -(-self.total // self.per_page))
        return max(counted, self.page + (len(self.items) == self.per_page)) if self.more else counted

    @classmethod
    def capped(cls, items: list[Any], counted: int, page: int, per_page: int) -> Page:
        """The page of a count that stopped past COUNT_CAP: `total` is COUNT_CAP then, with `more` set."""
        more = counted > COUNT_CAP
        return cls(items, COUNT_CAP if more else counted, page, per_page, more)


def _capped_count(conn: Connection, found: Select[Any]) -> int:
    """How many rows `found` gives, counted no further than COUNT_CAP + 1 (so a 40,000-step queue or every
    "Nguyễn" of a province is not read to say "more than 1,000")."""
    return int(conn.execute(inbox_index.capped_count(found, COUNT_CAP)).scalar_one())


@dataclass(frozen=True)
class InboxItem:
    """A step in an inbox, with its dossier and its SLA state now."""

    id: str
    element_id: str
    name: str
    state: str
    assignee: str | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    sla_state: str | None
    instance_id: int
    code: str
    procedure: str
    procedure_name: str
    applicant_name: str | None
    appointment_at: dt.datetime | None


def _paging(page: int, per_page: int) -> tuple[int, int]:
    return max(1, int(page)), min(MAX_PAGE, max(1, int(per_page)))


def inbox(db: Database, username: str, clock: Clock, *, scope: str = "all", procedure: str | None = None,
          sla_filter: str | None = None, q: str | None = None, sort: str = "due", page: int = 1,
          per_page: int = 20) -> Page:
    """The user's open steps (scope all / mine / queue), filtered, sorted and paged in SQL.

    `total` is exact up to COUNT_CAP; past it the page has `more` set and `total` is COUNT_CAP.

    The page's step ids are chosen on human_tasks alone (other tables joined only when a filter or the sort
    needs them), then the page's few rows are read with their dossiers.
    """
    now = clock.now()
    page, per_page = _paging(page, per_page)
    sort = sort if sort in TASK_SORTS else "due"
    with db.read() as conn:
        v = viewer(conn, username, now)
        cond = [task_condition(v, mine_only=scope == "mine", queue_only=scope == "queue")]
        source: FromClause = human_tasks
        if procedure or sort == "code":  # the index covers the join: no task row is read
            source = source.join(instances, instances.c.id == human_tasks.c.instance_id)
        if procedure:
            versions = [r.id for r in conn.execute(select(definitions.c.id).where(definitions.c.code == procedure))]
            cond.append(instances.c.definition_id.in_(versions))
        if sla_filter == "overdue":
            cond.append(human_tasks.c.due_at < now)
        elif sla_filter == "due_soon":
            cond.append(and_(human_tasks.c.soon_at <= now, human_tasks.c.due_at >= now))
        if q and q.strip():
            # checked per step of the user's queues (a code's part, or the folded words): a page read queue by
            # queue in due order stops when it is full instead of sorting every match of the inbox
            text = q.strip()
            by_words = search_terms.matches(conn, human_tasks.c.instance_id, text, bounded_outer=True)
            # an alias correlated to the step alone: with the procedure filter or the code sort the outer query
            # joins instances too, and SQLAlchemy would correlate both tables away, leaving no FROM
            case = instances.alias("q_case")
            by_code = select(case.c.id).where(case.c.id == human_tasks.c.instance_id,
                                              case.c.business_key.contains(text, autoescape=True)
                                              ).correlate(human_tasks)
            cond.append(or_(by_code.exists(), *([by_words] if by_words is not None else [])))
        queues = inbox_index.queues(sorted({v.username, *v.standing_in}), v.granted or [],
                                    mine_only=scope == "mine", queue_only=scope == "queue")
        # the default page: queue by queue, from the index (unless so many queues that one query is simpler)
        if source is human_tasks and sort in ("due", "-due") and len(queues) <= inbox_index.MAX_QUEUES:
            total = inbox_index.count(conn, queues, cond[1:], COUNT_CAP)
            ids = inbox_index.page_ids(conn, queues, cond[1:], sort == "-due", (page - 1) * per_page, per_page)
        else:
            total = _capped_count(conn, select(human_tasks.c.id).select_from(source).where(*cond))
            ids = [r.id for r in conn.execute(select(human_tasks.c.id).select_from(source).where(*cond)
                                              .order_by(*TASK_SORTS[sort])
                                              .limit(per_page).offset((page - 1) * per_page))]
        found = {r.id: r for r in conn.execute(_task_columns().select_from(_task_join())
                                               .where(human_tasks.c.id.in_(ids)))} if ids else {}
        items = [_inbox_item(found[i], now) for i in ids if i in found]
    return Page.capped(items, total, page, per_page)


def _task_join():
    return (human_tasks.join(instances, instances.c.id == human_tasks.c.instance_id)
            .join(definitions, definitions.c.id == instances.c.definition_id)
            .outerjoin(dossiers, dossiers.c.instance_id == instances.c.id))


def _task_columns() -> Select:
    return select(human_tasks.c.id, human_tasks.c.task_uuid, human_tasks.c.element_id, human_tasks.c.name,
                  human_tasks.c.state, human_tasks.c.assignee, human_tasks.c.created_at, human_tasks.c.due_at,
                  human_tasks.c.soon_at, human_tasks.c.instance_id, instances.c.business_key, definitions.c.code,
                  definitions.c.name.label("procedure_name"), dossiers.c.applicant_name, dossiers.c.appointment_at)


def _inbox_item(r, now: dt.datetime) -> InboxItem:
    state = sla.state_at(now, r.due_at, r.soon_at).value if r.due_at is not None else None
    return InboxItem(r.task_uuid, r.element_id, r.name, r.state, r.assignee, r.created_at, r.due_at, state,
                     r.instance_id, r.business_key, r.code, r.procedure_name, r.applicant_name, r.appointment_at)


def open_count(db: Database, username: str, clock: Clock) -> int:
    """How many open steps the user's inbox holds (for the menu badge)."""
    now = clock.now()
    with db.read() as conn:
        v = viewer(conn, username, now)
        return conn.execute(select(func.count()).select_from(human_tasks).where(task_condition(v))).scalar_one()


# ---- dossier search --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DossierRow:
    """A dossier as the list and the CSV export show it."""

    instance_id: int
    code: str
    procedure: str
    procedure_name: str
    unit: str
    applicant_name: str | None
    applicant_id_number: str | None
    channel: str
    status_code: int
    status: str
    received_at: dt.datetime
    appointment_at: dt.datetime | None
    done_at: dt.datetime | None
    result: str | None
    sla_state: str | None
    current_steps: str = ""


@dataclass(frozen=True)
class DossierFilter:
    """What the dossier search looks for; every field optional."""

    code: str | None = None
    applicant: str | None = None
    procedure: str | None = None
    status: int | None = None
    unit: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    sla: str | None = None  # overdue | due_soon


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VN).astimezone(dt.UTC)


def _words(conn: Connection, text: str, walk: bool) -> ColumnElement[bool]:
    found = search_terms.matches(conn, dossiers.c.instance_id, text, bounded_outer=walk)
    return found if found is not None else false()


def _dossier_conditions(conn: Connection, v: Viewer, f: DossierFilter, now: dt.datetime,
                        walk: bool = False) -> list:
    """`walk`: the page is read in received order, walking ix_dossiers_received until it is full, so common
    words (a name half the province shares) are checked per dossier instead of listing every match."""
    cond = [case_condition(v)]
    # Code and applicant go through the folded word index (processes/search_terms.py): "nguyen thi" finds
    # "Nguyễn Thị …" and no search reads every dossier; a text with no word finds nothing.
    if f.code and f.code.strip():
        # Never walked: a code's words carry its reception date, so a common part ("B01-2511", a month) matches
        # dossiers bunched in time, and walking back from the newest read every newer dossier first (~3x slower
        # at 100 k than listing the matches).
        cond.append(or_(dossiers.c.code == f.code.strip(), _words(conn, f.code, False)))
    if f.applicant and f.applicant.strip():
        cond.append(_words(conn, f.applicant, walk))
    if f.procedure:
        cond.append(dossiers.c.procedure == f.procedure)
    if f.status is not None:
        cond.append(dossiers.c.status_code == int(f.status))
    if f.unit:
        cond.append(units.c.code == f.unit)
    if f.received_from:
        cond.append(dossiers.c.received_at >= _day_start(f.received_from))
    if f.received_to:
        cond.append(dossiers.c.received_at < _day_start(f.received_to + dt.timedelta(days=1)))
    running = dossiers.c.status_code.in_([int(s) for s in RUNNING])
    if f.sla == "overdue":
        cond.append(and_(running, dossiers.c.appointment_at < now))
    elif f.sla == "due_soon":
        cond.append(and_(running, dossiers.c.soon_at <= now, dossiers.c.appointment_at >= now))
    return cond


def _dossier_query(cond: list) -> Select:
    return (select(dossiers.c.instance_id, dossiers.c.code, dossiers.c.procedure, definitions.c.name.label("pname"),
                   units.c.name.label("unit"), dossiers.c.applicant_name, dossiers.c.applicant_id_number,
                   dossiers.c.channel, dossiers.c.status_code, dossiers.c.received_at, dossiers.c.appointment_at,
                   dossiers.c.soon_at, dossiers.c.done_at, dossiers.c.result)
            .select_from(dossiers.join(instances, instances.c.id == dossiers.c.instance_id)
                         .join(definitions, definitions.c.id == instances.c.definition_id)
                         .join(units, units.c.id == dossiers.c.unit_id))
            .where(*cond))


def _dossier_row(r, now: dt.datetime, steps: str = "") -> DossierRow:
    status = DossierStatus(r.status_code)
    state = sla.state_at(now, r.appointment_at, r.soon_at).value if status in RUNNING else None
    return DossierRow(r.instance_id, r.code, r.procedure, r.pname, r.unit, r.applicant_name, r.applicant_id_number,
                      r.channel, r.status_code, LABELS[status], r.received_at, r.appointment_at, r.done_at,
                      r.result, state, steps)


def search_dossiers(db: Database, username: str, clock: Clock, f: DossierFilter, sort: str = "-received",
                    page: int = 1, per_page: int = 20) -> Page:
    """Dossiers the user may see matching `f`, one page, with the steps each is at now (`total` exact up to
    COUNT_CAP, else COUNT_CAP with `more`)."""
    now = clock.now()
    page, per_page = _paging(page, per_page)
    with db.read() as conn:
        cond = _dossier_conditions(conn, viewer(conn, username, now), f, now, walk=sort in ("-received", "received"))
        base = _dossier_query(cond)
        total = _capped_count(conn, base)
        rows = list(conn.execute(base.order_by(*DOSSIER_SORTS.get(sort, DOSSIER_SORTS["-received"]))
                                 .limit(per_page).offset((page - 1) * per_page)))
        steps: dict[int, list[str]] = {}
        if rows:
            for t in conn.execute(select(human_tasks.c.instance_id, human_tasks.c.name).where(
                    human_tasks.c.instance_id.in_([r.instance_id for r in rows]), human_tasks.c.state.in_(OPEN))
                    .order_by(human_tasks.c.id)):
                steps.setdefault(t.instance_id, []).append(t.name)
        items = [_dossier_row(r, now, "; ".join(steps.get(r.instance_id, []))) for r in rows]
    return Page.capped(items, total, page, per_page)


def export_dossiers(db: Database, username: str, clock: Clock, f: DossierFilter, limit: int = 100_000,
                    batch: int = 2000) -> Iterator[DossierRow]:
    """Every dossier matching `f` the user may see, oldest first, read in batches (for the CSV export)."""
    now = clock.now()
    with db.read() as conn:
        # the CSV lists citizens' dossiers: internal cases (approvals, CAPA) are not (issue 13)
        cond = [*_dossier_conditions(conn, viewer(conn, username, now), f, now),
                citizens_only(conn, dossiers.c.procedure)]
        query = _dossier_query(cond)
        result = conn.execution_options(yield_per=batch).execute(
            query.order_by(dossiers.c.received_at, dossiers.c.id).limit(limit))
        for r in result:
            yield _dossier_row(r, now)


def full_names(db: Database, usernames: set[str]) -> dict[str, str]:
    """Display names of users (their username when they have none)."""
    if not usernames:
        return {}
    with db.read() as conn:
        rows = conn.execute(select(users.c.username, users.c.full_name).where(users.c.username.in_(sorted(usernames))))
        return {r.username: r.full_name or r.username for r in rows}


@dataclass(frozen=True)
class TaskContext:
    """An open or closed step with what its page needs to decide which actions to offer."""

    id: str
    instance_id: int
    code: str
    element_id: str
    name: str
    state: str
    assignee: str | None
    due_at: dt.datetime | None
    sla_state: str | None
    may_act: bool
    may_lead: bool
    candidates: list[tuple[str, str]]  # (username, full name) who may be given the step


def task_context(db: Database, task_uuid: str, username: str, clock: Clock) -> TaskContext:
    """A step seen by `username`: may they do it, may they hand it to someone else, and to whom."""
    now = clock.now()
    with db.read() as conn:
        row = conn.execute(select(human_tasks, instances.c.business_key, units.c.path)
                           .join(instances, instances.c.id == human_tasks.c.instance_id)
                           .join(units, units.c.id == instances.c.unit_id)
                           .where(human_tasks.c.task_uuid == str(task_uuid))).first()
        if row is None:
            raise NotFound.of("task_not_found", task=task_uuid)
        member = organisation.memberships_of(conn, username)
        # The same rule as tasks.assign: the case's leaders and the head of the step's own department.
        leads = row.state in OPEN and (leads_case(member, row.path) or heads_step(conn, member, row.roles, row.path))
        people = sorted({h.username for h in notifications.holders(conn, row.roles, row.path)}) if leads else []
        names = {r.username: r.full_name for r in conn.execute(
            select(users.c.username, users.c.full_name).where(users.c.username.in_(people)))} if people else {}
        state = sla.state_at(now, row.due_at, row.soon_at).value if row.due_at and row.state in OPEN else None
        return TaskContext(row.task_uuid, row.instance_id, row.business_key, row.element_id, row.name, row.state,
                           row.assignee, row.due_at, state, may_act(conn, username, row, row.path, now), leads,
                           [(p, names.get(p, p)) for p in people])
