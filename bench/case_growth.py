"""Does a completion cost more as a case's history grows? One building permit sent back and forth.

QT-XD-01: the specialist appraises (Thẩm định), the head of the department returns it ("trả lại"), again,
ROUND_TRIPS times: 2 × ROUND_TRIPS completions of one case, each through `instances.complete` (one durable
transaction), timed one by one. The same loop runs in the same process through the engine in memory
(engine.runner, no storage), with and without the state serialised after each step, and so does a
30-way parallel multi-instance step repeated 14 times (420 completions, in memory). Printed: the median
of the first 20 and of the last 20 completions, their ratio (1.0 = cost independent of history), and the
stored state's size at the start and the end.

    python bench/case_growth.py [--round-trips 200] [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine_throughput import ROLE_USERS, main_path_data  # noqa: E402 - bench/ is on sys.path as a script
from scratch import scratch_database  # noqa: E402
from sqlalchemy import text

from engine import runner
from engine.parsing import Procedure, compile_procedure
from engine.scripting import RestrictedScriptEngine
from engine.state import dump_state
from processes import catalog, instances
from processes.clock import FixedClock
from processes.db import Database
from processes.handlers import registered

ROOT = Path(__file__).resolve().parent.parent
APPRAISE, REVIEW = "Task_ThamDinh", "Task_XemXet"
REASON = "Cần thẩm định lại hiện trạng công trình liền kề"


def loop_data(proc: Procedure) -> dict[str, dict[str, Any]]:
    """Form data for every step on the main path, except that the review sends the dossier back."""
    data = {step.element_id: main_path_data(step.form) for step in proc.steps.values()}
    review = data[REVIEW]
    review["ket_qua_xem_xet"] = "tra_lai"
    for key in [k for k in review if k.startswith(("ly_do", "y_kien"))]:
        review[key] = REASON
    return data


def _user(roles: tuple[str, ...]) -> str:
    return next((ROLE_USERS[r.partition("@")[0]] for r in roles if r.partition("@")[0] in ROLE_USERS), "motcua")


def persisted(db: Database, proc: Procedure, data: dict[str, dict[str, Any]], trips: int,
              clock: FixedClock) -> tuple[list[float], int, int]:
    """Seconds of each completion of the loop through the use cases, and the state size before and after."""
    moved = instances.start(db, proc.code, {}, "motcua", clock)
    step = moved.opened[0]
    moved = instances.complete(db, str(step.task_id), data[step.element_id], _user(step.roles), clock)
    first_size = _state_size(db, moved.instance_id)
    times = []
    for _ in range(2 * trips):
        step = moved.opened[0]
        started = time.perf_counter()
        moved = instances.complete(db, str(step.task_id), data[step.element_id], _user(step.roles), clock)
        times.append(time.perf_counter() - started)
    return times, first_size, _state_size(db, moved.instance_id)


def in_memory(proc: Procedure, data: dict[str, dict[str, Any]], trips: int, serialise: bool) -> list[float]:
    """Seconds of each completion of the same loop in the engine alone (state dumped after each if asked)."""
    wf, _ = runner.new_workflow(proc, {}, RestrictedScriptEngine(handlers=registered()))
    step = runner.ready_steps(proc, wf)[0]
    runner.complete_step(proc, wf, step.task_id, runner.clean_step_data(proc, wf, step.task_id,
                                                                        data[step.element_id]))
    times = []
    for _ in range(2 * trips):
        step = runner.ready_steps(proc, wf)[0]
        started = time.perf_counter()
        cleaned = runner.clean_step_data(proc, wf, step.task_id, data[step.element_id])
        runner.complete_step(proc, wf, step.task_id, cleaned)
        runner.ready_steps(proc, wf)
        if serialise:
            dump_state(wf)
        times.append(time.perf_counter() - started)
    return times


# A 30-way parallel multi-instance step done again each round (a report every unit of a district files).
MI_LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="mi_loop" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="report"/>
    <bpmn:userTask id="report" name="Báo cáo của đơn vị">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>30</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="report" targetRef="again"/>
    <bpmn:exclusiveGateway id="again" default="done"/>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="report">
      <bpmn:conditionExpression>more</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="again" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def multi_instance(rounds: int, serialise: bool) -> list[float]:
    """Seconds of each completion of the 30 parallel instances, `rounds` times over, in the engine alone."""
    proc = compile_procedure(MI_LOOP.encode())
    wf, _ = runner.new_workflow(proc, {"more": True}, RestrictedScriptEngine())
    times = []
    for _ in range(rounds * 30):
        step = runner.ready_steps(proc, wf)[0]
        started = time.perf_counter()
        runner.complete_step(proc, wf, step.task_id, {"more": True})
        runner.ready_steps(proc, wf)
        if serialise:
            dump_state(wf)
        times.append(time.perf_counter() - started)
    return times


def _state_size(db: Database, instance_id: int) -> int:
    with db.read() as conn:
        return conn.execute(text("SELECT length(state) FROM instances WHERE id = :i"), {"i": instance_id}).scalar()


def _line(name: str, times: list[float]) -> str:
    first, last = statistics.median(times[:20]), statistics.median(times[-20:])
    return f"{name:<44} first 20: {first * 1e3:7.2f} ms  last 20: {last * 1e3:7.2f} ms  ratio {last / first:5.2f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--round-trips", type=int, default=200)
    ap.add_argument("--database", default=None, help="SQLAlchemy URL (default: a SQLite file)")
    args = ap.parse_args(argv)
    xml = (ROOT / "bpmn" / "QT-XD-01.bpmn").read_bytes()
    proc = compile_procedure(xml, registered())
    data = loop_data(proc)
    clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    runs: dict[str, Callable[[], list[float]]] = {
        "engine in memory": lambda: in_memory(proc, data, args.round_trips, False),
        "engine in memory, state serialised per step": lambda: in_memory(proc, data, args.round_trips, True),
        "30-way multi-instance, 14 rounds, in memory": lambda: multi_instance(14, False),
        "30-way multi-instance, 14 rounds, serialised": lambda: multi_instance(14, True),
    }
    results = {name: run() for name, run in runs.items()}
    with tempfile.TemporaryDirectory() as tmp:
        db, cleanup = scratch_database(args.database, Path(tmp), clock.now(), "growth")
        try:
            catalog.deploy(db, xml, clock, "iso")
            stored, size_before, size_after = persisted(db, proc, data, args.round_trips, clock)
        finally:
            cleanup()
    backend = "PostgreSQL" if args.database else "SQLite (WAL, synchronous=FULL)"
    print(f"QT-XD-01, one case, {args.round_trips} round trips Thẩm định → Xem xét (trả lại): "
          f"{2 * args.round_trips} completions")
    for name, times in results.items():
        print(_line(name, times))
    print(_line(f"instances.complete, {backend}", stored))
    print(f"stored state: {size_before:,} characters after the first step, {size_after:,} at the end")


if __name__ == "__main__":
    sys.exit(main())
