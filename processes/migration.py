"""Moving running cases of one version of a procedure to a newer one: dry run, bulk move, revert.

A case can move when the steps it waits in exist, unchanged, in the new version and its history fits
the new version (SpiffWorkflow's diff utilities align the old specs with the new ones by element id).
A bulk move (and its revert) is one unit of work: the migration record and every case it moves commit
together or not at all. A case that cannot move is kept with its reasons; one whose move fails with an
engine or use-case error is rolled back to a savepoint and kept, without undoing the others. Each move
is logged in the case's hash-chained event log with both versions; the exact state text before the
move is kept, so a revert puts the case back byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, filter_tasks, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import TaskState
from sqlalchemy import Connection, insert, select, update

from engine import runner
from engine.errors import EngineError
from engine.parsing import Procedure
from engine.pruning import passed as pruned_passed
from engine.state import StateVersionError, dump_state, load_state, registry
from engine.versiondiff import diff_versions

from . import instances
from .clock import Clock
from .db import Database
from .error_codes import render
from .errors import InvalidInput, NotFound, ServiceError
from .eventlog import Event
from .inserted import inserted_id
from .procedures import procedure_row, require_editor
from .projection import Changes, open_tasks
from .schema import instances as instances_table
from .schema import migration_items, migrations, procedure_versions, units
from .uow import UnitOfWork, unit_of_work
from .version_status import VersionStatus
from .versions import version_row

ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
FILTER_KEYS = {"business_keys", "unit", "steps", "started_after", "started_before"}
# Changes to the step a case waits in that do not stop it moving: where its flows lead, its notes.
HARMLESS = {"flows", "conditions", "documentation"}
HARMLESS_SPEC_KEYS = {"inputs", "outputs", "documentation", "description", "lookahead"}
_INTERNAL = {"Start", "End", "Root"}


class MoveOutcome(StrEnum):
    """What became of one case in a migration (migration_items.outcome)."""

    MIGRATED = "migrated"
    KEPT = "kept"
    REVERTED = "reverted"

    @property
    def label(self) -> str:
        """The Vietnamese name shown to people (a msgid of web/translations)."""
        return MOVE_LABELS[self]


MOVE_LABELS: dict[MoveOutcome, str] = {
    MoveOutcome.MIGRATED: "Đã chuyển", MoveOutcome.KEPT: "Giữ nguyên", MoveOutcome.REVERTED: "Đã hoàn tác",
}


@dataclass(frozen=True)
class Reason:
    """Why a case does not move (or move back): a message code of error_codes and its params, so that the
    procedure page says it in the reader's language; str() is the English the API and the record keep."""

    code: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return render(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        """The code and params, as the verdicts carry them ("why")."""
        return {"code": self.code, "params": self.params}


def _reason(code: str, /, **params: Any) -> Reason:
    return Reason(code, params)


def _move_failed(exc: Exception) -> Reason:
    return _reason("move_failed", detail=str(exc), **_inner(exc))


def _revert_failed(exc: Exception) -> Reason:
    return _reason("revert_failed", detail=str(exc), **_inner(exc))


def _inner(exc: Exception) -> dict[str, Any]:
    """The code and params of a refusal's own error, when it has them (the page says that error in its words)."""
    code = getattr(exc, "code", None)
    return {"error_code": code, "error_params": getattr(exc, "params", {})} if code else {}


def dry_run(db: Database, clock: Clock, actor: str, code: str, source: int, target: int,
            filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Which running cases of version `source` could move to version `target`, and why the others cannot."""
    with db.read() as conn:
        require_editor(conn, actor)
        old, new = _pair(conn, code, source, target)
        changes = diff_versions(old.bpmn_xml, new.bpmn_xml)
        new_procedure = db.procedures.get(conn, new.definition_id)
        verdicts = []
        for row in _candidates(conn, old.definition_id, filters or {}):
            procedure = db.procedures.get(conn, row.definition_id)
            try:
                workflow = load_state(row.state, procedure, instances.script_engine(clock))
            except StateVersionError as exc:  # that case waits for the administrator; the others are still judged
                verdicts.append(_verdict(row, [], [_reason("move_state_unreadable", reason=exc.reason)]))
                continue
            steps = _steps(procedure, workflow)
            reasons, _ = check_case(procedure, new_procedure, workflow, changes.changed, target)
            verdicts.append(_verdict(row, steps, reasons))
    return _summary(code, source, target, verdicts)


def migrate(db: Database, clock: Clock, actor: str, code: str, source: int, target: int,
            filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Move every movable running case (of the filter) to version `target`; each move logged and revertible."""
    with unit_of_work(db) as uow:
        return migrate_in(uow, clock, actor, code, source, target, filters)


def migrate_in(uow: UnitOfWork, clock: Clock, actor: str, code: str, source: int, target: int,
               filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Bulk migration inside `uow` (see migrate)."""
    now = clock.now()
    conn = uow.conn
    require_editor(conn, actor)
    old, new = _pair(conn, code, source, target)
    ids = [r.id for r in _candidates(conn, old.definition_id, filters or {})]
    migration_id = inserted_id(conn.execute(insert(migrations).values(
        procedure_id=old.procedure_id, from_version=source, to_version=target,
        from_definition_id=old.definition_id, to_definition_id=new.definition_id,
        filter=json.dumps(filters or {}, ensure_ascii=False), created_by=actor, created_at=now,
    )))
    changed = diff_versions(old.bpmn_xml, new.bpmn_xml).changed
    verdicts = [_kept_on_error(uow, instance_id, _move_failed, partial(_move_one, uow, clock, actor, migration_id,
                                                                       instance_id, old, new, changed))
                for instance_id in ids]
    return {**_summary(code, source, target, verdicts), "migration": migration_id}


def _kept_on_error(uow: UnitOfWork, instance_id: int, refused: Callable[[Exception], Reason],
                   action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one case's move in a savepoint: a refusal undoes that case only and keeps it where it was."""
    try:
        with uow.conn.begin_nested():
            return action()
    except (ServiceError, EngineError) as exc:
        uow.forget_workflow(instance_id)
        why = refused(exc)
        return {"instance_id": instance_id, "business_key": None, "steps": [], "can_move": False,
                "reasons": [str(why)], "why": [why.as_dict()], "outcome": "kept"}


def _move_one(uow: UnitOfWork, clock: Clock, actor: str, migration_id: int, instance_id: int, old, new,
              changed: dict[str, list[str]]) -> dict[str, Any]:
    now = clock.now()
    conn = uow.conn
    case = instances.open_case(uow, instance_id, clock)
    row, procedure, workflow = case.row, case.procedure, case.workflow
    steps = _steps(procedure, workflow)
    new_procedure = uow.procedure(new.definition_id)
    reasons = [_reason("move_left_version")] if row.definition_id != old.definition_id else []
    moved = None
    if not reasons:
        reasons, moved = check_case(procedure, new_procedure, workflow, changed, new.version)
    verdict = _verdict(row, steps, reasons)
    item = {"migration_id": migration_id, "instance_id": row.id, "business_key": row.business_key,
            "steps": json.dumps(steps, ensure_ascii=False), "old_definition_id": row.definition_id,
            "reasons": json.dumps(verdict["reasons"], ensure_ascii=False)}
    if moved is None:
        conn.execute(insert(migration_items).values(outcome="kept", **item))
        return {**verdict, "outcome": "kept"}
    conn.execute(update(instances_table).where(instances_table.c.id == row.id).values(
        definition_id=new.definition_id))
    event = Event(new_procedure.process_id, "migrate", now, actor, new_procedure.name, {
        "migration": migration_id, "from_version": old.version, "to_version": new.version,
        "from_definition": old.definition_id, "to_definition": new.definition_id})
    instances.save_case(uow, instances.Case(row, new_procedure, moved, case.scope_path), Changes(events=[event]),
                        now, actor)
    conn.execute(insert(migration_items).values(outcome="migrated", old_state=row.state,
                                                new_lock_version=row.lock_version + 1, **item))
    return {**verdict, "outcome": "migrated"}


def check_case(old: Procedure, new: Procedure, workflow: BpmnWorkflow, changed: dict[str, list[str]],
               target: int) -> tuple[list[Reason], BpmnWorkflow | None]:
    """Why a case cannot move to `new` (empty when it can), and the moved workflow when it can."""
    specs = registry()
    top, subs = diff_workflow(specs, workflow, new.spec, new.subprocess_specs)
    spec_changes = SpecDiff(specs, workflow.spec, new.spec).changed
    reasons = [_reason("move_subprocess_gone", subprocess=sid, target=target)
               for sid, sub in subs.items() if sub is None]
    active = set(filter_tasks(workflow.get_tasks(skip_subprocesses=True), state=ACTIVE))
    for task in top.removed:
        name = _name(old, task)
        if task in active:
            reasons.append(_reason("move_step_removed", step=name, target=target))
        elif task.state == TaskState.COMPLETED and task.task_spec.name not in _INTERNAL:
            reasons.append(_reason("move_passed_removed", step=name, target=target))
    # Steps passed long ago are no longer in the tree (engine/pruning.py) but still count.
    for spec_name in sorted(pruned_passed(workflow) - set(new.spec.task_specs) - _INTERNAL):
        spec = old.spec.task_specs.get(spec_name)
        name = ((spec.bpmn_name if spec is not None else None) or old.element_id(spec_name)).strip()
        reasons.append(_reason("move_passed_removed", step=name, target=target))
    for task in active:
        element = old.element_id(task.task_spec.name)
        what = [w for w in changed.get(element, []) if w not in HARMLESS]
        keys = [k for k in spec_changes.get(task.task_spec, []) if k not in HARMLESS_SPEC_KEYS]
        if task not in top.removed and (what or keys):
            reasons.append(_reason("move_step_changed", step=_name(old, task), target=target,
                                   aspects=", ".join(what or keys)))
    if reasons:
        return list({str(r): r for r in reasons}.values()), None
    before = _open(old, workflow)
    migrate_workflow(top, workflow, new.spec)
    for sid, sub in subs.items():
        child = workflow.subprocesses[sid]
        migrate_workflow(sub, child, new.subprocess_specs[child.spec.name])
    after = _open(new, workflow)
    if after != before:
        return [_reason("move_open_steps_differ", before=", ".join(sorted(before.values())),
                        after=", ".join(sorted(after.values())))], None
    try:
        load_state(dump_state(workflow), new, workflow.script_engine)
    except Exception as exc:  # the moved state must read back on the new version, whatever the reason
        return [_reason("move_not_readable", target=target, detail=f"{type(exc).__name__}: {exc}")], None
    return [], workflow


def revert(db: Database, clock: Clock, actor: str, code: str, migration_id: int) -> dict[str, Any]:
    """Put every case a migration moved back exactly as it was, unless it moved on since."""
    with unit_of_work(db) as uow:
        return revert_in(uow, clock, actor, code, migration_id)


def revert_in(uow: UnitOfWork, clock: Clock, actor: str, code: str, migration_id: int) -> dict[str, Any]:
    """Revert a migration inside `uow` (see revert)."""
    now = clock.now()
    conn = uow.conn
    require_editor(conn, actor)
    batch = _migration(conn, code, migration_id)
    items = list(conn.execute(select(migration_items).where(
        migration_items.c.migration_id == migration_id, migration_items.c.outcome == "migrated")))
    results = []
    for item in items:
        base = {"instance_id": item.instance_id, "business_key": item.business_key}
        found = _kept_on_error(uow, item.instance_id, _revert_failed,
                               partial(_revert_one, uow, clock, actor, batch, item, now))
        results.append({**base, "outcome": found["outcome"], "reasons": found["reasons"], "why": found["why"]})
    conn.execute(update(migrations).where(migrations.c.id == migration_id).values(
        reverted_by=actor, reverted_at=now))
    return {"migration": migration_id, "instances": results,
            "reverted": sum(r["outcome"] == "reverted" for r in results)}


def _revert_one(uow: UnitOfWork, clock: Clock, actor: str, batch, item, now: dt.datetime) -> dict[str, Any]:
    case = instances.open_case(uow, item.instance_id, clock)
    if case.row.lock_version != item.new_lock_version:
        uow.keep_workflow(case.row.id, case.row.lock_version, case.workflow)  # untouched: back to the cache
        why = _reason("revert_moved_on", target=batch.to_version)
        return {"outcome": "kept", "reasons": [str(why)], "why": [why.as_dict()]}
    procedure = uow.procedure(item.old_definition_id)
    workflow = load_state(item.old_state, procedure, instances.script_engine(clock))
    event = Event(procedure.process_id, "migrate_revert", now, actor, procedure.name, {
        "migration": batch.id, "from_version": batch.to_version, "to_version": batch.from_version,
        "from_definition": batch.to_definition_id, "to_definition": item.old_definition_id})
    instances.restore_state(uow, instances.Case(case.row, procedure, workflow, case.scope_path), item.old_state,
                            item.old_definition_id, [event], now)
    uow.conn.execute(update(migration_items).where(migration_items.c.id == item.id).values(
        outcome="reverted", reverted_at=now))
    return {"outcome": "reverted", "reasons": [], "why": []}


def filter_choices(db: Database, code: str) -> dict[str, list[tuple[str, str]]]:
    """What the migration form offers to narrow the cases by, as people name them: the human steps of every
    version cases run on (element id, step name) and the units (code, name)."""
    with db.read() as conn:
        rows = conn.execute(select(procedure_versions.c.definition_id).where(
            procedure_versions.c.procedure_id == _procedure_id(conn, code),
            procedure_versions.c.definition_id.is_not(None)).order_by(procedure_versions.c.version.desc()))
        steps: dict[str, str] = {}
        for row in rows:  # newest first: a step renamed since is offered by its current name
            for step in db.procedures.get(conn, row.definition_id).steps.values():
                steps.setdefault(step.element_id, step.name.strip() or step.element_id)
        unit_rows = conn.execute(select(units.c.code, units.c.name).order_by(units.c.path))
        return {"steps": sorted(steps.items(), key=lambda s: s[1]), "units": [(u.code, u.name) for u in unit_rows]}


def list_migrations(db: Database, code: str) -> list[dict[str, Any]]:
    """Every migration of a procedure, newest first, with its per-case outcomes."""
    with db.read() as conn:
        rows = list(conn.execute(select(migrations).where(migrations.c.procedure_id == _procedure_id(conn, code))
                                 .order_by(migrations.c.id.desc())))
        out = []
        for m in rows:
            items = conn.execute(select(migration_items).where(migration_items.c.migration_id == m.id)
                                 .order_by(migration_items.c.id))
            out.append({**{k: v for k, v in m._asdict().items() if k != "filter"},
                        "filter": json.loads(m.filter or "{}"),
                        "items": [{"instance_id": i.instance_id, "business_key": i.business_key,
                                   "outcome": i.outcome, "reasons": json.loads(i.reasons),
                                   "steps": json.loads(i.steps)} for i in items]})
    return out


def _procedure_id(conn: Connection, code: str) -> int:
    return procedure_row(conn, code).id


def _migration(conn: Connection, code: str, migration_id: int):
    row = conn.execute(select(migrations).where(migrations.c.id == migration_id,
                                                migrations.c.procedure_id == _procedure_id(conn, code))).first()
    if row is None:
        raise NotFound.of("migration_not_found", procedure=code, migration=migration_id)
    return row


def _pair(conn: Connection, code: str, source: int, target: int):
    old, new = version_row(conn, code, source), version_row(conn, code, target)
    if target <= source:
        raise InvalidInput.of("migration_not_newer", target=target, source=source)
    if new.status != VersionStatus.EFFECTIVE.value or new.definition_id is None:
        raise InvalidInput.of("migration_target_not_in_force", target=target, procedure=code, status=new.status)
    if old.definition_id is None:
        raise InvalidInput.of("migration_source_never_in_force", source=source, procedure=code)
    return old, new


def _candidates(conn: Connection, definition_id: int, filters: dict[str, Any]) -> list:
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise InvalidInput.of("migration_unknown_filter", {"filter": "invalid"}, unknown=sorted(unknown),
                                  known=sorted(FILTER_KEYS))
    query = (select(instances_table, units.c.code.label("unit_code"), units.c.path)
             .join(units, units.c.id == instances_table.c.unit_id)
             .where(instances_table.c.definition_id == definition_id, instances_table.c.status == "running")
             .order_by(instances_table.c.id))
    if filters.get("business_keys"):
        query = query.where(instances_table.c.business_key.in_([str(k) for k in filters["business_keys"]]))
    for key, op in (("started_after", "__ge__"), ("started_before", "__lt__")):
        if filters.get(key):
            try:
                day = dt.datetime.fromisoformat(str(filters[key]))
            except ValueError:
                raise InvalidInput.of("migration_bad_date", {key: "invalid"}, key=key) from None
            day = day if day.tzinfo else day.replace(tzinfo=dt.UTC)
            query = query.where(getattr(instances_table.c.created_at, op)(day))
    rows = list(conn.execute(query))
    if filters.get("unit"):
        rows = [r for r in rows if r.unit_code == filters["unit"] or f"/{filters['unit']}/" in r.path]
    if filters.get("steps"):
        wanted = set(filters["steps"])
        rows = [r for r in rows if wanted & set(open_tasks(conn, r.id).values())]
    return rows


def _steps(procedure: Procedure, workflow: BpmnWorkflow) -> list[dict[str, str]]:
    tasks = filter_tasks(workflow.get_tasks(skip_subprocesses=True), state=ACTIVE)
    return [{"element_id": procedure.element_id(t.task_spec.name), "name": _name(procedure, t)} for t in tasks
            if getattr(t.task_spec, "bpmn_id", None)]


def _open(procedure: Procedure, workflow: BpmnWorkflow) -> dict[str, str]:
    return {str(s.task_id): s.element_id for s in runner.ready_steps(procedure, workflow)}


def _name(procedure: Procedure, task) -> str:
    return (task.task_spec.bpmn_name or procedure.element_id(task.task_spec.name)).strip()


def _verdict(row, steps: list[dict[str, str]], reasons: list[Reason]) -> dict[str, Any]:
    return {"instance_id": row.id, "business_key": row.business_key, "steps": steps, "can_move": not reasons,
            "reasons": [str(r) for r in reasons], "why": [r.as_dict() for r in reasons]}


def _summary(code: str, source: int, target: int, verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"procedure": code, "from": source, "to": target, "instances": verdicts,
            "movable": sum(v["can_move"] for v in verdicts), "blocked": sum(not v["can_move"] for v in verdicts)}
