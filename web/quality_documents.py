"""Downloads for document control: the ISO procedure document (QĐ 101) and the master list."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask.typing import ResponseReturnValue

from documents.master_list import render_master_list
from documents.procedure import render_procedure_document
from processes import approval_signing, approval_views, attachments, organisation, signatures, version_views
from processes.approval_signing import SignedDocument
from processes.keys import VN
from signing.trust import Trust

from .auth import login_required
from .context import attachments_root, clock, database

bp = Blueprint("quality_documents", __name__, url_prefix="/quality")

MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(body: bytes, fmt: str, filename: str) -> Response:
    reply = Response(body, mimetype=MIMETYPES[fmt])
    reply.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return reply


@bp.get("/procedures/<code>/versions/<int:version>/document.<fmt>")
@login_required
def procedure_document(code: str, version: int, fmt: str) -> ResponseReturnValue:
    """The ISO procedure document of a version, generated from its BPMN and metadata (PDF or DOCX)."""
    if fmt not in ("pdf", "docx"):
        abort(404)
    meta = version_views.printed_metadata(database(), code, version, clock().now().astimezone(VN).date())
    body = render_procedure_document(meta["bpmn_xml"], meta, fmt)
    return _download(body, fmt, f"{code}-lan-{meta.get('issue_number', version)}")


@bp.app_template_global()
def signed_procedure_document(code: str, version: int) -> SignedDocument | None:
    """The ISO document its approver signed at approval, with its verification status (None before that)."""
    return approval_signing.signed_document(database(), attachments_root(), code, version, clock(), _trust())


def _trust() -> Trust:
    """The trust roots and CRLs, read once for a request: the procedure page asks for each row of its versions
    table, and reading them is a few files and certificates parsed each time."""
    if "signing_trust" not in g:
        g.signing_trust = signatures.configured_trust()
    return g.signing_trust


@bp.get("/procedures/<code>/versions/<int:version>/document-signed.pdf")
@login_required
def signed_document(code: str, version: int) -> ResponseReturnValue:
    """The signed ISO document of a version (kept beside the unsigned one at the approval step), served as
    stored: its status is the page's to show, so the download neither reads the trust roots nor verifies."""
    found = approval_signing.signed_copy(database(), code, version)
    if found is None:
        abort(404)
    try:
        body = attachments.blob_path(attachments_root(), found.sha256).read_bytes()
    except OSError:
        abort(404)
    reply = Response(body, mimetype="application/pdf")
    reply.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return reply


@bp.get("/master-list.<fmt>")
@login_required
def master_list(fmt: str) -> ResponseReturnValue:
    """The master list of internal documents with current issue numbers (PDF, DOCX or XLSX)."""
    if fmt not in MIMETYPES:
        abort(404)
    today = clock().now().astimezone(VN).date()
    db = database()
    with db.read() as conn:
        agency = organisation.top_agency_name(conn)
    # The list is approved by whoever approves procedures (the holder of QT-ISO-01's approving step).
    approving = next((s for s in approval_views.signers(db) if s.signs == "approved" and s.people), None)
    body = render_master_list(version_views.master_list_rows(db), agency=agency, on_date=today, fmt=fmt,
                              **({"approver": approving.people[0][1]} if approving and fmt != "xlsx" else {}))
    return _download(body, fmt, f"danh-muc-tai-lieu-{today:%Y%m%d}")
