"""Issue 15 item 3: a search starts from its rarest word and checks who may see a dossier per candidate, so an ID
number is an index seek at any size; the results and their order are those of the plain rule."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from processes import queries, search_terms
from processes.access import viewer
from processes.schema import dossiers
from tests.web.workspace_helpers import receive_ok

NAMES = ["Nguyễn Thị Hồng Nhung", "Nguyễn Văn Hồng", "Trần Hồng Nhung", "Đỗ Đức Anh", "Nguyễn Thị Thu", "Lê Hồng"]


def _plan(conn, sql) -> str:
    return " | ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


def test_an_id_number_search_reads_no_step_of_other_dossiers(xd, user, org, clock):
    receive_ok(user("motcua"), **{"applicant.name": "Nguyễn Thị Hồng Nhung", "applicant.id_number": "001203004567"})
    with org.read() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite's plan text")
        now = clock.now()
        cond = queries._dossier_conditions(conn, viewer(conn, "cv.ktht", now),
                                           queries.DossierFilter(applicant="001203004567"), now)
        sql = queries._dossier_query(cond).compile(conn, compile_kwargs={"literal_binds": True})
        plan = _plan(conn, sql)
    # before: "id IN (every case cv.ktht worked)" was built by reading every step of the province
    assert "SCAN human_tasks" not in plan and "SEARCH human_tasks USING INDEX ix_tasks_instance" in plan, plan
    assert "SEARCH dossier_terms USING COVERING INDEX" in plan, plan


def test_the_rarest_word_picks_the_candidates(xd, user, org, clock, monkeypatch):
    c = user("motcua")
    for name in NAMES:
        receive_ok(c, **{"applicant.name": name})
    monkeypatch.setattr(search_terms, "COMMON", 3)
    with org.read() as conn:
        sql = str(select(dossiers.c.id).where(search_terms.matches(conn, dossiers.c.instance_id, "hong nhung"))
                  .compile(conn, compile_kwargs={"literal_binds": True}))
    # "nhung" (2 dossiers) gives the candidates, "hong" (4) is checked on each: the IN range is nhung's
    candidates = sql[sql.index(" IN "):]
    assert "'nhung'" in candidates.split("EXISTS")[0] and "'hong'" not in candidates.split("EXISTS")[0], sql


def _plain(all_rows, text: str) -> list[str]:
    """The rule itself, in Python: every query word begins a folded word of the code, name or ID number."""
    query = search_terms.words(text)
    found = [r for r in all_rows if all(any(w.startswith(q) for w in search_terms.words(
        f"{r.code} {r.applicant_name or ''} {r.applicant_id_number or ''}")) for q in query)]
    return [r.code for r in sorted(found, key=lambda r: (r.received_at, r.id), reverse=True)]


@pytest.mark.parametrize("common", [1, 3, 2000])
def test_search_results_and_order_are_the_plain_rule(xd, user, org, clock, monkeypatch, common):
    c = user("motcua")
    for i, name in enumerate(NAMES):
        receive_ok(c, **{"applicant.name": name, "applicant.id_number": f"07919900{i:04d}"})
    monkeypatch.setattr(search_terms, "COMMON", common)  # every word common, some, none
    with org.read() as conn:
        all_rows = list(conn.execute(select(dossiers)))
    everything = {i.code for i in queries.inbox(org, "cv.ktht", clock, per_page=100).items}
    assert len(everything) == len(NAMES)
    for text in ("hong nhung", "nguyen thi", "nguyen", "hong", "do duc", "079199000003", "0791990", "zz",
                 "nhung hong", all_rows[0].code):
        page = queries.search_dossiers(org, "pct", clock, queries.DossierFilter(applicant=text), per_page=100)
        assert [r.code for r in page.items] == _plain(all_rows, text), text
        assert page.total == len(page.items)
        inbox = queries.inbox(org, "cv.ktht", clock, q=text, per_page=100)
        expected = (set(_plain(all_rows, text)) | {r.code for r in all_rows if text in r.code}) & everything
        assert sorted(i.code for i in inbox.items) == sorted(expected) and inbox.total == len(expected), text


def test_a_common_name_reads_the_page_in_received_order_and_counts_up_to_the_cap(xd, user, org, clock, monkeypatch):
    c = user("motcua")
    for name in NAMES:
        receive_ok(c, **{"applicant.name": name})
    every = queries.search_dossiers(org, "pct", clock, queries.DossierFilter(applicant="hong"), per_page=100)
    assert (every.total, every.more) == (4, False)
    monkeypatch.setattr(search_terms, "COMMON", 2)  # "hong" (4 dossiers) is common
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    pages = [queries.search_dossiers(org, "pct", clock, queries.DossierFilter(applicant="hong"), page=n, per_page=2)
             for n in (1, 2)]
    assert [(p.total, p.more) for p in pages] == [(3, True)] * 2
    assert [r.code for p in pages for r in p.items] == [r.code for r in every.items]
    assert "hơn 3 hồ sơ" in user("pct").get("/dossiers?applicant=hong").get_data(as_text=True)
    if org.engine.dialect.name != "sqlite":
        return
    run: list[tuple[str, object]] = []  # the page statement search_dossiers itself runs (so its `walk` is checked)
    event.listen(org.engine, "before_cursor_execute", lambda c, cur, sql, params, *_: run.append((sql, params)))
    queries.search_dossiers(org, "pct", clock, queries.DossierFilter(applicant="hong"))
    [(sql, params)] = [(sql, params) for sql, params in run if "ORDER BY" in sql and "count(" not in sql
                       and "FROM dossiers" in sql]
    with org.read() as conn:
        plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    # the page walks the received index and stops when full: no sort of every dossier named Hồng
    assert "SCAN dossiers USING INDEX ix_dossiers_received" in plan and "TEMP B-TREE" not in plan, plan
