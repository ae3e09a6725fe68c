"""Who reviews and who approves the agency's procedures, where a version stands, and what the reviewers said.

The agency's ISO settings are its organisation: the approval procedure (QT-ISO-01) names a role on each
step that signs a version (``camunda:property signs`` = drafted / reviewed / approved) and the people
who hold that role are the drafters, reviewers and approvers. A second settings table would only drift
from the roles the engine actually assigns the steps to, so nothing else is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from . import catalog, eventlog, organisation
from .approval import APPROVAL_CODE, element_properties
from .db import Database
from .errors import NotFound
from .schema import human_tasks, instances, procedure_versions, procedures, users
from .versions import version_row

SIGN_ORDER = ("drafted", "reviewed", "approved")
# The comment fields of QT-ISO-01's decision forms (y_kien_xem_xet, y_kien_phe_duyet): a comment is any
# non-empty field whose id starts with this, so a reworded form keeps working.
COMMENT_PREFIX = "y_kien"


@dataclass(frozen=True)
class Signer:
    """One stage of the approval: what it signs, the step's name, the role and the people who hold it."""

    signs: str
    step: str
    role: str
    people: list[tuple[str, str]]  # (username, full name)


@dataclass(frozen=True)
class ReviewNote:
    """What a reviewer or approver wrote when they decided (most often: why it was sent back)."""

    step: str
    by: str
    at: object
    decision: str
    comment: str


@dataclass(frozen=True)
class ReviewTask:
    """An open approval step with the version it is about."""

    task_id: str
    signs: str
    step: str
    code: str
    name: str
    version: int
    issue_number: int
    in_force: int | None
    status: str
    drafted_by: str | None
    revision_note: str


def signers(db: Database) -> list[Signer]:
    """The drafter, reviewer and approver stages of the approval procedure in force, with who holds each."""
    with db.read() as conn:
        return signers_in(conn, db)


def signers_in(conn: Connection, db: Database) -> list[Signer]:
    """See signers."""
    try:
        definition = catalog.active_definition(conn, APPROVAL_CODE)
    except NotFound:
        return []
    props = element_properties(conn, definition.id)
    procedure = db.procedures.get(conn, definition.id)
    names = {r.username: r.full_name for r in conn.execute(select(users.c.username, users.c.full_name))}
    holders = organisation.role_holders(conn)
    found: dict[str, Signer] = {}
    for step in procedure.steps.values():
        signs = props.get(step.element_id, {}).get("signs")
        if not signs or signs in found:
            continue
        roles = [r.partition("@")[0] for r in step.roles]
        people = list(dict.fromkeys((h.username, names.get(h.username) or h.username)
                                    for h in holders if h.role_code in roles))
        found[signs] = Signer(signs, step.name, ", ".join(roles), people)
    return [found[s] for s in SIGN_ORDER if s in found]


def notes(db: Database, code: str, number: int) -> list[ReviewNote]:
    """The comments written on the steps of a version's approval case, oldest first."""
    with db.read() as conn:
        version = version_row(conn, code, number)
        if version.approval_instance_id is None:
            return []
        found = []
        for event in eventlog.history(conn, version.approval_instance_id):
            data = dict(event["payload"].get("data") or {})
            comment = next((str(v).strip() for k, v in data.items() if k.startswith(COMMENT_PREFIX)
                            and isinstance(v, str) and v.strip()), "")
            if event["lifecycle"] == "complete" and comment:
                decision = next((str(v) for k, v in data.items() if k.startswith("ket_qua")), "")
                found.append(ReviewNote(event["activity_name"] or event["activity"], event["actor"] or "",
                                        event["at"], decision, comment))
        return found


def review_task(db: Database, task_id: str) -> ReviewTask | None:
    """The approval step `task_id` with its version, or None when the task is not of an approval case."""
    with db.read() as conn:
        row = conn.execute(select(human_tasks.c.element_id, human_tasks.c.name, instances.c.definition_id,
                                  instances.c.id).join(instances, instances.c.id == human_tasks.c.instance_id)
                           .where(human_tasks.c.task_uuid == str(task_id))).first()
        if row is None:
            return None
        version = conn.execute(select(procedure_versions, procedures.c.code, procedures.c.name)
                               .join(procedures).where(procedure_versions.c.approval_instance_id == row.id)).first()
        if version is None:
            return None
        signs = element_properties(conn, row.definition_id).get(row.element_id, {}).get("signs", "")
        issued = conn.execute(select(func.max(procedure_versions.c.issue_number)).where(
            procedure_versions.c.procedure_id == version.procedure_id)).scalar() or 0
        in_force = conn.execute(select(procedure_versions.c.version).where(
            procedure_versions.c.procedure_id == version.procedure_id,
            procedure_versions.c.status == "effective").order_by(procedure_versions.c.version.desc())).scalar()
    return ReviewTask(str(task_id), signs, row.name, version.code, version.name, version.version,
                      version.issue_number or issued + 1, in_force, version.status, version.drafted_by,
                      version.revision_note or "")

