"""The inbox read queue by queue from the index (issue 15 item 3) lists the same steps, in the same order and
with the same count, as one query over the whole inbox ordered by due date — on every page, scope and filter,
with due dates shared by several steps and steps without one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select, update

from processes import inbox_index, queries
from processes.access import task_condition, viewer
from processes.schema import human_tasks
from processes.schema import instances as instances_table

from .conftest import RECEIVE, start_case, work


def _whole_inbox(db, user: str, now: dt.datetime, sort: str, scope: str, extra: list) -> tuple[int, list[str]]:
    """The inbox as one query (the page's order over every matching step): total and every step's id."""
    with db.read() as conn:
        v = viewer(conn, user, now)
        cond = [task_condition(v, mine_only=scope == "mine", queue_only=scope == "queue"), *extra]
        total = conn.execute(select(func.count()).select_from(human_tasks).where(*cond)).scalar_one()
        ids = [r.task_uuid for r in conn.execute(select(human_tasks.c.task_uuid).where(*cond)
                                                 .order_by(*queries.TASK_SORTS[sort]))]
    return total, ids


def test_the_inbox_by_queue_lists_what_one_query_over_the_whole_inbox_lists(proc, clock, monkeypatch):
    for _ in range(23):
        moved = start_case(proc, clock)
        work(proc, clock, "motcua", RECEIVE, moved.instance_id)  # Thẩm định opens for chuyen_vien_ktht
    with proc.write() as conn:
        rows = list(conn.execute(select(human_tasks.c.id).where(human_tasks.c.element_id == "Task_ThamDinh")
                                 .order_by(human_tasks.c.id)))
        base = clock.now()
        for n, r in enumerate(rows):
            # three steps per due instant (ties broken by id), every fifth without a due date, a few assigned
            due = None if n % 5 == 0 else base + dt.timedelta(hours=(n * 7) % 11)
            values = {"due_at": due, "soon_at": due}
            if n % 6 == 1:
                values.update(assignee="cv.ktht", state="claimed")
            conn.execute(update(human_tasks).where(human_tasks.c.id == r.id).values(**values))
        assert conn.execute(select(func.count()).select_from(instances_table)).scalar_one() == 23
    now = base + dt.timedelta(hours=4, minutes=30)
    filters = {None: [], "overdue": [human_tasks.c.due_at < now],
               "due_soon": [human_tasks.c.soon_at <= now, human_tasks.c.due_at >= now]}
    checked = 0
    clock.set(now)
    for sort in ("due", "-due"):
        for scope in ("all", "mine", "queue"):
            for sla_filter, extra in filters.items():
                total, expected = _whole_inbox(proc, "cv.ktht", clock.now(), sort, scope, extra)
                for page in (1, 2, 3, 4):
                    got = queries.inbox(proc, "cv.ktht", clock, scope=scope, sla_filter=sla_filter, sort=sort,
                                        page=page, per_page=4)
                    assert got.total == total
                    assert [t.id for t in got.items] == expected[(page - 1) * 4:page * 4], (sort, scope, sla_filter)
                    checked += len(got.items)
    assert checked > 100
    # with more queues than the index path takes, the single query answers: the same page
    fast = queries.inbox(proc, "cv.ktht", clock, page=2, per_page=4)
    monkeypatch.setattr(inbox_index, "MAX_QUEUES", 0)
    assert queries.inbox(proc, "cv.ktht", clock, page=2, per_page=4) == fast


@pytest.mark.parametrize("q", [None, "code"])  # a search in the inbox too (it sorted every match: issue 15 item 3)
def test_an_inbox_page_of_a_queue_is_read_in_order_from_the_index_not_sorted(proc, clock, q):
    """SQLite's plan of every statement of a queue page: no step list sorted or de-duplicated in a temporary
    B-tree (its cost would follow every open step of the province, not the page)."""
    if not proc.is_sqlite:
        return
    for _ in range(3):
        moved = start_case(proc, clock)
        work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, parameters))

    event.listen(proc.engine, "before_cursor_execute", keep)
    try:
        if q:  # a part of the cases' code: every step matches
            with proc.read() as conn:
                q = conn.execute(select(instances_table.c.business_key)).scalars().first()[:4]
        page = queries.inbox(proc, "cv.ktht", clock, scope="queue", q=q)
    finally:
        event.remove(proc.engine, "before_cursor_execute", keep)
    assert page.total == 3
    plans = []
    with proc.read() as conn:
        for statement, parameters in seen:
            if "human_tasks" in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                plans.append((statement, [row[-1] for row in plan]))
    assert plans
    for statement, plan in plans:
        assert not [p for p in plan if "TEMP B-TREE" in p], (statement, plan)


def test_the_queues_of_open_steps_are_found_one_index_entry_per_probe_on_postgresql(proc, clock):
    """PostgreSQL's plan of the loose index scan that finds the (roles, unit) queues: each probe reads one index
    entry, however many steps a queue holds (with min() it read every step of the queue, each inbox read and
    each case check); and no statement of ours is JIT-compiled (compiling it cost ~50 ms for ~1 ms of work)."""
    if proc.is_sqlite:
        pytest.skip("a PostgreSQL plan")
    for _ in range(12):
        moved = start_case(proc, clock)
        work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    with proc.read() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert inbox_index.open_pairs(conn) == [("chuyen_vien_ktht", open_unit(conn))]
        sql = str(inbox_index._PAIRS).replace(":s", "%(s)s")
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, {"s": "ready"}).scalar()
    scans = list(_scans(plan[0]["Plan"]))
    assert scans
    assert max(node["Actual Rows"] for node in scans) <= 1, scans
    # a page of 4 reads at most 4 steps of the queue, in index order (it read and sorted all 12)
    seen: list[tuple[str, object]] = []
    event.listen(proc.engine, "before_cursor_execute", lambda c, cur, sql, params, *_: seen.append((sql, params)))
    for sort in ("due", "-due"):
        assert queries.inbox(proc, "cv.ktht", clock, scope="queue", sort=sort, per_page=4).total == 12
    pages = [(sql, params) for sql, params in seen
             if "LIMIT" in sql and sql.lstrip().startswith("SELECT") and "count(" not in sql]  # (counts are capped)
    assert len(pages) == 2
    with proc.read() as conn:
        for sql, params in pages:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).scalar()
            assert max(node["Actual Rows"] for node in _scans(plan[0]["Plan"])) <= 4, plan


def open_unit(conn) -> int:
    return conn.execute(select(human_tasks.c.unit_id).where(human_tasks.c.state == "ready")).scalars().first()


def _scans(node: dict):
    if "Scan" in node["Node Type"] and node.get("Relation Name") == "human_tasks":
        yield node
    for child in node.get("Plans", []):
        yield from _scans(child)


def test_the_inbox_count_stops_at_the_cap_and_says_there_are_more(proc, clock, monkeypatch):
    """Issue 15 item 3: the count reads at most COUNT_CAP + 1 entries (a 40,000-step queue was counted whole on
    every page); the pages themselves are the same steps as without the cap."""
    for _ in range(7):
        moved = start_case(proc, clock)
        work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    full = {sort: queries.inbox(proc, "cv.ktht", clock, sort=sort, per_page=100) for sort in ("due", "created")}
    assert all(p.total == 7 and not p.more for p in full.values())
    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    counts: list[str] = []
    event.listen(proc.engine, "before_cursor_execute",
                 lambda c, cur, sql, *_: counts.append(sql) if "count(" in sql else None)
    for sort in ("due", "created"):  # the index path and the single query
        pages = [queries.inbox(proc, "cv.ktht", clock, sort=sort, page=n, per_page=2) for n in (1, 2, 3, 4)]
        assert [(p.total, p.more) for p in pages] == [(5, True)] * 4, sort
        # a next page while the count is capped and the page is full; the part-full page 4 is the last
        assert [p.pages for p in pages] == [3, 3, 4, 4]
        assert [t.id for p in pages for t in p.items] == [t.id for t in full[sort].items]
    # each count reads no further than the cap (a LIMIT per counted range), not the whole queue then clamped
    assert counts and all(sql.count("LIMIT") >= sql.count("count(") for sql in counts)
    monkeypatch.setattr(queries, "COUNT_CAP", 7)  # exactly at the cap: an exact count
    assert (queries.inbox(proc, "cv.ktht", clock).total, queries.inbox(proc, "cv.ktht", clock).more) == (7, False)
    with proc.read() as conn:
        v = viewer(conn, "cv.ktht", clock.now())
        queues = inbox_index.queues(["cv.ktht"], v.granted or [])
        assert inbox_index.count(conn, queues, [], cap=2) == 3 and inbox_index.count(conn, queues, []) == 7


@pytest.mark.parametrize("others", [{"procedure": "QT-TEST-01"}, {"sort": "code"}])
def test_a_search_with_the_procedure_filter_or_the_code_sort_finds_the_step(proc, clock, others):
    """Those options join the cases to the steps; the search by code must still find the step (it failed to compile:
    'returned no FROM clauses due to auto-correlation', an API 500 found by the OpenAPI fuzzer)."""
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    with proc.read() as conn:
        code = conn.execute(select(instances_table.c.business_key)
                            .where(instances_table.c.id == moved.instance_id)).scalar_one()
    page = queries.inbox(proc, "cv.ktht", clock, q=code[-4:], **others)
    assert [t.instance_id for t in page.items] == [moved.instance_id]
