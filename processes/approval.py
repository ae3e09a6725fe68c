"""The approval procedure (QT-ISO-01) drives the status of the procedure version it carries.

Why a save hook and not a service task: a service handler only sees a copy of the task data and
runs inside the engine step with no database connection, so writing the version's status from it
would need a second transaction (which SQLite's single writer would block, and which could commit
while the case's own transaction rolls back). ``on_save`` runs inside ``instances.save_case``, in the
transaction of the very step that moved the approval case, so the case and the version can never
disagree (it is a case lifecycle listener, declared in processes.lifecycle). What status a version
has while the case waits at a step, or after it ends at an end event, is declared in the model itself
(``camunda:property version_status``), as is which step signs the version as drafted, reviewed or
approved (``signs``); nothing is keyed on element ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, func, select, update

from engine import runner
from engine.model import properties_of
from engine.parsing import Procedure
from engine.xml import load_xml

from . import catalog
from .errors import ConflictError, InvalidInput, NotFound
from .eventlog import Event
from .keys import VN
from .lint import LintFailed, has_errors, lint_xml, main_process
from .projection import CaseMove, Changes
from .schema import definitions, instances, procedure_versions, procedures
from .version_status import VersionStatus, check_version_transition

APPROVAL_CODE = "QT-ISO-01"
CODE_KEY = "ma_quy_trinh"
VERSION_KEY = "phien_ban"
_STATUS = "version_status"
_SIGNS = "signs"
_PROPERTIES: dict[str, dict[str, dict[str, str]]] = {}


def on_save(move: CaseMove) -> None:
    """Inside every case save: when the case is an approval case, move its version's status."""
    if move.procedure.code != APPROVAL_CODE:
        return
    conn, row, procedure, workflow, changes = move.conn, move.row, move.procedure, move.workflow, move.changes
    now, actor, status = move.now, move.actor, move.status
    code, number = carried(workflow)
    version = _locked_version(conn, code, number)
    starting = any(e.lifecycle == "case_start" for e in changes.events)
    current = VersionStatus(version.status)
    if starting:
        _check_may_start(conn, version, row.id)
    props = element_properties(conn, row.definition_id)
    target = _target(props, procedure, workflow, status, current)
    signed = _signatures(props, changes)
    values: dict[str, Any] = {"approval_instance_id": row.id, "updated_at": now}
    if target is VersionStatus.IN_REVIEW and "reviewed" in signed:
        values.update(reviewed_by=signed["reviewed"][0], reviewed_at=now)
    if target != current:
        check_version_transition(current, target)
        values.update(_entering(conn, version, code, target, signed, actor, now))
        changes.events.append(Event(procedure.process_id, "version_status", now, actor, procedure.name,
                                    {"procedure": code, "version": number, "from": current.value,
                                     "to": target.value}))
    conn.execute(update(procedure_versions).where(procedure_versions.c.id == version.id).values(**values))
    effective = values.get("effective_date")
    if target is VersionStatus.APPROVED and effective is not None and effective <= now.astimezone(VN).date():
        make_effective(conn, version.id, now, actor)
        changes.events.append(Event(procedure.process_id, "version_status", now, actor, procedure.name,
                                    {"procedure": code, "version": number, "from": "approved", "to": "effective"}))


def carried(workflow: BpmnWorkflow) -> tuple[str, int]:
    """The procedure code and version number an approval case was started for."""
    data = dict(workflow.task_tree.data or {})
    code, number = data.get(CODE_KEY), data.get(VERSION_KEY)
    if not isinstance(code, str) or not isinstance(number, int) or isinstance(number, bool):
        raise InvalidInput(f"an approval case starts with {{'{CODE_KEY}': procedure code, "
                           f"'{VERSION_KEY}': version number}}")
    return code, number


def _locked_version(conn: Connection, code: str, number: int):
    query = (select(procedure_versions, procedures.c.code).join(procedures)
             .where(procedures.c.code == code, procedure_versions.c.version == number))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=procedure_versions.c.id)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound.of("approval_version_not_found", procedure=code, version=number)
    return row


def _check_may_start(conn: Connection, version: Any, instance_id: int) -> None:
    if version.status != VersionStatus.DRAFT.value:
        raise ConflictError.of("not_a_draft", version=version.version, procedure=version.code, status=version.status)
    other = version.approval_instance_id
    if other not in (None, instance_id):
        running = conn.execute(select(instances.c.business_key).where(
            instances.c.id == other, instances.c.status == "running")).first()
        if running is not None:
            raise ConflictError.of("already_in_approval", version=version.version, procedure=version.code,
                                   case=running.business_key)


