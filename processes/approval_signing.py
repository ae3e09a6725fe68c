"""The approver signs the ISO procedure document when he approves a version (QT-ISO-01, issue 16).

QT-ISO-01's approval step carries `sign="procedure"` and `sign_if="ket_qua_phe_duyet == 'phe_duyet'"`: approving
completes only with the approver's valid signature on a PDF attached at the step (processes/signatures.py); sending
the draft back or refusing it signs nothing. `decide` is that step's use case:

1. the ISO procedure document is rendered as approval issues it (documents/procedure.py: the approver's name and
   title, today's issue date, the next issue number);
2. it is signed with the approver's key, visibly in the "Chữ ký" cell of the approval table's "Người phê duyệt"
   column, with his title ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "CHỦ TỊCH"…) and name — a refusal (wrong password,
   another person's certificate, expired or untrusted) is an InvalidInput and nothing is stored;
3. the unsigned document and the signed copy beside it are attached at the step and the step completes, in one
   transaction: a completion that fails keeps neither file in the case.

`signed_copy` finds the signed copy of a version (what its download serves, unverified: the bytes are the same
whatever their status); `signed_document` adds its verification status for the procedure page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from documents.pdf import MARGINS, TABLE_PADDING
from documents.procedure import APPROVAL_COLUMNS, DATE_ROW, SIGNATURE_ROW, render_procedure_document
from engine.form_rules import as_date
from signing.appearance import Appearance, Placement, page_lines
from signing.errors import SigningError
from signing.keys import Key
from signing.trust import Trust

from . import attachments, instances, organisation, signatures, signer_keys, version_views
from .approval import element_properties
from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound
from .instances import Moved
from .keys import VN
from .schema import human_tasks, procedure_versions, procedures
from .schema import instances as instance_rows
from .signed_documents import sign_as, signed_name
from .uow import unit_of_work
from .workspace_schema import attachments as files

KIND = "procedure"
_MM = 72 / 25.4
# documents/pdf.py: A4 portrait's right margin; a table cell's horizontal padding
_RIGHT_MARGIN, _CELL_PADDING = MARGINS[("A4", False)][2] * _MM, TABLE_PADDING[1] * _MM


@dataclass(frozen=True)
class SignedCopy:
    """The signed ISO document of a version as attached at its approval step."""

    attachment_id: int
    filename: str
    sha256: str


@dataclass(frozen=True)
class SignedDocument:
    """The signed ISO document of a version: its attachment and verification status (code, words)."""

    attachment_id: int
    filename: str
    sha256: str
    status: str
    label: str


def default_title(db: Database, task_uuid: str, actor: str) -> str:
    """The title the approver's signature block shows unless he types another."""
    row, _props = _step(db, task_uuid)
    with db.read() as conn:
        user = organisation.user_by_name(conn, actor)
        role_name = version_views.step_title(conn, user.id, row.roles)
    return signer_title(user.full_name, role_name)


def signer_title(full_name: str, role_name: str = "") -> str:
    """The title line over an approver's signature: a vice-chair signs for the chair ("KT. CHỦ TỊCH / PHÓ CHỦ
    TỊCH"), the chair as "CHỦ TỊCH"; otherwise the role's name in capitals."""
    plain = unicodedata.normalize("NFC", f"{full_name} {role_name}").casefold()
    if "phó chủ tịch" in plain:
        return "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    if "chủ tịch" in plain:
        return "CHỦ TỊCH"
    return role_name.upper()


