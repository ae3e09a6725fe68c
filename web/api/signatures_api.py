"""JSON API of digital signatures: the verdict on each signature of an attachment (issue 16)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from processes import signatures
from signing.verify import summary

from ..auth import login_required
from ..context import attachments_root, clock, database

bp = Blueprint("signatures_api", __name__, url_prefix="/api")


@bp.get("/attachments/<int:attachment_id>/signatures")
@login_required
def attachment_signatures(attachment_id: int) -> ResponseReturnValue:
    """Each signature of an attachment: status (valid, invalid, modified, expired, revoked, untrusted), the
    Vietnamese label, signer, issuer, certificate fingerprint, times; [] for an unsigned file or an image."""
    reports = signatures.signatures_of(database(), attachments_root(), attachment_id, g.user, clock())
    return jsonify({"attachment": attachment_id, "summary": summary(reports),
                    "valid": bool(reports) and all(r.valid for r in reports),
                    "signatures": [r.as_json() for r in reports]})