def element_properties(conn: Connection, definition_id: int) -> dict[str, dict[str, str]]:
    """camunda:properties of every element of a definition, by element id (cached by content hash)."""
    digest = conn.execute(select(definitions.c.sha256).where(definitions.c.id == definition_id)).scalar_one()
    found = _PROPERTIES.get(digest)
    if found is None:
        xml = conn.execute(select(definitions.c.bpmn_xml).where(definitions.c.id == definition_id)).scalar_one()
        root = load_xml(xml).getroot()
        found = {str(el.get("id")): properties_of(el) for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        _PROPERTIES[digest] = found
    return found


def _target(props: dict[str, dict[str, str]], procedure: Procedure, workflow: BpmnWorkflow, status: Any,
            current: VersionStatus) -> VersionStatus:
    if status is not None and str(status) == "cancelled":
        return VersionStatus.DRAFT if current is VersionStatus.IN_REVIEW else current
    if workflow.is_completed():
        places = list(reversed(runner.finished_ends(procedure, workflow)))
    else:
        places = [step.element_id for step in runner.ready_steps(procedure, workflow)]
    for element_id in places:
        found = props.get(element_id, {}).get(_STATUS)
        if found:
            return VersionStatus(found)
    return current


def _signatures(props: dict[str, dict[str, str]], changes: Changes) -> dict[str, tuple[str | None, dict]]:
    """What the steps completed in this move sign ("drafted", "reviewed", "approved"): by whom, with what data."""
    found: dict[str, tuple[str | None, dict]] = {}
    for event in changes.events:
        signs = props.get(event.activity, {}).get(_SIGNS)
        if event.lifecycle == "complete" and event.actor and signs:
            found[signs] = (event.actor, dict(event.payload.get("data") or {}))
    return found


def _entering(conn: Connection, version: Any, code: str, target: VersionStatus, signed: dict,
              actor: str | None, now: dt.datetime) -> dict[str, Any]:
    """The columns a version gets on entering `target`."""
    values: dict[str, Any] = {"status": target.value}
    if target is VersionStatus.IN_REVIEW:
        findings = lint_xml(conn, version.bpmn_xml, code)
        if has_errors(findings):
            raise LintFailed(f"version {version.version} of {code} has errors; fix them before sending it "
                             "for approval", findings)
        who, data = signed.get("drafted", (actor, {}))
        values.update(drafted_by=who, drafted_at=now, reviewed_by=None, reviewed_at=None)
        if (data.get("tom_tat_sua_doi") or "").strip():
            values["revision_note"] = data["tom_tat_sua_doi"].strip()
    elif target is VersionStatus.DRAFT:
        values.update(reviewed_by=None, reviewed_at=None, approved_by=None, approved_at=None)
    elif target is VersionStatus.APPROVED:
        who, data = signed.get("approved", (actor, {}))
        today = now.astimezone(VN).date()
        chosen = data.get("ngay_hieu_luc")
        values.update(approved_by=who, approved_at=now, issue_date=today,
                      effective_date=effective_from(dt.date.fromisoformat(chosen) if chosen else None, today))
    elif target is VersionStatus.WITHDRAWN:
        values["obsolete_at"] = now
    return values


def effective_from(chosen: dt.date | None, today: dt.date) -> dt.date:
    """The day an approved version takes effect: the one its approver chose, but never before the approval's day
    (a version cannot have been in force before it was approved); today when he chose none."""
    return max(chosen, today) if chosen else today


def make_effective(conn: Connection, version_id: int, now: dt.datetime, actor: str | None) -> None:
    """Deploy an approved version; the version in force before it becomes superseded (nothing starts on it)."""
    version = conn.execute(select(procedure_versions).where(procedure_versions.c.id == version_id)).one()
    check_version_transition(version.status, VersionStatus.EFFECTIVE)
    deployment = catalog.deploy_in(conn, version.bpmn_xml, now, actor)
    previous = conn.execute(select(procedure_versions.c.id, procedure_versions.c.status).where(
        procedure_versions.c.procedure_id == version.procedure_id,
        procedure_versions.c.status == VersionStatus.EFFECTIVE.value)).all()
    for old in previous:
        check_version_transition(old.status, VersionStatus.SUPERSEDED)
        conn.execute(update(procedure_versions).where(procedure_versions.c.id == old.id).values(
            status=VersionStatus.SUPERSEDED.value, obsolete_at=now, updated_at=now))
    issued = conn.execute(select(func.max(procedure_versions.c.issue_number)).where(
        procedure_versions.c.procedure_id == version.procedure_id)).scalar() or 0
    conn.execute(update(procedure_versions).where(procedure_versions.c.id == version_id).values(
        status=VersionStatus.EFFECTIVE.value, definition_id=deployment.definition_id, issue_number=issued + 1,
        effective_date=version.effective_date or now.astimezone(VN).date(), updated_at=now))
    refresh_metadata(conn, version.procedure_id, version.bpmn_xml, now)


def refresh_metadata(conn: Connection, procedure_id: int, xml: str, now: dt.datetime) -> None:
    """Copy what the BPMN says about the procedure (name, field, level, legal basis, deadline) to the catalog."""
    info = main_process(xml)
    if info is None:
        return
    props = info.properties
    conn.execute(update(procedures).where(procedures.c.id == procedure_id).values(
        name=info.name or info.code, field=props.get("field", ""), level=props.get("level", ""),
        legal_basis=props.get("legal_basis", ""), deadline=props.get("deadline"), updated_at=now))
