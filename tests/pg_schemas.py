"""PostgreSQL test schemas made once per test process and reset between tests.

Creating a schema and running every revision on it took ~3 s a test and loading the demo organisation ~1.5 s
more (the PostgreSQL half of CI spent most of its time there). Instead each test process keeps two templates
(initialised; initialised with the demo organisation) and one working schema built by the same revisions. A
test's `db` is the working schema truncated and the chosen template's rows and sequence positions copied in:
the same state as a fresh schema, in one round trip. A test that changed the schema's structure
(a downgrade, a table it made) is noticed by a fingerprint of the catalog, and the next test gets a new schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy import create_engine, make_url, text

from processes.db import Database

# The shape of a schema: relations, columns, constraints, triggers, functions and types, without its name.
_FINGERPRINT = """
SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) FROM (
  SELECT c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname, '') || ':' || coalesce(a.atttypid::text, '')
         || ':' || coalesce(a.attnotnull::text, '') || ':' || coalesce(a.atthasdef::text, '') AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE n.nspname = %(s)s
  UNION ALL SELECT 'con:' || conname || ':' || contype::text FROM pg_constraint k JOIN pg_namespace n
    ON n.oid = k.connamespace WHERE n.nspname = %(s)s
  UNION ALL SELECT 'trg:' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(s)s AND NOT t.tgisinternal
  UNION ALL SELECT 'fn:' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = %(s)s
  UNION ALL SELECT 'type:' || typname || ':' || coalesce((SELECT string_agg(enumlabel, '|' ORDER BY enumsortorder)
                                                           FROM pg_enum e WHERE e.enumtypid = t.oid), '')
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = %(s)s
) shape
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PgSchemas:
    """The templates and the working schema of one test process."""

    def __init__(self, url: str, prepare: Callable[[Database], None], load_org: Callable[[Database], None]) -> None:
        self.url = url
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.prepare = prepare
        self.load_org = load_org
        self.made: list[str] = []
        self.templates: dict[bool, str] = {}
        self.contents: dict[str, tuple[list[str], list[tuple]]] = {}  # template -> its tables and sequences
        self.work: str | None = None
        self.shape = ""

    def _new_schema(self, prefix: str) -> str:
        schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {_quote(schema)}"))
        admin.dispose()
        self.made.append(schema)
        database = Database(self.url, schema=schema)
        try:
            self.prepare(database)
        finally:
            database.dispose()
        return schema

    def _fingerprint(self, conn: psycopg.Connection, schema: str) -> str:
        row = conn.execute(_FINGERPRINT, {"s": schema}).fetchone()
        return row[0] if row else ""

    def _template(self, with_org: bool) -> str:
        if with_org not in self.templates:
            schema = self._new_schema("qt_tpl")
            if with_org:
                database = Database(self.url, schema=schema)
                try:
                    self.load_org(database)
                finally:
                    database.dispose()
            self.templates[with_org] = schema
        return self.templates[with_org]

    def _reset_sql(self, conn: psycopg.Connection, template: str, work: str) -> str:
        if template not in self.contents:  # a template never changes: read its catalog once
            self.contents[template] = (
                [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1",
                                            (template,))],
                conn.execute("SELECT sequencename, last_value, start_value FROM pg_sequences "
                             "WHERE schemaname = %s ORDER BY 1", (template,)).fetchall())
        tables, sequences = self.contents[template]
        statements = ["SET LOCAL lock_timeout = '60s'", "SET LOCAL session_replication_role = replica"]
        # TRUNCATE, not DELETE: the tables start physically empty, as in a new schema (DELETE left their dead rows
        # and pages, and with autovacuum off the planner sized the tables by them: plan-shape tests then failed)
        statements.append("TRUNCATE " + ", ".join(f"{_quote(work)}.{_quote(t)}" for t in tables))
        statements += [f"INSERT INTO {_quote(work)}.{_quote(t)} SELECT * FROM {_quote(template)}.{_quote(t)}"
                       for t in tables]
        for name, last, start in sequences:
            target = _quote(work) + "." + _quote(name)
            called = "true" if last is not None else "false"
            statements.append(f"SELECT setval('{target}', {last if last is not None else start}, {called})")
        return "BEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;"

    def checkout(self, with_org: bool) -> str:
        """A schema in the state of a fresh one (with the demo organisation loaded when asked)."""
        template = self._template(with_org)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            self.shape = self.shape or self._fingerprint(conn, template)
            if self.work is None or self._fingerprint(conn, self.work) != self.shape:
                self.work = self._new_schema("qt")
            try:
                conn.execute(self._reset_sql(conn, template, self.work).encode())
            except psycopg.errors.LockNotAvailable:  # a connection of an earlier test still holds rows
                conn.execute("ROLLBACK")
                self.work = None
        return self.work or self.checkout(with_org)

    def drop_all(self) -> None:
        """Drop every schema this process made (end of session)."""
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for schema in self.made:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {_quote(schema)} CASCADE"))
        admin.dispose()

