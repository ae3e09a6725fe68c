"""The `quytrinh` command: database, procedures, cases and tasks from the shell."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from engine.errors import ModelInvalid
from engine.parsing import compile_procedure
from engine.render import render_file
from processes import catalog, decisions, eventlog, instances, tasks
from processes.clock import SystemClock
from processes.db import Database
from processes.errors import InvalidInput
from processes.handlers import registered
from processes.keys import VN
from processes.lookup import find_instance
from processes.view_schemas import MovedSchema

from .admin import admin_commands
from .audit import audit_commands
from .backup import backup_commands
from .calendar import calendar_commands
from .cchc import cchc
from .check_log import check_log_command
from .db import db_commands
from .jobs import jobs_commands
from .org import org_commands
from .output import emit, fail, handled, json_option, parse_data
from .pdf import pdf_commands
from .progress import Bar
from .serve import serve_commands
from .simulate import simulate_commands
from .worker import worker_commands


@click.group()
@click.option("--database", envvar="QUYTRINH_DATABASE_URL", default=None,
              help="SQLAlchemy URL (default: SQLite under instance/).")
@click.pass_context
def main(ctx: click.Context, database: str | None) -> None:
    """quytrinh: run the ISO 9001 internal procedures of a Vietnamese public agency."""
    ctx.ensure_object(dict)
    ctx.obj["url"] = database


def _db(ctx: click.Context) -> Database:
    if "db" not in ctx.obj:
        ctx.obj["db"] = Database(ctx.obj["url"])
    return ctx.obj["db"]


@main.command("init-db")
@json_option
@click.pass_context
@handled
def init_db(ctx: click.Context, as_json: bool) -> None:
    """Create the tables and the standard roles (safe to run again)."""
    from processes.setup import initialise

    db = _db(ctx)
    initialise(db, SystemClock())
    emit(as_json, {"database": db.url, "ok": True}, f"database ready: {db.url}")


def _bpmn_paths(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        found.extend(sorted(p.glob("*.bpmn")) if p.is_dir() else [p])
    if not found:
        raise InvalidInput("no .bpmn files given")
    return found


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--as", "actor", default=None, help="Who deploys (recorded).")
@json_option
@click.pass_context
@handled
def deploy(ctx: click.Context, paths: tuple[str, ...], actor: str | None, as_json: bool) -> None:
    """Deploy BPMN files (or every .bpmn in a folder) as new definition versions."""
    files = _bpmn_paths(paths)
    results = []
    with Bar("Triển khai quy trình", enabled=not as_json and len(files) > 1) as bar:
        for done, path in enumerate(files, 1):
            results.append(catalog.deploy_file(_db(ctx), path, SystemClock(), actor))
            bar(done, len(files), path.name)
    emit(as_json, [r.__dict__ for r in results], lambda: "\n".join(
        f"{'deployed' if r.created else 'unchanged'} {r.code} v{r.version} ({r.process_id}) {r.name}"
        for r in results))


@main.command()
@click.argument("paths", nargs=-1, required=True)
@json_option
@handled
def validate(paths: tuple[str, ...], as_json: bool) -> None:
    """Check BPMN files; list every problem; exit 6 when any file is invalid."""
    report: list[dict[str, Any]] = []
    bad = False
    for path in _bpmn_paths(paths):
        try:
            proc = compile_procedure(path.read_bytes(), registered(), filename=path.name)
            report.append({"file": str(path), "valid": True, "code": proc.code, "problems": []})
        except ModelInvalid as exc:
            bad = True
            report.append({"file": str(path), "valid": False, "problems": [str(p) for p in exc.problems]})
    emit(as_json, report, lambda: "\n".join(
        f"{r['file']}: " + ("ok " + r["code"] if r["valid"] else "INVALID\n  - " + "\n  - ".join(r["problems"]))
        for r in report))
    if bad:
        raise SystemExit(6)


@main.command()
@click.argument("code")
@click.option("--data", default="{}", help="Start data as a JSON object.")
@click.option("--as", "actor", required=True, help="The user who receives the dossier.")
@click.option("--unit", default=None, help="Agency code the case belongs to.")
@json_option
@click.pass_context
@handled
def start(ctx: click.Context, code: str, data: str, actor: str, unit: str | None, as_json: bool) -> None:
    """Start a case of a procedure (by its code or BPMN process id)."""
    moved = instances.start(_db(ctx), code, parse_data(data), actor, SystemClock(), unit)
    _print_moved(moved, as_json)


@main.command()
@click.argument("task_id")
@click.option("--data", default="{}", help="Form data as a JSON object.")
@click.option("--as", "actor", required=True, help="The user who completes the step.")
@json_option
@click.pass_context
@handled
def complete(ctx: click.Context, task_id: str, data: str, actor: str, as_json: bool) -> None:
    """Complete a step with form data."""
    db, clock, values = _db(ctx), SystemClock(), parse_data(data)
    moved = instances.complete(db, task_id, values, actor, clock)
    _print_moved(moved, as_json)


def _print_moved(moved: instances.Moved, as_json: bool) -> None:
    payload: dict[str, Any] = MovedSchema().dump(moved)
    emit(as_json, payload, lambda: "\n".join(
        [f"{moved.business_key} (instance {moved.instance_id}): {moved.status}"]
        + [f"  next: {s['id']}  {s['name']}  [{', '.join(s['roles'])}] {s['due'] or ''}" for s in payload["opened"]]))


@main.command("tasks")
@click.option("--user", default=None, help="Only tasks this user may do.")
@click.option("--instance", default=None, help="Only this case (id or dossier code).")
@click.option("--all", "include_closed", is_flag=True, help="Include completed and cancelled tasks.")
@json_option
@click.pass_context
@handled
def list_tasks(ctx: click.Context, user: str | None, instance: str | None, include_closed: bool,
               as_json: bool) -> None:
    """List tasks (id, instance, element, name, role, assignee, state, due)."""
    db = _db(ctx)
    instance_id = find_instance(db, instance).id if instance else None
    rows = tasks.list_tasks(db, user, instance_id, include_closed)
    emit(as_json, [_task_json(t) for t in rows], lambda: "\n".join(
        f"{t.id}  {t.business_key}  {t.name}  [{t.roles}]  {t.state}  {t.assignee or '-'}  "
        f"{f'{t.due.astimezone(VN):%Y-%m-%d %H:%M}' if t.due else ''}"
        for t in rows) or "no tasks")


def _task_json(t: tasks.TaskView) -> dict:
    return {"id": t.id, "instance": t.instance_id, "business_key": t.business_key, "element_id": t.element_id,
            "name": t.name, "role": t.roles, "assignee": t.assignee, "state": t.state, "due": t.due,
            "time_limit": t.time_limit, "procedure": t.procedure}


for _name, _use_case, _help in (("claim", tasks.claim, "Take a task."), ("unclaim", tasks.unclaim, "Release a task.")):
    @main.command(_name, help=_help)
    @click.argument("task_id")
    @click.option("--as", "actor", required=True)
    @json_option
    @click.pass_context
    @handled
    def _move(ctx, task_id, actor, as_json, _use_case=_use_case, _name=_name):
        _use_case(_db(ctx), task_id, actor, SystemClock())
        emit(as_json, {"task": task_id, "done": _name}, f"{_name}ed {task_id}")


@main.command()
@click.argument("task_id")
@click.argument("assignee")
@click.option("--as", "actor", required=True)
@json_option
@click.pass_context
@handled
def assign(ctx: click.Context, task_id: str, assignee: str, actor: str, as_json: bool) -> None:
    """A leader gives a task to a user."""
    tasks.assign(_db(ctx), task_id, assignee, actor, SystemClock())
    emit(as_json, {"task": task_id, "assignee": assignee}, f"{task_id} assigned to {assignee}")


@main.command()
@click.argument("instance")
@click.option("--as", "actor", required=True)
@click.option("--reason", default="")
@json_option
@click.pass_context
@handled
def cancel(ctx: click.Context, instance: str, actor: str, reason: str, as_json: bool) -> None:
    """Cancel a running case."""
    db = _db(ctx)
    row = find_instance(db, instance)
    instances.cancel(db, row.id, actor, SystemClock(), reason)
    emit(as_json, {"instance": row.id, "status": "cancelled"}, f"{row.business_key} cancelled")


@main.command()
@click.argument("instance")
@json_option
@click.pass_context
@handled
def history(ctx: click.Context, instance: str, as_json: bool) -> None:
    """The event log of a case (by id or dossier code)."""
    db = _db(ctx)
    row = find_instance(db, instance)
    with db.read() as conn:
        rows = eventlog.history(conn, row.id)
    # What each completed step entered, with the BPMN's labels (an enum by its option's name).
    said = {d.seq: d.answers for d in decisions.of_case(db, row.id)}
    found = [{**{k: v for k, v in r.items() if k not in ("prev_hash",)},
              **({"answers": [asdict(a) for a in said[r["seq"]]]} if r["seq"] in said else {})} for r in rows]
    emit(as_json, found, lambda: "\n".join(
        f"{r['seq']:>3} {r['at'].astimezone(VN):%Y-%m-%d %H:%M:%S} {r['lifecycle']:<13} {r['activity']:<28} "
        f"{r['actor'] or '-'}  {r['activity_name']}"
        + "".join(f"\n      {a.label}: {a.text}" for a in said.get(r["seq"], ())) for r in rows))


@main.command()
@click.argument("path")
@click.option("-o", "--output", required=True, help="Output file (.svg, .png or .pdf).")
@click.option("--highlight", multiple=True, help="Element ids to highlight.")
@handled
def render(path: str, output: str, highlight: tuple[str, ...]) -> None:
    """Draw a procedure with Graphviz (lanes as clusters, time limits on steps)."""
    fmt = Path(output).suffix.lstrip(".").lower() or "svg"
    if fmt not in ("svg", "png", "pdf"):
        fail("output must end in .svg, .png or .pdf", 6)
    Path(output).write_bytes(render_file(Path(path).read_bytes(), fmt, highlight))
    click.echo(f"wrote {output}")


org_commands(main, _db)
admin_commands(main, _db)  # after org_commands: adds to its `user` group; verify-log lives there
calendar_commands(main, _db)
audit_commands(main, _db)
check_log_command(main, _db)
worker_commands(main, _db)
db_commands(main, _db)
serve_commands(main)
pdf_commands(main)
simulate_commands(main, _db)
backup_commands(main, _db)
jobs_commands(main, _db)
main.add_command(cchc)
