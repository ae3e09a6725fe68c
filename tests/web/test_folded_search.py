"""Issue 13 item 7: search ignores diacritics and case ("Hong Nhung" finds "Hồng Nhung", đ → d), by index."""

from __future__ import annotations

from sqlalchemy import select

from processes import queries, search_terms
from processes.fastsql import Fast
from processes.schema import dossiers
from tests.web.workspace_helpers import receive_ok, rows


def test_words_fold_vietnamese():
    assert search_terms.words("Nguyễn Thị HỒNG Nhung, Đỗ Đức") == ["nguyen", "thi", "hong", "nhung", "do", "duc"]


def test_unaccented_lower_case_search_finds_the_dossier(xd, user, org, clock):
    c = user("motcua")
    nhung = receive_ok(c, **{"applicant.name": "Nguyễn Thị Hồng Nhung", "applicant.id_number": "001203004567"})
    other = receive_ok(c, **{"applicant.name": "Đỗ Đức Anh", "applicant.id_number": "079199001122"})
    pct = user("pct")
    for query in ("Hong Nhung", "nguyen thi", "NGUYEN THI HONG", "hồng nhung", "nhung"):
        found = rows(pct.get("/dossiers", query_string={"applicant": query}).data)
        assert nhung in found and other not in found, query
    found = rows(pct.get("/dossiers", query_string={"applicant": "do duc"}).data)
    assert other in found and nhung not in found
    assert other in rows(pct.get("/dossiers", query_string={"applicant": "079199001122"}).data)
    assert nhung not in rows(pct.get("/dossiers", query_string={"applicant": "hong anh"}).data)
    inbox = queries.inbox(org, "cv.ktht", clock, q="hong nhung")
    assert all(i.code == nhung for i in inbox.items)


def test_the_search_reads_the_word_index_not_every_dossier(xd, user, org, clock):
    receive_ok(user("motcua"), **{"applicant.name": "Nguyễn Thị Hồng Nhung"})
    with org.read() as conn:
        condition = search_terms.matches(conn, dossiers.c.instance_id, "hong nhung")
        if conn.dialect.name != "sqlite":
            return
        sql = select(dossiers.c.id).where(condition).compile(conn, compile_kwargs={"literal_binds": True})
        plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "SCAN dossiers" not in plan and "SEARCH dossier_terms USING COVERING INDEX" in plan, plan


def test_renewed_search_words_write_only_the_words_that_changed(xd, user, org, clock, monkeypatch):
    code = receive_ok(user("motcua"), **{"applicant.name": "Nguyễn Thị Hồng Nhung",
                                         "applicant.id_number": "001203004567"})
    with org.read() as conn:
        case = conn.execute(select(dossiers.c.instance_id).where(dossiers.c.code == code)).scalar_one()
    ran = []
    run = Fast.execute
    monkeypatch.setattr(Fast, "execute", lambda self, *a, **k: ran.append(self) or run(self, *a, **k))
    with org.write() as conn:  # the same words again: read, nothing written
        search_terms.set_terms(conn, case, [code, "Nguyễn Thị Hồng Nhung", "001203004567"])
    assert len(ran) == 1
    ran.clear()
    with org.write() as conn:  # one word replaced: one deleted, one inserted, the others left as they were
        search_terms.set_terms(conn, case, [code, "Nguyễn Thị Hồng Nhung", "001203004568"])
    assert len(ran) == 3
    monkeypatch.undo()
    pct = user("pct")
    assert code in rows(pct.get("/dossiers", query_string={"applicant": "001203004568"}).data)
    assert code not in rows(pct.get("/dossiers", query_string={"applicant": "001203004567"}).data)
    assert code in rows(pct.get("/dossiers", query_string={"applicant": "hong nhung"}).data)
