"""Reading versions: pictures, differences, the revision table and the metadata documents print."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from engine.render import render_svg
from engine.versiondiff import VersionDiff, diff_versions

from . import organisation
from .approval import effective_from
from .approval_views import signers_in
from .assignment import parse_roles
from .db import Database
from .procedures import list_catalog, metadata_of, procedure_row
from .schema import human_tasks, memberships, procedure_versions, roles, users
from .version_status import OBSOLETE, VersionStatus
from .versions import version_row

_SIGN_ROLES = {"drafted": ("quality",), "reviewed": ("leader",), "approved": ("leader",)}


def diff(db: Database, code: str, source: int, target: int) -> VersionDiff:
    """Elements added, removed and changed from version `source` to version `target`."""
    with db.read() as conn:
        old, new = version_row(conn, code, source).bpmn_xml, version_row(conn, code, target).bpmn_xml
    return diff_versions(old, new)


def diff_svg(db: Database, code: str, source: int, target: int, side: str = "to") -> bytes:
    """One side of the visual diff: `from` with removed (red) and changed (amber), `to` with added (green)."""
    with db.read() as conn:
        old, new = version_row(conn, code, source).bpmn_xml, version_row(conn, code, target).bpmn_xml
    changes = diff_versions(old, new)
    return render_svg(old if side == "from" else new, colours=changes.colours(side))


def version_svg(db: Database, code: str, number: int) -> bytes:
    """The Graphviz picture of a version (lanes as clusters, time limits on steps)."""
    with db.read() as conn:
        xml = version_row(conn, code, number).bpmn_xml
    return render_svg(xml)


def revision_table(db: Database, code: str) -> list[dict[str, Any]]:
    """Bảng theo dõi sửa đổi: one row per issued version, with what changed from the issue before it."""
    with db.read() as conn:
        issued = _issued(conn, procedure_row(conn, code).id)
    return _revision_rows(issued)


def _issued(conn: Connection, procedure_id: int) -> list[Any]:
    """The issued versions of a procedure (BPMN included: each row names what changed), first issue first."""
    return list(conn.execute(select(procedure_versions).where(
        procedure_versions.c.procedure_id == procedure_id, procedure_versions.c.issue_number.is_not(None))
        .order_by(procedure_versions.c.issue_number)))


def _revision_rows(issued: list[Any]) -> list[dict[str, Any]]:
    """The revision table's rows of the issued versions, each beside the issue before it."""
    return [_revision_row(v, previous, v.issue_number, v.effective_date or v.issue_date)
            for v, previous in zip(issued, [None, *issued], strict=False)]


def _revision_row(version: Any, previous: Any | None, issue_number: int, date: dt.date | None) -> dict[str, Any]:
    """One row of the revision table: `version` as issue `issue_number` in force from `date`, with the names of
    what changed from `previous` (the issue before it, None for the first). A version not issued yet (being
    issued, or approved and waiting for its day) is printed as it will be once in force, so never obsolete."""
    section = "Toàn bộ quy trình" if previous is None else changed_names(diff_versions(previous.bpmn_xml,
                                                                                        version.bpmn_xml))
    return {"issue_number": issue_number, "version": version.version, "date": date,
            "section": section or "Thông tin quy trình", "content": version.revision_note, "status": version.status,
            "obsolete": version.issue_number is not None and version.status in OBSOLETE}


def changed_names(changes: VersionDiff) -> str:
    """The names of the steps, events and decisions a change touched, for the revision table."""
    ids = changes.added + changes.removed + list(changes.changed)
    named = [changes.names.get(i, i) for i in ids if changes.kinds.get(i) != "sequenceFlow"]
    return "; ".join(dict.fromkeys(named))


@dataclass(frozen=True)
class Issuing:
    """An approval about to issue a version: its day, the approver (username) and the effective date he chose."""

    today: dt.date
    approver: str
    effective: dt.date | None = None
    step_roles: str | None = None  # the approval step's roles ("leader@ubnd,…"): the title he signs in


def document_metadata(db: Database, code: str, number: int | None = None, *,
                      issuing: Issuing | None = None) -> dict[str, Any]:
    """What the ISO procedure document prints for a version (the one in force by default).

    issuing: the approval that is issuing the version now (the approver signs this document before the version
    is approved): the issue date, the approver and the version's own row of the revision table are as that
    approval will record them, so the signed copy is the document the procedure page then gives."""
    with db.read() as conn:
        procedure = procedure_row(conn, code)
        if number is None:
            number = _in_force(conn, procedure.id)
        version = version_row(conn, code, number)
        # A version issued before quytrinh (no approval case) is signed in the role of QT-ISO-01's step that signs
        # it, not in whichever leader role the person happens to hold first.
        stage_roles = {s.signs: tuple(s.role.split(", ")) for s in signers_in(conn, db)}
        approvals = {key: _signer(conn, getattr(version, f"{key}_by"), getattr(version, f"{key}_at"), kinds,
                                  version.approval_instance_id, stage_roles.get(key, ()))
                     for key, kinds in _SIGN_ROLES.items()}
        planned = (conn.execute(select(func.max(procedure_versions.c.issue_number)).where(
            procedure_versions.c.procedure_id == procedure.id)).scalar() or 0) + 1
        if issuing is not None:
            approvals["approved"] = _issuer(conn, issuing)
        issued = _issued(conn, procedure.id)
    meta = metadata_of(procedure)
    revisions = _revision_rows(issued)
    issue_date = version.issue_date
    previous = issued[-1] if issued else None
    if issuing is not None:
        issue_date = issuing.today
        effective = effective_from(issuing.effective, issuing.today)
        revisions.append(_revision_row(version, previous, planned, effective))
    elif version.status == VersionStatus.APPROVED.value and version.issue_number is None:
        # approved, in force from a later day: its row is printed as its approval signed it
        revisions.append(_revision_row(version, previous, planned, version.effective_date or issue_date))
    return {
        "code": code, "name": meta["name"], "field": meta["field"], "level": meta["level"],
        "legal_basis": meta["legal_basis"], "deadline": meta["deadline"], "version": version.version,
        "issue_number": version.issue_number or planned, "issued": version.issue_number is not None,
        "issue_date": issue_date, "effective_date": version.effective_date, "status": version.status,
        "obsolete": version.status in OBSOLETE, "purpose": meta["purpose"], "scope": meta["scope"],
        "references": meta["reference_docs"],
        "definitions": [(t.get("term", ""), t.get("meaning", "")) for t in meta["terms"]],
        "records": meta["records"], "approvals": approvals, "revisions": revisions,
        "bpmn_xml": version.bpmn_xml,
    }


