"""Hot-path statements run on the DBAPI cursor read and write exactly what SQLAlchemy's execute would."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from processes.fastsql import Fast
from processes.schema import definitions, dossiers, events, instances, units

AT = dt.datetime(2026, 1, 5, 1, 30, 15, 123456, tzinfo=dt.UTC)


def _case(conn, key: str = "UB-260105-0001") -> tuple[int, int]:
    unit = conn.execute(insert(units).values(code="UB", name="UBND", kind="agency", path="/UB/",
                                             agency_path="/UB/")).inserted_primary_key[0]
    definition = conn.execute(insert(definitions).values(
        code="QT", version=1, process_id="QT", name="QT", bpmn_xml="<x/>", sha256="0" * 64,
        deployed_at=AT)).inserted_primary_key[0]
    case = conn.execute(insert(instances).values(
        business_key=key, definition_id=definition, unit_id=unit, status="running", state="{}", state_version="v",
        started_by="motcua", created_at=AT, updated_at=AT)).inserted_primary_key[0]
    return case, unit


def test_rows_equal_those_of_sqlalchemy_execute_with_types_converted(db):
    with db.write() as conn:
        case, unit = _case(conn)
        conn.execute(insert(dossiers).values(
            instance_id=case, code="UB-260105-0001", procedure="QT-XD-01", unit_id=unit, status_code=2,
            received_at=AT, counted_from=AT, appointment_at=AT + dt.timedelta(days=3), late_marked=True,
            updated_at=AT))
        stmt = select(dossiers).where(dossiers.c.instance_id == bindparam("b_instance"))
        expected = conn.execute(stmt, {"b_instance": case}).first()
        got = Fast(stmt).execute(conn, {"b_instance": case}).first()
    assert got._asdict() == expected._asdict()
    assert got.received_at == AT and got.received_at.tzinfo is not None  # an aware UTC instant, as stored
    assert got.late_marked is True and got.done_at is None and got.channel == "truc_tiep"


def test_an_insert_fills_the_column_defaults_it_was_not_given(db):
    with db.write() as conn:
        case, _ = _case(conn)
        Fast(insert(events)).execute(conn, [
            {"case_id": case, "seq": 1, "activity": "A", "lifecycle": "complete", "actor": None, "at": AT,
             "prev_hash": "", "hash": "h1"},
            {"case_id": case, "seq": 2, "activity": "B", "lifecycle": "complete", "actor": "x", "at": AT,
             "prev_hash": "h1", "hash": "h2"}])
        rows = conn.execute(select(events.c.seq, events.c.activity_name, events.c.payload, events.c.at)
                            .where(events.c.case_id == case).order_by(events.c.seq)).all()
    assert [tuple(r) for r in rows] == [(1, "", "{}", AT), (2, "", "{}", AT)]


def test_an_update_reports_how_many_rows_it_changed(db):
    stmt = Fast(update(instances).where(instances.c.id == bindparam("b_id"),
                                        instances.c.lock_version == bindparam("b_expected")))
    with db.write() as conn:
        case, _ = _case(conn)
        assert stmt.execute(conn, {"b_id": case, "b_expected": 7, "state": "stale"}).rowcount == 0
        assert stmt.execute(conn, {"b_id": case, "b_expected": 1, "state": "new", "updated_at": AT}).rowcount == 1
        assert conn.execute(select(instances.c.state)).scalar() == "new"


def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_the_transaction_stores_nothing(db):
    new = Fast(insert(instances))
    with pytest.raises(IntegrityError), db.write() as conn:
        case, _ = _case(conn, "UB-260105-0009")
        row = conn.execute(select(instances).where(instances.c.id == case)).first()._asdict()
        new.execute(conn, {**row, "id": None})  # the same business key again
    with db.read() as conn:
        assert conn.execute(select(instances.c.id)).first() is None


def test_in_lists_are_refused_when_the_statement_is_first_used(db):
    stmt = Fast(select(instances.c.id).where(instances.c.id.in_(bindparam("b_ids", expanding=True))))
    with pytest.raises(ValueError, match="IN lists"), db.read() as conn:
        stmt.execute(conn, {"b_ids": [1, 2]})
