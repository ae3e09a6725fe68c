"""Hot-path statements run on the DBAPI cursor read and write exactly what SQLAlchemy's execute would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
import sqlalchemy
from sqlalchemy import Column, Integer, MetaData, String, Table, TypeDecorator, bindparam, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg
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


# ---- the SQLAlchemy internals fastsql reads --------------------------------------------------------
# fastsql.py skips Connection.execute by reading what SQLAlchemy's compiler worked out. Some of it is
# private (underscore) and the rest undocumented, so setup.cfg pins SQLAlchemy to the minor series these
# tests ran on. A new series that renames or reshapes any of it fails here, naming the attribute, before
# the hot path can misbehave. No database is needed: statements are compiled for each dialect we support.

class _Stamp(TypeDecorator):
    """A type with bind and result processing, like processes.schema.UTCDateTime."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else f"<{value}>"

    def process_result_value(self, value, dialect):
        return None if value is None else value.strip("<>")


_probe = Table("fastsql_probe", MetaData(), Column("id", Integer, primary_key=True), Column("stamp", _Stamp),
               Column("kind", String(10), default="plain"))
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": psycopg.dialect()}


def _internal(owner: object, name: str) -> object:
    if not hasattr(owner, name):
        pytest.fail(f"SQLAlchemy {sqlalchemy.__version__}: {type(owner).__name__}.{name} is gone, and "
                    "processes/fastsql.py reads it. Adapt fastsql (or go back to conn.execute) before "
                    "widening the `sqlalchemy>=2.1,<2.2` pin in setup.cfg.", pytrace=False)
    return getattr(owner, name)


def _shape(ok: bool, owner: object, name: str, expected: str, got: object) -> None:
    if not ok:
        pytest.fail(f"SQLAlchemy {sqlalchemy.__version__}: {type(owner).__name__}.{name} should be {expected}, "
                    f"got {got!r}; processes/fastsql.py relies on that shape.", pytrace=False)


def test_insert_returning_is_empty_unless_returning_was_asked_for():
    plain = insert(_probe)
    _shape(not _internal(plain, "_returning"), plain, "_returning", "empty without .returning()", plain._returning)
    returning = plain.returning(_probe.c.id)
    _shape(list(_internal(returning, "_returning")) == [_probe.c.id], returning, "_returning",
           "the returned columns", returning._returning)


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())
def test_result_columns_give_each_selected_columns_key_and_type_in_order(dialect):
    compiled = select(_probe.c.id, _probe.c.stamp).compile(dialect=dialect)
    columns = _internal(compiled, "_result_columns")
    _shape(isinstance(columns, list) and len(columns) == 2, compiled, "_result_columns",
           "a list with one entry per selected column", columns)
    for entry, column in zip(columns, (_probe.c.id, _probe.c.stamp), strict=True):
        _shape(hasattr(entry, "keyname") and hasattr(entry, "type"), compiled, "_result_columns[i]",
               "an entry with .keyname and .type", entry)
        _shape(entry.keyname == column.key and isinstance(entry.type, type(column.type)), compiled,
               "_result_columns[i]", f"keyname {column.key!r} with a {type(column.type).__name__}", entry)
    processor = _internal(_probe.c.stamp.type, "_cached_result_processor")(dialect, None)
    _shape(callable(processor) and processor("<x>") == "x", _probe.c.stamp.type, "_cached_result_processor",
           "(dialect, coltype) → the type's result processor", processor)


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())
def test_bind_processors_map_bind_names_to_the_types_processing(dialect):
    compiled = insert(_probe).compile(dialect=dialect, column_keys=["id", "stamp"])
    processors = _internal(compiled, "_bind_processors")
    _shape(isinstance(processors, Mapping) and callable(processors.get("stamp")), compiled, "_bind_processors",
           "a mapping from bind name to processor, with one for 'stamp'", processors)
    _shape(processors["stamp"]("x") == "<x>", compiled, "_bind_processors['stamp']", "the type's bind processor",
           processors["stamp"])


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())
def test_the_compiler_says_where_each_value_goes(dialect):
    # Not underscored, but not documented either: fastsql._slots and _scalar_defaults build on them.
    compiled = insert(_probe).compile(dialect=dialect, column_keys=["id", "stamp"])
    binds = _internal(compiled, "binds")
    _shape(all(isinstance(_internal(b, "expanding"), bool) for b in binds.values()), compiled, "binds",
           "a mapping of bind parameters with .expanding", binds)
    _shape([c.key for c in _internal(compiled, "insert_prefetch")] == ["kind"], compiled, "insert_prefetch",
           "the columns whose Python default SQLAlchemy fills in", compiled.insert_prefetch)
    _shape(isinstance(_internal(compiled, "update_prefetch"), list), compiled, "update_prefetch", "a list",
           compiled.update_prefetch)
    placed = _internal(compiled, "construct_params")({"id": 1, "stamp": "x"})
    _shape(placed.get("stamp") == "x" and "kind" in placed, compiled, "construct_params()",
           "bind name → value, defaults included", placed)
    order = _internal(compiled, "positiontup")
    expected = set(placed) if dialect.positional else None
    _shape((set(order) if dialect.positional else order) == expected, compiled, "positiontup",
           "the bind names in DBAPI order (None for named parameters)", order)
