"""Versions of a procedure: the one open draft, sending it for approval, taking effect, withdrawing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, select, update

from engine.parsing import sha256_of
from engine.xml import load_xml

from . import instances, tasks
from .approval import APPROVAL_CODE, CODE_KEY, VERSION_KEY, make_effective
from .clock import Clock
from .db import Database
from .errors import ConflictError, NotFound
from .keys import VN
from .lint import LintFailed, has_errors, lint_xml, problems_of
from .procedures import as_text, insert_procedure, insert_version, procedure_row, require_editor
from .projection import open_tasks
from .schema import definitions, procedure_versions, procedures
from .schema import instances as instances_table
from .uow import UnitOfWork, unit_of_work
from .version_status import OBSOLETE, OPEN, VersionStatus, check_version_transition

SUBMIT = {"hanh_dong": "trinh_duyet"}
ABANDON = {"hanh_dong": "huy"}
_COLUMNS = ("version", "issue_number", "status", "issue_date", "effective_date", "revision_note", "based_on",
            "drafted_by", "drafted_at", "reviewed_by", "reviewed_at", "approved_by", "approved_at", "obsolete_at",
            "definition_id", "created_by", "created_at", "updated_at")


def version_row(conn: Connection, code: str, number: int) -> Row:
    """A version of a procedure (with the procedure's code), or NotFound."""
    row = conn.execute(select(procedure_versions, procedures.c.code).join(procedures).where(
        procedures.c.code == code, procedure_versions.c.version == number)).first()
    if row is None:
        raise NotFound.of("version_not_found", procedure=code, version=number)
    return row


def list_versions(db: Database, code: str) -> list[dict[str, Any]]:
    """Every version of a procedure, oldest first; obsolete ones marked."""
    with db.read() as conn:
        procedure = procedure_row(conn, code)
        rows = conn.execute(select(procedure_versions, instances_table.c.business_key).outerjoin(
            instances_table, instances_table.c.id == procedure_versions.c.approval_instance_id).where(
            procedure_versions.c.procedure_id == procedure.id).order_by(procedure_versions.c.version))
        return [{**{c: getattr(r, c) for c in _COLUMNS}, "obsolete": r.status in OBSOLETE,
                 "approval_case": r.business_key} for r in rows]


def version_xml(db: Database, code: str, number: int) -> str:
    """The BPMN text of a version, exactly as saved."""
    with db.read() as conn:
        return version_row(conn, code, number).bpmn_xml


def save_draft(db: Database, clock: Clock, actor: str, code: str, xml: bytes | str, note: str = "") -> dict[str, Any]:
    """Create or update the procedure's one open draft; well-formed BPMN is saved even with problems."""
    text = as_text(xml)
    load_xml(text)  # malformed XML or not BPMN: ModelInvalid, nothing saved
    now = clock.now()
    with db.write() as conn:
        require_editor(conn, actor)
        row = conn.execute(select(procedures).where(procedures.c.code == code)).first()
        procedure_id = row.id if row is not None else insert_procedure(conn, code, text, actor, now)
        open_version = _open_version(conn, procedure_id)
        if open_version is None:
            number = _next_number(conn, procedure_id)
            insert_version(conn, procedure_id, number, text, VersionStatus.DRAFT, actor, now, note.strip(),
                           based_on=_effective_number(conn, procedure_id))
        elif open_version.status == VersionStatus.DRAFT.value:
            number = open_version.version
            values = {"bpmn_xml": text, "sha256": sha256_of(text), "updated_at": now}
            if note.strip():
                values["revision_note"] = note.strip()
            conn.execute(update(procedure_versions).where(procedure_versions.c.id == open_version.id).values(**values))
        else:
            raise ConflictError.of("draft_waits_decision", version=open_version.version, procedure=code,
                                   status=open_version.status)
        findings = lint_xml(conn, text, code)
    return {"version": number, "status": VersionStatus.DRAFT.value, "problems": problems_of(findings)}


def new_draft_from(db: Database, clock: Clock, actor: str, code: str, number: int, note: str = "") -> int:
    """Open a new draft copying the BPMN of an existing version; return its number."""
    now = clock.now()
    with db.write() as conn:
        require_editor(conn, actor)
        source = version_row(conn, code, number)
        found = _open_version(conn, source.procedure_id)
        if found is not None:
            raise ConflictError.of("open_version_exists", procedure=code, version=found.version, status=found.status)
        new = _next_number(conn, source.procedure_id)
        insert_version(conn, source.procedure_id, new, source.bpmn_xml, VersionStatus.DRAFT, actor, now, note.strip(),
                       based_on=number)
    return new


def _open_version(conn: Connection, procedure_id: int):
    return conn.execute(select(procedure_versions).where(
        procedure_versions.c.procedure_id == procedure_id, procedure_versions.c.status.in_(OPEN))
        .order_by(procedure_versions.c.version.desc())).first()


def _next_number(conn: Connection, procedure_id: int) -> int:
    return (conn.execute(select(func.max(procedure_versions.c.version)).where(
        procedure_versions.c.procedure_id == procedure_id)).scalar() or 0) + 1


def _effective_number(conn: Connection, procedure_id: int) -> int | None:
    return conn.execute(select(procedure_versions.c.version).where(
        procedure_versions.c.procedure_id == procedure_id,
        procedure_versions.c.status == VersionStatus.EFFECTIVE.value)).scalar()


def submit(db: Database, clock: Clock, actor: str, code: str, number: int, note: str = "") -> dict[str, Any]:
    """Send a draft for approval: its approval case (QT-ISO-01) starts, or goes on after a send-back."""
    with unit_of_work(db) as uow:
        return submit_in(uow, clock, actor, code, number, note)


def submit_in(uow: UnitOfWork, clock: Clock, actor: str, code: str, number: int, note: str = "") -> dict[str, Any]:
    """Send a draft for approval inside `uow` (see submit): the status check and the move are one transaction."""
    conn = uow.conn
    require_editor(conn, actor)
    version = _locked_version(conn, code, number)
    if version.status != VersionStatus.DRAFT.value:
        raise ConflictError.of("only_draft_sent", version=number, procedure=code, status=version.status)
    findings = lint_xml(conn, version.bpmn_xml, code)
    if has_errors(findings):
        raise LintFailed(f"version {number} of {code} has errors; fix them before sending it for approval", findings)
    case = _running_case(conn, version.approval_instance_id)
    if case is None:
        started = instances.start_in(uow, APPROVAL_CODE, {CODE_KEY: code, VERSION_KEY: number}, actor, clock)
        case_id, key = started.instance_id, started.business_key
    else:
        case_id, key = case.id, case.business_key
    data = {**SUBMIT, **({"tom_tat_sua_doi": note.strip()} if note.strip() else {})}
    moved = instances.complete_in(uow, _draft_task(conn, case_id), data, actor, clock)
    status = version_row(conn, code, number).status
    return {"version": number, "status": status, "approval_case": key, "case_status": moved.status,
            "problems": problems_of(findings)}


def _locked_version(conn: Connection, code: str, number: int) -> Row:
    """The version row, locked until the transaction ends (PostgreSQL; SQLite's writer holds the lock)."""
    version = version_row(conn, code, number)
    if conn.dialect.name == "postgresql":
        conn.execute(select(procedure_versions.c.id).where(procedure_versions.c.id == version.id).with_for_update())
        version = version_row(conn, code, number)  # as committed by whoever held the lock before us
    return version


def _running_case(conn: Connection, instance_id: int | None):
    if instance_id is None:
        return None
    return conn.execute(select(instances_table.c.id, instances_table.c.business_key).where(
        instances_table.c.id == instance_id, instances_table.c.status == "running")).first()


def _draft_task(conn: Connection, case_id: int) -> str:
    found = list(open_tasks(conn, case_id))
    if len(found) != 1:
        raise ConflictError.of("approval_steps_unexpected", count=len(found))
    return found[0]


def withdraw(db: Database, clock: Clock, actor: str, code: str, number: int) -> str:
    """Abandon a draft, call off an approved version, or abolish the version in force; return the new status."""
    with unit_of_work(db) as uow:
        return withdraw_in(uow, clock, actor, code, number)


def withdraw_in(uow: UnitOfWork, clock: Clock, actor: str, code: str, number: int) -> str:
    """Withdraw a version inside `uow` (see withdraw)."""
    now = clock.now()
    conn = uow.conn
    require_editor(conn, actor)
    version = _locked_version(conn, code, number)
    case = _running_case(conn, version.approval_instance_id)
    if version.status == VersionStatus.DRAFT.value and case is not None:
        instances.complete_in(uow, _draft_task(conn, case.id), ABANDON, actor, clock)
        return VersionStatus.WITHDRAWN.value
    check_version_transition(version.status, VersionStatus.WITHDRAWN)
    conn.execute(update(procedure_versions).where(procedure_versions.c.id == version.id).values(
        status=VersionStatus.WITHDRAWN.value, obsolete_at=now, updated_at=now))
    if version.definition_id is not None:
        conn.execute(update(definitions).where(definitions.c.id == version.definition_id,
                                               definitions.c.status == "active").values(status="withdrawn"))
    return VersionStatus.WITHDRAWN.value


def activate_due(db: Database, clock: Clock, actor: str | None = None) -> list[tuple[str, int]]:
    """Approved versions whose effective date has come take effect (run daily, and before catalog views)."""
    now = clock.now()
    today = now.astimezone(VN).date()
    with db.read() as conn:
        due = list(conn.execute(select(procedure_versions.c.id, procedures.c.code, procedure_versions.c.version)
                                .join(procedures).where(
            procedure_versions.c.status == VersionStatus.APPROVED.value,
            procedure_versions.c.effective_date <= today).order_by(procedure_versions.c.effective_date)))
    for row in due:
        with db.write() as conn:
            make_effective(conn, row.id, now, actor)
    return [(r.code, r.version) for r in due]


def approval_tasks(db: Database, code: str, number: int) -> list[tasks.TaskView]:
    """The open steps of a version's approval case (who must act now)."""
    with db.read() as conn:
        version = version_row(conn, code, number)
    if version.approval_instance_id is None:
        return []
    return tasks.list_tasks(db, instance_id=version.approval_instance_id)
