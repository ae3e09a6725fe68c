"""Hot-path statements: a SQLAlchemy statement compiled once, then run straight on the DBAPI cursor.

`Connection.execute` costs 30–90 µs of Python per statement (execution context, parameter and row
processing); a completion makes about ten statements. A `Fast` statement keeps SQLAlchemy's SQL,
parameter names and type processing (its compiled bind and result processors), but pays that set-up
once per dialect and parameter set instead of once per call. It runs inside the caller's transaction.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.sql import ClauseElement, Executable, Insert
from sqlalchemy.sql.compiler import SQLCompiler


class _Plan:
    """One compiled form of a statement: SQL text, parameter order, processors, row type."""

    def __init__(self, stmt: Executable, conn: Connection, keys: tuple[str, ...]) -> None:
        dialect = conn.dialect
        if isinstance(stmt, Insert) and not stmt._returning:
            stmt = stmt.inline()  # no implicit RETURNING of the new key: nobody asks for it here
        # Every executable statement (select, insert, update, delete) is a clause; its compiled form is
        # an SQLCompiler, whose private attributes (_result_columns, _bind_processors) are read below.
        compiled = cast(SQLCompiler, cast(ClauseElement, stmt).compile(dialect=dialect, column_keys=list(keys)))
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("IN lists with expanding parameters are not supported on the fast path")
        self.sql = compiled.string
        self.positional = dialect.positional
        self.slots = _slots(compiled, keys, dialect.positional)
        self.names = [name for name, _, _, _ in self.slots]
        self.columns = [(c.keyname, c.type) for c in (compiled._result_columns or ())]
        self.row_type: type[Any] | None = (
            namedtuple("Row", [name for name, _ in self.columns], rename=True) if self.columns else None)
        self.result_processors: list | None = None  # set on the first result (needs the cursor's types)
        self.dialect = dialect

    def parameters(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The DBAPI parameters for one set of values: constants and defaults filled in, types processed."""
        values = []
        for _, key, constant, process in self.slots:
            value = params[key] if key is not None else constant
            values.append(process(value) if process is not None else value)
        return values if self.positional else dict(zip(self.names, values, strict=True))

    def processors(self, cursor: Any) -> list:
        """The result processors, worked out from the first result's column types. The cursor's description is
        read only then: psycopg builds a Column object per column each time it is read (~20 a wide row)."""
        if self.result_processors is None:
            self.result_processors = [
                type_._cached_result_processor(self.dialect, desc[1])
                for (_, type_), desc in zip(self.columns, cursor.description, strict=False)]
        return self.result_processors


class _Given:
    """Stands for the caller's value of `key` while working out where each value goes."""

    def __init__(self, key: str) -> None:
        self.key = key


def _slots(compiled: Any, keys: tuple[str, ...], positional: bool) -> list[tuple[str, str | None, Any, Any]]:
    """(bind name, caller's key or None, constant, type processor) for each parameter, in DBAPI order.

    SQLAlchemy's construct_params decides once, with stand-ins for the caller's values, which bind takes
    which value; constants (literal values, LIMIT) and column defaults are kept as they are.
    """
    placed = compiled.construct_params({key: _Given(key) for key in keys})
    defaults = _scalar_defaults(compiled)
    processors = compiled._bind_processors
    slots: list[tuple[str, str | None, Any, Any]] = []
    for name in (compiled.positiontup or ()) if positional else placed:
        value = placed[name]
        if isinstance(value, _Given):
            slots.append((name, value.key, None, processors.get(name)))
        else:
            constant = defaults[name] if name in defaults and name not in keys else value
            slots.append((name, None, constant, processors.get(name)))
    return slots


def _scalar_defaults(compiled: Any) -> dict[str, Any]:
    """Column defaults SQLAlchemy would fill in Python (`default=`/`onupdate=`): only plain values here."""
    found = {}
    for column, default in [*((c, c.default) for c in compiled.insert_prefetch),
                            *((c, c.onupdate) for c in compiled.update_prefetch)]:
        if default is None or not default.is_scalar:
            raise ValueError(f"column {column.key}: only plain default values are supported on the fast path")
        found[column.key] = default.arg
    return found


class Result:
    """Rows (named tuples with `_asdict`) and the row count of one fast statement."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def first(self) -> Any | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any | None:
        """The first column of the first row, or None."""
        return self.rows[0][0] if self.rows else None

    def all(self) -> list[Any]:
        """Every row."""
        return self.rows


class Fast:
    """A statement for the hot path; `execute` runs it in `conn`'s transaction like `conn.execute`."""

    def __init__(self, stmt: Executable) -> None:
        self.stmt = stmt
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self, conn: Connection, keys: tuple[str, ...]) -> _Plan:
        key = (conn.dialect.name, keys)
        plan = self._plans.get(key)
        if plan is None:
            plan = _Plan(self.stmt, conn, keys)
            with self._lock:
                self._plans[key] = plan
        return plan

    def execute(self, conn: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
                ) -> Result:
        """Run with one parameter set (a mapping) or many (a list of mappings, same keys)."""
        many = isinstance(params, Sequence)
        sets: list[Mapping[str, Any]] = list(params) if isinstance(params, Sequence) else [params or {}]
        if not sets:
            return Result([], 0)
        plan = self._plan(conn, tuple(sorted(sets[0])))
        args: list[Any] = [plan.parameters(p) for p in sets]  # all positional or all named, as the plan says
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection is None:
            raise InvalidRequestError("the connection has been invalidated")
        cursor = dbapi_connection.cursor()
        try:
            if many and len(args) > 1:
                cursor.executemany(plan.sql, args)
            else:
                cursor.execute(plan.sql, args[0])
            rows = _rows(plan, plan.row_type, cursor) if plan.row_type is not None else []
            return Result(rows, cursor.rowcount)
        except conn.dialect.loaded_dbapi.Error as exc:
            # The same exception classes SQLAlchemy raises (IntegrityError, OperationalError…).
            raise DBAPIError.instance(plan.sql, args, exc, conn.dialect.loaded_dbapi.Error,
                                      dialect=conn.dialect) from exc
        finally:
            cursor.close()


def _rows(plan: _Plan, row_type: type[Any], cursor: Any) -> list[Any]:
    fetched = cursor.fetchall()
    if not fetched:
        return []
    processors = plan.processors(cursor)
    make = row_type._make
    if not any(processors):
        return [make(r) for r in fetched]
    return [make([p(v) if p else v for p, v in zip(processors, r, strict=True)]) for r in fetched]
