"""A database written by release 0.1.0 upgrades to head: no row lost, the event log intact, every case finishes.

tests/fixtures/db-0.1.0.sqlite and db-0.1.0.postgresql.sql were made by the code of commit 7794ea1 (0.1.0):
init-db, demo-org, deploy bpmn/, `demo --year 2025 --scale 0.1`, then three QT-XD-01 cases left in flight
by tests/fixtures/db_0_1_0_inflight.py (a supplement pause, a send-back, a claimed step); see
tests/fixtures/README.md. The PostgreSQL dump is loaded into the test's own schema.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, table, text

from processes import eventlog, instances, schema_upgrade, state_check, tasks
from processes.clock import FixedClock
from processes.db import Database
from processes.schema import human_tasks
from processes.schema import instances as instances_table
from processes.schema_guard import head
from tests.conftest import PG_URL
from tests.xd_data import XD_STEPS, XD_USERS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DUMP_SCHEMA = "qt_fixture_010"  # the schema the PostgreSQL dump was taken from
IN_FLIGHT = {"H01-260105-0001": "Task_TiepNhanBoSung", "H01-260105-0002": "Task_ThamDinh",
             "H01-260105-0003": "Task_ThamDinh"}
CLOCK = FixedClock(dt.datetime(2026, 1, 6, 2, 0, tzinfo=dt.UTC))


def _load_dump(url: str, schema: str) -> None:
    """Run the plain pg_dump of the fixture with its schema renamed to `schema` (created here)."""
    sql = (FIXTURES / "db-0.1.0.postgresql.sql").read_text(encoding="utf-8")
    sql = re.sub(r"^\\(un)?restrict .*$", "", sql, flags=re.M)  # psql meta-commands
    sql = sql.replace("SELECT pg_catalog.set_config('search_path', '', false);", "")
    sql = sql.replace(f"CREATE SCHEMA {DUMP_SCHEMA};", "").replace(f"{DUMP_SCHEMA}.", f'"{schema}".')
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(f'CREATE SCHEMA "{schema}"')
            cur.execute(sql)  # no parameters: psycopg runs the whole script
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def old(request, tmp_path):
    """The 0.1.0 database, as written, not yet upgraded."""
    if request.param == "sqlite":
        path = tmp_path / "db-0.1.0.sqlite"
        shutil.copyfile(FIXTURES / "db-0.1.0.sqlite", path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    schema = f"qt_{uuid.uuid4().hex[:12]}"
    _load_dump(PG_URL, schema)
    database = Database(PG_URL, schema=schema)
    yield database
    database.dispose()
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}


def _work_to_the_end(db: Database, business_key: str) -> str:
    """Complete every open step of a building-permit case with valid answers, as the demo users; its status."""
    with db.read() as conn:
        instance_id = conn.execute(select(instances_table.c.id)
                                   .where(instances_table.c.business_key == business_key)).scalar_one()
    status = "running"
    for _ in range(12):
        open_steps = tasks.list_tasks(db, None, instance_id)
        if not open_steps:
            break
        [step] = open_steps
        actor = step.assignee or XD_USERS[step.element_id]
        status = instances.complete(db, step.id, XD_STEPS[step.element_id], actor, CLOCK).status
    return status


def test_a_0_1_0_database_upgrades_to_head_and_its_cases_in_flight_finish(old):
    before = _counts(old)
    assert before["instances"] > 60 and before["events"] > 1000 and "jobs" not in before
    with old.read() as conn:
        assert eventlog.verify(conn) == []
        running = dict(conn.execute(select(instances_table.c.business_key, instances_table.c.status)
                                    .where(instances_table.c.status == "running")).all())
        # The 0.1.0 columns only: this release reads the tables once they are upgraded.
        steps = conn.execute(select(instances_table.c.business_key, human_tasks.c.element_id, human_tasks.c.state,
                                    human_tasks.c.assignee)
                             .join(instances_table, instances_table.c.id == human_tasks.c.instance_id)
                             .where(human_tasks.c.state.in_(("ready", "claimed")))).all()
    assert set(running) == set(IN_FLIGHT)
    assert {t.business_key: t.element_id for t in steps} == IN_FLIGHT
    assert [t.assignee for t in steps if t.state == "claimed"] == ["cv.ktht"]

    done = schema_upgrade.upgrade(old)
    assert {t.business_key: t.element_id for t in tasks.list_tasks(old, None)} == IN_FLIGHT
    assert done.stamped_baseline and done.before is None and done.after == head()
    after = _counts(old)
    assert {n: c for n, c in after.items() if n in before} == before  # no row lost, none added
    assert set(after) - set(before) >= {"jobs"}
    with old.read() as conn:
        assert eventlog.verify(conn) == []
    assert state_check.unreadable_cases(old) == []

    for key in IN_FLIGHT:
        assert _work_to_the_end(old, key) == "completed", key
    with old.read() as conn:
        assert eventlog.verify(conn) == []
        assert conn.execute(select(func.count()).select_from(instances_table)
                            .where(instances_table.c.status == "running")).scalar_one() == 0
    assert schema_upgrade.upgrade(old).applied == []  # and again: nothing to do