def personal_name(full_name: str) -> str:
    """The name printed in the signature block: the user's full name without the title in brackets the
    directory may add ("Nguyễn Văn Thành (Phó Chủ tịch UBND huyện)" → "Nguyễn Văn Thành"); the title is printed
    on its own lines."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", full_name).strip() or full_name


def _step(db: Database, task_uuid: str) -> Any:
    with db.read() as conn:
        row = conn.execute(select(human_tasks.c.element_id, human_tasks.c.roles, instance_rows.c.id,
                                  instance_rows.c.definition_id, instance_rows.c.business_key)
                           .join(instance_rows, instance_rows.c.id == human_tasks.c.instance_id)
                           .where(human_tasks.c.task_uuid == task_uuid)).first()
        if row is None:
            raise NotFound.of("task_not_found", task=task_uuid)
        props = element_properties(conn, row.definition_id).get(row.element_id, {})
    return row, props


def signs_on_some_outcome(db: Database, task_uuid: str) -> bool:
    """Whether the step signs the procedure document (on the outcome its `sign_if` says)."""
    return _step(db, task_uuid)[1].get("sign") == KIND


def issued_document(db: Database, code: str, number: int, issuing: version_views.Issuing) -> tuple[str, bytes, dict]:
    """The ISO document of a version as its approval issues it (the document.pdf the procedure page gives once
    the version is approved): file name, PDF and the metadata printed."""
    meta = version_views.printed_metadata(db, code, number, issuing.today, issuing=issuing)
    pdf = render_procedure_document(meta["bpmn_xml"], meta, "pdf")
    return f"{code}-lan-{meta['issue_number']:02d}.pdf", pdf, meta


def approver_box(pdf: bytes) -> Placement | None:
    """The "Chữ ký" cell of the approver's (last) column of the approval table on the first page; None when the
    page does not look like that."""
    try:
        width, lines = page_lines(pdf, 0)
    except SigningError:
        return None
    if not lines:
        return None
    left = min(x for x, *_ in lines)
    labels = sorted((ln for ln in lines if abs(ln[0] - left) < 1), key=lambda ln: -ln[1])
    counts = [ln[3] for ln in labels]
    wanted = [len(SIGNATURE_ROW), len(DATE_ROW)]
    at = next((i for i in range(len(counts) - 1) if counts[i:i + 2] == wanted), None)
    if at is None:
        return None
    signature, date = labels[at], labels[at + 1]
    table_left = left - _CELL_PADDING
    table_width = width - _RIGHT_MARGIN - table_left
    x1 = table_left + table_width * sum(APPROVAL_COLUMNS[:-1]) / sum(APPROVAL_COLUMNS) + 3
    x2 = width - _RIGHT_MARGIN - 3
    # from just above the "Ngày" row's top rule to the top of the "Chữ ký" row
    y1, y2 = date[1] + date[2] * 1.1 + 3, signature[1] + signature[2] * 0.75
    if x2 - x1 < 60 or y2 - y1 < 20:
        return None
    return Placement(0, (round(x1), round(y1), round(x2), round(y2)))


def decide_with_stored_key(db: Database, root: Path, task_uuid: str, data: dict[str, Any], actor: str,
                           clock: Clock, *, password: str | None, title: str = "") -> Moved:
    """Complete a step as the page and the API both do (one path, so one refusal for the same request): `decide`
    with the key stored on the actor's personal page, opened with the password typed for this signing (used
    once, never kept). No password is approval_signature_password when the decision signs; a step that
    signs no procedure document completes as any other."""
    key = (lambda: signer_keys.key_of(actor, password)) if password else None
    return decide(db, root, task_uuid, data, actor, clock, key=key, title=title)


def decide(db: Database, root: Path, task_uuid: str, data: dict[str, Any], actor: str, clock: Clock, *,
           key: Callable[[], Key] | None, title: str = "", tsa_url: str | None = None,
           trust: Trust | None = None) -> Moved:
    """Complete a QT-ISO-01 step; when it approves, sign the ISO document first (see the module's text).

    key: opens the approver's key (asked only when the decision signs: the password is typed for this
    signing); title: the title over the signature ('' for the one signer_title gives)."""
    row, props = _step(db, task_uuid)
    # whether this decision signs: the same decision (signatures.must_sign) the completion then checks
    if props.get("sign") != KIND or instances.signature_due(db, task_uuid, data, actor, clock) != KIND:
        return instances.complete(db, task_uuid, data, actor, clock)
    with db.read() as conn:
        version = conn.execute(select(procedure_versions.c.version, procedures.c.code).join(procedures)
                               .where(procedure_versions.c.approval_instance_id == row.id)).first()
    if version is None:
        raise NotFound.of("approval_case_without_version", case=row.business_key)
    if key is None:
        raise InvalidInput.of("approval_signature_password", procedure=version.code)
    today = clock.now().astimezone(VN).date()
    issuing = version_views.Issuing(today, actor, as_date(data.get("ngay_hieu_luc")), row.roles)
    name, pdf, meta = issued_document(db, version.code, version.version, issuing)
    approver = meta["approvals"]["approved"]
    appearance = Appearance(title.strip() or signer_title(approver["name"], approver["title"]),
                            personal_name(approver["name"]), None, approver_box(pdf), border=False)
    signed = sign_as(db, pdf, key(), actor, appearance=appearance, tsa_url=tsa_url, trust=trust)
    return _attach_and_complete(db, root, row.id, task_uuid, [(name, pdf), (signed_name(name), signed)], data,
                                actor, clock)


def _attach_and_complete(db: Database, root: Path, instance_id: int, task_uuid: str,
                         files: list[tuple[str, bytes]], data: dict[str, Any], actor: str, clock: Clock) -> Moved:
    checked = [(*attachments.check(name, body), body) for name, body in files]
    # written before the transaction, as attachments.attach does: the PDFs do not hold the write lock
    digests = [attachments.store_blob(root, body) for *_, body in checked]
    with unit_of_work(db) as uow:
        attachments.attach_in(uow.conn, root, instance_id, checked, actor, clock.now(), task_uuid, digests=digests)
        return instances.complete_in(uow, task_uuid, data, actor, clock)


def signed_copy(db: Database, code: str, number: int) -> SignedCopy | None:
    """The signed ISO document of a version (the newest signed copy attached at its approval step), or None."""
    with db.read() as conn:
        version = conn.execute(select(procedure_versions.c.approval_instance_id, procedure_versions.c.approved_by)
                               .join(procedures).where(procedures.c.code == code,
                                                       procedure_versions.c.version == number)).first()
        if version is None or version.approval_instance_id is None or not version.approved_by:
            return None
        found = conn.execute(
            select(files.c.id, files.c.filename, files.c.sha256)
            .join(human_tasks, human_tasks.c.task_uuid == files.c.task_uuid)
            .where(files.c.instance_id == version.approval_instance_id,
                   human_tasks.c.completed_by == version.approved_by, files.c.content_type == "application/pdf",
                   files.c.filename.like("%-da-ky-so.pdf"))
            .order_by(files.c.id.desc())).first()
    return None if found is None else SignedCopy(found.id, found.filename, found.sha256)


def signed_document(db: Database, root: Path, code: str, number: int, clock: Clock,
                    trust: Trust | None = None) -> SignedDocument | None:
    """The signed copy of a version (signed_copy) with its verification status, or None."""
    found = signed_copy(db, code, number)
    if found is None:
        return None
    status = signatures.file_status(root, found.sha256, clock, trust)
    return SignedDocument(found.attachment_id, found.filename, found.sha256, status.status, status.label)
