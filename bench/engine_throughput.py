"""Instances per second of a procedure worked end to end: raw SpiffWorkflow vs quytrinh's use cases.

(a) raw: SpiffWorkflow in memory, spec parsed once; create, step, complete every task; no storage.
(b) quytrinh: `instances.start` / `instances.complete` on a file database in its default, durable
    configuration (SQLite WAL, synchronous=FULL): one transaction per start and per completion.
Both use the same restricted script engine and the same precomputed form data, so the ratio (b)/(a)
is the cost of persistence, the task projection, the event log and authorisation. Two more figures
bound (b) from above: quytrinh's engine in memory with the state serialised after each step, and a
bare durable commit of a state-sized row on the raw DBAPI connection (docs/performance.md).

    python bench/engine_throughput.py [--procedure bpmn/QT-XD-01.bpmn] [--instances 200] [--rounds 3]
    python bench/engine_throughput.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path when run as a script
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.task import TaskState
from sqlalchemy import text

from engine import runner
from engine.forms import Form
from engine.parsing import compile_procedure
from engine.scripting import RestrictedScriptEngine
from engine.state import dump_state
from processes import catalog, instances
from processes.clock import FixedClock
from processes.db import Database
from processes.handlers import registered

ROOT = Path(__file__).resolve().parent.parent
ROLE_USERS = {
    "mot_cua": "motcua", "chuyen_vien_ktht": "cv.ktht", "lanh_dao_phong_ktht": "tp.ktht",
    "chuyen_vien_tckh": "cv.tckh", "lanh_dao_phong_tckh": "tp.tckh", "chuyen_vien_tp": "cv.tp",
    "lanh_dao_phong_tp": "tp.tp", "chuyen_vien_nv": "cv.nv", "lanh_dao_phong_nv": "tp.nv",
    "lanh_dao_ubnd": "pct", "van_thu": "vanthu", "chuyen_vien": "cv.nv", "lanh_dao_don_vi": "tp.nv",
    "hoi_dong_tdkt": "pct",
}


def main_path_data(form: Form | None) -> dict:
    """Form data that takes the main path: the first option of each enum, plausible values elsewhere."""
    if form is None:
        return {}
    values = {"string": "Nguyễn Văn A", "long": 1, "boolean": True, "date": "2026-01-05"}
    data = {}
    for f in form.fields:
        if f.readonly:
            continue
        data[f.id] = f.options[0][0] if f.type == "enum" else values.get(f.type, "x")
        if f.type == "long" and f.constraints.get("min") is not None:
            data[f.id] = int(f.constraints["min"])
    return data


def raw_run(xml: bytes, process_id: str, step_data: dict[str, dict], n: int) -> float:
    """Instances per second for raw SpiffWorkflow in memory."""
    parser = CamundaParser()
    parser.add_bpmn_str(xml)
    spec, subs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    engine = RestrictedScriptEngine(handlers=registered())
    started = time.perf_counter()
    for _ in range(n):
        wf = BpmnWorkflow(spec, subs, script_engine=engine)
        wf.do_engine_steps()
        while not wf.is_completed():
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                raise RuntimeError("raw run stuck")
            for task in ready:
                task.set_data(**step_data.get(task.task_spec.name, {}))
                task.run()
            wf.do_engine_steps()
    return n / (time.perf_counter() - started)


COMMITS = [0.0]  # seconds quytrinh_run spent in the DBAPI commit (the durable part of its transactions)
TRIPS = [0]  # PostgreSQL: statements sent, each a round trip (counted by count_round_trips)


def count_round_trips() -> None:
    """Count into TRIPS the statements psycopg sends: each execute, and each executemany (psycopg pipelines its
    rows and waits once). Checked against libpq's protocol trace (PGconn.trace): one ReadyForQuery for each,
    plus one for each transaction's BEGIN and COMMIT, which the caller adds."""
    import psycopg

    def counted(plain):
        def call(self, *args, **kwargs):
            TRIPS[0] += 1
            return plain(self, *args, **kwargs)
        return call

    psycopg.Cursor.execute = counted(psycopg.Cursor.execute)  # type: ignore[method-assign]
    psycopg.Cursor.executemany = counted(psycopg.Cursor.executemany)  # type: ignore[method-assign]