def printed_metadata(db: Database, code: str, number: int, on_date: dt.date, *,
                     issuing: Issuing | None = None) -> dict[str, Any]:
    """document_metadata with what the printed document adds: the issuing agency (the running header's left
    cell) and the day it is printed."""
    meta = document_metadata(db, code, number, issuing=issuing)
    with db.read() as conn:
        meta["agency"] = organisation.top_agency_name(conn)
    meta["on_date"] = on_date
    return meta


def master_list_rows(db: Database) -> list[dict[str, Any]]:
    """The master list of documents (danh mục tài liệu) as rows for documents.master_list (which cannot read
    the enum, being below processes: each row carries its status's one label)."""
    rows = list_catalog(db)
    with db.read() as conn:
        owners = {r["owner"]: _owner_unit(conn, r["owner"]) for r in rows if r["owner"]}
    return [{"code": r["code"], "name": r["name"], "issue_number": r["issue_number"], "issue_date": r["issue_date"],
             "effective_date": r["effective_date"], "owner": owners.get(r["owner"], r["owner"]), "status": r["status"],
             "status_label": VersionStatus(r["status"]).label if r["status"] else ""}
            for r in rows]


def _owner_unit(conn: Connection, drafter: str) -> str:
    """The master list's "Đơn vị soạn thảo" is the drafter's unit, not their account name; a drafter who is no
    user (a name typed on the import form) is printed as typed."""
    held = organisation.memberships_of(conn, drafter)
    if not held:
        return drafter
    return organisation.unit_names(conn).get(held[0].unit_code, held[0].unit_code)


def _in_force(conn: Connection, procedure_id: int) -> int:
    rows = conn.execute(select(procedure_versions.c.version, procedure_versions.c.status).where(
        procedure_versions.c.procedure_id == procedure_id).order_by(procedure_versions.c.version.desc())).all()
    effective = [r.version for r in rows if r.status == VersionStatus.EFFECTIVE.value]
    return effective[0] if effective else rows[0].version


def _signer(conn: Connection, username: str | None, at, kinds: tuple[str, ...],
            case_id: int | None, stage_roles: tuple[str, ...] = ()) -> dict[str, Any]:
    """Who signed: full name, and as title the role they signed in (the approval step's role)."""
    if not username:
        return {}
    user = conn.execute(select(users.c.id, users.c.full_name).where(users.c.username == username)).first()
    signed_as = conn.execute(select(human_tasks.c.roles).where(
        human_tasks.c.instance_id == case_id, human_tasks.c.completed_by == username, human_tasks.c.completed_at == at)
        .order_by(human_tasks.c.id.desc())).scalar() if case_id is not None else None
    user_id = user.id if user else -1
    if signed_as:
        title = step_title(conn, user_id, signed_as)
    else:
        title = (stage_roles and role_title(conn, user_id, stage_roles, kinds)) or role_title(conn, user_id, (), kinds)
    return {"username": username, "name": user.full_name if user else username, "title": title,
            "date": at.date() if at else None}


def _issuer(conn: Connection, issuing: Issuing) -> dict[str, Any]:
    """The approver of a version being issued now, as _signer will show him once the step is completed."""
    user = organisation.user_by_name(conn, issuing.approver)
    return {"username": issuing.approver, "name": user.full_name,
            "title": step_title(conn, user.id, issuing.step_roles), "date": issuing.today}


def step_title(conn: Connection, user_id: int, step_roles: str | None) -> str:
    """The title a user signs a step in: the name of his role among the step's roles (see role_title); the one
    the issued document prints and the approver's signature block shows, so both say the same."""
    return role_title(conn, user_id, [ref.role for ref in parse_roles(step_roles or "")])


def role_title(conn: Connection, user_id: int, codes: Sequence[str] = (), kinds: Sequence[str] = ()) -> str:
    """The name of the role a user signs in: the first (by code) of his roles among `codes` and of `kinds`
    (all his roles for an empty filter); '' when he holds none."""
    query = (select(roles.c.name).select_from(memberships).join(roles, roles.c.code == memberships.c.role_code)
             .where(memberships.c.user_id == user_id))
    if codes:
        query = query.where(roles.c.code.in_(list(codes)))
    if kinds:
        query = query.where(roles.c.kind.in_(list(kinds)))
    return conn.execute(query.order_by(roles.c.code)).scalar() or ""
