"""The inbox read from ix_tasks_inbox one queue at a time (issue 15 item 3): its cost follows the user's
queues, not the number of open steps in the whole province.

An inbox is the open steps assigned to the user (or to whom they stand in for), plus the unassigned steps of
the (roles, unit) queues they may work. Written as one condition with ORs, the database walks every open
step of every agency, then sorts what matched. Here each queue (a state, and an assignee or a roles and unit)
is an equality prefix of ix_tasks_inbox (state, assignee, roles, unit_id, due_at, id, …):

- the queues a user may work are chosen among the distinct (roles, unit) pairs of open unassigned steps,
  found by a loose index scan (one index seek per pair, not one row per step);
- the count is the sum of each queue's count (an index range each, disjoint: a step has one state and
  is either assigned or in one queue), each read no further than the page's cap (COUNT_CAP in
  processes/queries.py): past it the page says "more than 1,000 steps" instead of counting 40,000;
- a page sorted by due date takes, from each queue, its first `offset + per_page` steps in index order
  (those with a due date by (due_at, id), then those without by id), and merges them: the same steps in
  the same order as ORDER BY due_at IS NULL, due_at, id over the whole inbox.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Column, ColumnElement, Connection, Select, and_, func, select, text, union_all

from .projection import OPEN
from .schema import human_tasks

# Past this many queues (a leader over many units) the inbox is read by the single query: each queue adds two
# SELECTs to a UNION ALL, and SQLite allows 500 in one compound statement.
MAX_QUEUES = 100

# Each probe reads one index entry: ORDER BY the index's own leading columns with LIMIT 1, not min(), which
# PostgreSQL answers by reading every entry of the range (it does not treat "assignee IS NULL" as fixing that
# column, so the index order is not roles order to it).
_PAIRS = text("""
WITH RECURSIVE r(roles) AS (
  SELECT (SELECT h.roles FROM human_tasks h WHERE h.state = :s AND h.assignee IS NULL
          ORDER BY h.state, h.assignee, h.roles LIMIT 1)
  UNION ALL
  SELECT (SELECT h.roles FROM human_tasks h WHERE h.state = :s AND h.assignee IS NULL AND h.roles > r.roles
          ORDER BY h.state, h.assignee, h.roles LIMIT 1)
  FROM r WHERE r.roles IS NOT NULL
), u(roles, unit_id) AS (
  SELECT r.roles, (SELECT h.unit_id FROM human_tasks h
                   WHERE h.state = :s AND h.assignee IS NULL AND h.roles = r.roles AND h.unit_id IS NOT NULL
                   ORDER BY h.state, h.assignee, h.roles, h.unit_id LIMIT 1)
  FROM r WHERE r.roles IS NOT NULL
  UNION ALL
  SELECT u.roles, (SELECT h.unit_id FROM human_tasks h
                   WHERE h.state = :s AND h.assignee IS NULL AND h.roles = u.roles AND h.unit_id > u.unit_id
                   ORDER BY h.state, h.assignee, h.roles, h.unit_id LIMIT 1)
  FROM u WHERE u.unit_id IS NOT NULL
)
SELECT roles, unit_id FROM u WHERE unit_id IS NOT NULL
""")


def open_pairs(conn: Connection) -> list[tuple[str, int]]:
    """The distinct (roles, unit id) of open unassigned steps with a unit, in (roles, unit id) order."""
    found: set[tuple[str, int]] = set()
    for state in OPEN:
        found.update((r.roles, r.unit_id) for r in conn.execute(_PAIRS, {"s": state}))
    return sorted(found)


class Queue(NamedTuple):
    """One queue of an inbox: its condition, and the index columns it fixes ahead of due_at (a queue of
    unassigned steps fixes state, assignee, roles, unit_id: ordering by them too lets PostgreSQL read the
    page in index order, as it does not count "assignee IS NULL" as fixing that column; a person's queue
    fixes state and assignee only, its steps' roles and units come before due_at in the index)."""

    where: ColumnElement[bool]
    fixed: tuple[Column[Any], ...]


def queues(people: list[str], pairs: list[tuple[str, int]], mine_only: bool = False,
           queue_only: bool = False) -> list[Queue]:
    """One condition per queue of an inbox, each an equality prefix of ix_tasks_inbox; disjoint."""
    t = human_tasks.c
    found: list[Queue] = []
    for state in OPEN:
        if not queue_only:
            found.extend(Queue(and_(t.state == state, t.assignee == person), ()) for person in people)
        if not mine_only:
            found.extend(Queue(and_(t.state == state, t.assignee.is_(None), t.roles == roles, t.unit_id == unit),
                               (t.state, t.assignee, t.roles, t.unit_id))
                         for roles, unit in pairs)
    return found


def count(conn: Connection, queues_: list[Queue], extra: list[ColumnElement[bool]], cap: int | None = None) -> int:
    """How many steps the queues hold (with the extra conditions); with a `cap`, counted up to cap + 1 only
    (each queue's range read no further than that), so a result above `cap` means "more than cap"."""
    if not queues_:
        return 0
    parts = [capped_count(select(human_tasks.c.id).where(q.where, *extra), cap).scalar_subquery() for q in queues_]
    total: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        total = total + part
    found_total = int(conn.execute(select(total)).scalar_one())
    return min(found_total, cap + 1) if cap is not None else found_total


def capped_count(found: Select[Any], cap: int | None) -> Select[int]:
    """SELECT count(*) of the rows `found` gives; with a `cap`, of its first cap + 1 only (a LIMIT inside: the
    database stops reading there), so a result above `cap` means "more than cap". The inbox's queues and the
    dossier search (processes/queries.py) count with it."""
    return select(func.count()).select_from((found if cap is None else found.limit(cap + 1)).subquery())


def page_ids(conn: Connection, queues_: list[Queue], extra: list[ColumnElement[bool]],
             descending: bool, offset: int, limit: int) -> list[int]:
    """The ids of one page sorted by due date ("due", or "-due" when `descending`), no-due steps last."""
    if not queues_:
        return []
    t = human_tasks.c
    take = offset + limit
    parts = []
    for q in queues_:
        fixed = tuple(c.desc() for c in q.fixed) if descending else q.fixed
        due_order = (*fixed, t.due_at.desc(), t.id.desc()) if descending else (*fixed, t.due_at, t.id)
        # (due_at is NULL throughout the second part: a queue's index order is then its id order)
        id_order = due_order if q.fixed else (t.id.desc(),) if descending else (t.id,)
        parts.append(select(t.id, t.due_at).where(q.where, t.due_at.is_not(None), *extra)
                     .order_by(*due_order).limit(take).subquery().select())
        parts.append(select(t.id, t.due_at).where(q.where, t.due_at.is_(None), *extra)
                     .order_by(*id_order).limit(take).subquery().select())
    rows: list[Any] = list(conn.execute(union_all(*parts)))
    timed = sorted(((r.due_at, r.id) for r in rows if r.due_at is not None), reverse=descending)
    untimed = sorted((r.id for r in rows if r.due_at is None), reverse=descending)
    ordered = [i for _, i in timed] + untimed
    return ordered[offset:offset + limit]