def timing_commits(db: Database) -> None:
    """Count the time of every commit of `db` into COMMITS (a wrapper around the dialect's do_commit)."""
    dialect = db.engine.dialect
    plain = dialect.do_commit

    def do_commit(dbapi_connection) -> None:
        started = time.perf_counter()
        try:
            plain(dbapi_connection)
        finally:
            COMMITS[0] += time.perf_counter() - started

    dialect.do_commit = do_commit  # type: ignore[method-assign]


def quytrinh_run(db: Database, code: str, step_data: dict[str, dict], n: int, clock: FixedClock) -> float:
    """Instances per second through quytrinh's use cases, one transaction per start and completion."""
    started = time.perf_counter()
    for _ in range(n):
        moved = instances.start(db, code, step_data.get("__start__", {}), "motcua", clock)
        while moved.status == "running":
            if not moved.opened:
                raise RuntimeError(f"{moved.business_key} stuck")
            step = moved.opened[0]
            user = step.assignee or ROLE_USERS[step.roles[0].split("@")[0]]
            moved = instances.complete(db, str(step.task_id), step_data.get(step.spec_name, {}), user, clock)
    return n / (time.perf_counter() - started)


def engine_run(proc, step_data: dict[str, dict], n: int) -> float:
    """Instances per second for quytrinh's engine in memory: the same steps, the state serialised after each."""
    started = time.perf_counter()
    for _ in range(n):
        wf, _auto = runner.new_workflow(proc, step_data.get("__start__", {}), RestrictedScriptEngine(
            handlers=registered()))
        dump_state(wf)
        while not wf.is_completed():
            step = runner.ready_steps(proc, wf)[0]
            data = runner.clean_step_data(proc, wf, step.task_id, step_data.get(step.spec_name, {}))
            runner.complete_step(proc, wf, step.task_id, data)
            runner.ready_steps(proc, wf)
            dump_state(wf)
    return n / (time.perf_counter() - started)


def commit_floor(db: Database, size: int, n: int = 200) -> float:
    """Seconds per bare durable write transaction (one `size`-byte row) on the raw DBAPI connection.

    No SQLAlchemy and no other work: the least any engine pays that commits once per step here.
    """
    blob = "x" * size
    with db.write() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, body TEXT)"))
    mark = "?" if db.is_sqlite else "%s"
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        for _ in range(n):
            if db.is_sqlite:
                cur.execute("BEGIN IMMEDIATE")  # quytrinh's connections leave BEGIN to us
            cur.execute("DELETE FROM bench_floor WHERE id = 1")
            cur.execute(f"INSERT INTO bench_floor (id, body) VALUES (1, {mark})", (blob,))
            raw.commit()
        return (time.perf_counter() - started) / n
    finally:
        raw.close()


