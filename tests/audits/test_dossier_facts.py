"""A dossier's facts (files before/after its answer, signed apology, signed result) are read for a whole
period in one statement of grouped sub-queries, not per dossier; they are those read dossier by dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, exists, insert, select, true

from audits.periods import parse_period
from processes.records import load_dossiers
from processes.schema import apologies, dossiers, human_tasks, instances
from processes.signed_results import result_signing_steps
from processes.workspace_schema import attachments
from tests.demo.demo_data import YEAR, demo_copy


def _one_by_one(conn, facts) -> list[tuple]:
    """(digitised, e_result, apology_signed, signed_result) of each dossier, each read on its own."""
    steps = result_signing_steps(conn)
    out = []
    for f in facts:
        row = conn.execute(select(dossiers.c.id, dossiers.c.done_at, instances.c.definition_id)
                           .join(instances, instances.c.id == dossiers.c.instance_id)
                           .where(dossiers.c.instance_id == f.instance_id)).one()
        files = attachments.c.instance_id == f.instance_id
        scanned = exists().where(files, (attachments.c.uploaded_at < row.done_at) if row.done_at else true())
        electronic = exists().where(files, attachments.c.uploaded_at >= row.done_at) if row.done_at else None
        apology = exists().where(apologies.c.dossier_id == row.id, apologies.c.state == "signed")
        signed = exists().where(human_tasks.c.instance_id == f.instance_id, human_tasks.c.state == "completed",
                                human_tasks.c.element_id.in_(sorted(steps.get(row.definition_id, ()))))
        out.append((f.instance_id, conn.execute(select(scanned)).scalar_one(),
                    bool(electronic is not None and conn.execute(select(electronic)).scalar_one()),
                    conn.execute(select(apology)).scalar_one(), conn.execute(select(signed)).scalar_one()))
    return out


def test_the_facts_read_together_are_those_read_dossier_by_dossier(tmp_path):
    db = demo_copy(tmp_path)
    with db.write() as conn:  # edge cases: two signed apologies of one dossier, a file attached at the answer
        done = conn.execute(select(dossiers.c.id, dossiers.c.instance_id, dossiers.c.unit_id, dossiers.c.done_at)
                            .where(dossiers.c.done_at.is_not(None)).order_by(dossiers.c.id).limit(2)).all()
        at = dt.datetime(YEAR, 3, 1, tzinfo=dt.UTC)
        for _ in range(2):
            conn.execute(insert(apologies).values(dossier_id=done[0].id, unit_id=done[0].unit_id, state="signed",
                                                  reason="x", appointment_at=at, proposed_at=at, requested_at=at))
        conn.execute(insert(attachments).values(instance_id=done[1].instance_id, sha256="0" * 64, filename="kq.pdf",
                                                content_type="application/pdf", size=1, uploaded_by="x",
                                                uploaded_at=done[1].done_at))
    with db.read() as conn:
        for label in (str(YEAR), f"{YEAR}-Q2", f"{YEAR}-03"):
            for by in ("either", "received", "done"):
                facts = load_dossiers(conn, parse_period(label), by)
                assert facts and len({f.instance_id for f in facts}) == len(facts)
                assert [(f.instance_id, f.digitised, f.e_result, f.apology_signed, f.signed_result)
                        for f in facts] == _one_by_one(conn, facts)
        everything = load_dossiers(conn)
        assert len({f.instance_id for f in everything}) == len(everything)
        assert any(f.signed_result for f in everything) and any(f.e_result and not f.digitised for f in everything)
        some = load_dossiers(conn, parse_period(str(YEAR)), procedures=[everything[0].procedure])
        assert {f.procedure for f in some} == {everything[0].procedure}


def test_the_facts_are_read_without_a_sub_query_per_dossier(tmp_path):
    db = demo_copy(tmp_path)
    seen: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "dossiers.received_at" in statement:
            seen.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", keep)
    with db.read() as conn:
        assert load_dossiers(conn, parse_period(str(YEAR)))
        [(statement, parameters)] = seen
        plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    # Neither a sub-query run once per dossier nor a walk over every completed step of the database.
    assert not [p for p in plan if "CORRELATED" in p], plan
    assert not [p for p in plan if "ix_tasks_completed" in p], plan
