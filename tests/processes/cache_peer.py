"""Another process on the same database (a second web or job worker), for tests/processes/test_cross_process.py.

Run as `python -m tests.processes.cache_peer URL [SCHEMA]`; reads one JSON command a line on stdin and
answers one JSON line. Each command starts as a web request or a job does: with generations.refresh.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from processes import catalog, generations, instances, tasks
from processes.calendar_store import calendar_of
from processes.clock import FixedClock
from processes.db import Database


def answer(db: Database, cmd: dict) -> object:
    generations.refresh(db)
    if cmd["op"] == "active":
        with db.read() as conn:
            row = catalog.active_definition(conn, cmd["code"])
            procedure = db.procedures.get(conn, row.id)  # cached from now on
        return {"version": row.version, "steps": sorted(s.name for s in procedure.steps.values())}
    if cmd["op"] == "procedure":
        with db.read() as conn:
            return db.procedures.get(conn, cmd["id"]).code
    if cmd["op"] == "work":  # complete the user's one open step of a case (its workflow stays cached here)
        clock = FixedClock(dt.datetime.fromisoformat(cmd["now"]))
        [task] = tasks.list_tasks(db, user=cmd["user"], instance_id=cmd["instance"])
        moved = instances.complete(db, task.id, cmd["data"], cmd["user"], clock)
        return [s.element_id for s in moved.opened]
    if cmd["op"] == "calendar":
        sessions = calendar_of(db).sessions_on(dt.date.fromisoformat(cmd["day"]))
        return [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in sessions]
    raise ValueError(cmd["op"])


def main() -> None:
    db = Database(sys.argv[1], schema=sys.argv[2] if len(sys.argv) > 2 else None)
    for line in sys.stdin:
        try:
            reply = {"ok": answer(db, json.loads(line))}
        except Exception as exc:  # noqa: BLE001 - the test reads the failure
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