def round_trip(db: Database, n: int = 300) -> float:
    """Seconds of one bare statement round trip (`SELECT 1` on the raw DBAPI connection), the median of n."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        found = []
        for _ in range(n):
            started = time.perf_counter()
            cur.execute("SELECT 1")
            cur.fetchall()
            found.append(time.perf_counter() - started)
        raw.rollback()
        return statistics.median(found)
    finally:
        raw.close()


def make_database(url: str | None, workdir: Path) -> tuple[Database, Callable[[], None]]:
    """A fresh database (SQLite file in workdir, or a new PostgreSQL schema) and its clean-up."""
    db, cleanup = scratch_database(url, workdir, dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC), "bench")
    return db, cleanup


def db_instances(db: Database) -> int:
    """Instances stored."""
    with db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM instances")).scalar()


def state_size(db: Database) -> int:
    """Average size in bytes of the stored workflow states (UTF-8: Vietnamese text takes more than a byte)."""
    size = "length(CAST(state AS BLOB))" if db.is_sqlite else "octet_length(state)"
    with db.read() as conn:
        return int(conn.execute(text(f"SELECT avg({size}) FROM instances")).scalar() or 0)


def db_transactions(db: Database) -> int:
    """Write transactions the runs made: one per start plus one per completed step."""
    with db.read() as conn:
        done = conn.execute(text("SELECT count(*) FROM human_tasks WHERE state = 'completed'")).scalar()
    return db_instances(db) + done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--procedure", default=str(ROOT / "bpmn" / "QT-XD-01.bpmn"))
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--database", default=None, help="SQLAlchemy URL (default: a SQLite file)")
    ap.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"],
                    help="SQLite synchronous mode (FULL is quytrinh's default)")
    args = ap.parse_args()
    os.environ["QUYTRINH_SQLITE_SYNCHRONOUS"] = args.synchronous
    xml = Path(args.procedure).read_bytes()
    proc = compile_procedure(xml, registered())
    step_data = {name: main_path_data(step.form) for name, step in proc.steps.items()}
    first = next(iter(proc.steps.values()), None)
    step_data["__start__"] = {}
    clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    with tempfile.TemporaryDirectory() as tmp:
        db, cleanup = make_database(args.database, Path(tmp))
        try:
            catalog.deploy(db, xml, clock, "iso")
            raw_run(xml, proc.process_id, step_data, 20)  # warm-up every path
            engine_run(proc, step_data, 20)
            quytrinh_run(db, proc.code, step_data, 20, clock)
            raws, ours, engines, floors, commits, trips = [], [], [], [], [], []
            timing_commits(db)
            if not db.is_sqlite:
                count_round_trips()
            for _ in range(args.rounds):
                raws.append(raw_run(xml, proc.process_id, step_data, args.instances))
                engines.append(engine_run(proc, step_data, args.instances))
                COMMITS[0], TRIPS[0] = 0.0, 0
                ours.append(quytrinh_run(db, proc.code, step_data, args.instances, clock))
                commits.append(COMMITS[0] / args.instances)
                statements = TRIPS[0] / args.instances
                floors.append(commit_floor(db, state_size(db)))
                trips.append(round_trip(db))
            per_instance = db_transactions(db) / max(1, db_instances(db))
            size = state_size(db)
        finally:
            cleanup()
    raw, mine, eng, floor, commit, trip = (statistics.median(x) for x in (raws, ours, engines, floors, commits,
                                                                          trips))
    backend = "PostgreSQL" if args.database else f"SQLite (WAL, synchronous={args.synchronous})"
    ceiling = 1 / (per_instance * floor)
    print(f"procedure {proc.code} ({len(proc.steps)} steps; first step {first.name if first else '-'})")
    print(f"(a) raw SpiffWorkflow in memory : {raw:8.1f} instances/s")
    print(f"(b) quytrinh use cases, {backend}: {mine:8.1f} instances/s")
    print(f"ratio (b)/(a): {mine / raw:.2f}")
    print(f"where (b) stands between: quytrinh's engine in memory, state serialised after each step: {eng:.1f}/s "
          f"({eng / raw:.2f} of raw); bare durable commits of a {size}-byte row: {floor * 1e6:.0f} µs each, "
          f"{per_instance:.1f} per instance cap (b) at {ceiling:.0f}/s ({ceiling / raw:.2f} of raw) before any work; "
          f"(b) spends {1e3 / mine / per_instance:.2f} ms per transaction")
    both = 1 / (1 / eng + 1 / ceiling)
    print(f"the engine with its state serialised plus the bare commits, and nothing else, reach {both:.1f}/s "
          f"({both / raw:.2f} of raw): the ceiling for (b) in this design on this machine")
    print(f"(b) / ceiling: {mine / both:.2f}; (b)'s own commits take {commit * 1e3 / per_instance:.2f} ms "
          f"of its {1e3 / mine / per_instance:.2f} ms per transaction (a bare commit {floor * 1e3:.2f} ms)")
    # What (b) cannot pass even with every line of its own Python removed: the engine with its state serialised,
    # plus (b)'s own durable commits (the pages it writes), plus on PostgreSQL its other round trips (its statements
    # and each transaction's BEGIN), each at least a bare SELECT 1's.
    cost, what = commit, f"its own commits ({commit * 1e3 / per_instance:.2f} ms per transaction)"
    if args.database:
        others = statements + per_instance  # and a BEGIN per transaction; the COMMITs are in `commit`
        cost += others * trip
        what += f" and {others / per_instance:.1f} other round trips per transaction at {trip * 1e3:.3f} ms"
    bound = 1 / (1 / eng + cost)
    print(f"(b) with no Python of its own: the engine with its state serialised plus {what} reach {bound:.1f}/s, "
          f"{bound / both:.2f} of the ceiling: the most (b) can reach without writing fewer pages or making "
          f"fewer round trips")


if __name__ == "__main__":
    main()
