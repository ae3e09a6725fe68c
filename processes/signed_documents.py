"""Signing a case's documents, as use cases: a PDF attached to the case, or a statutory form rendered for it.

The signed file is attached beside the original (content-addressed, so the unsigned bytes stay where they
were): nothing is ever overwritten, and the attachment is an event in the case's log like any upload.
The signature must be the actor's own (signatures.is_performer): a leader cannot sign with a colleague's
token. Every refusal — a wrong password, an expired or untrusted certificate, a token that is not there,
a file that is not a PDF or was changed after an earlier signature, another person's certificate — is an
InvalidInput with a Vietnamese message, and nothing is stored.
"""

from __future__ import annotations

import re
from pathlib import Path

from documents.forms import DOSSIER_FORMS, render_form
from signing.appearance import Appearance
from signing.errors import SigningError
from signing.keys import Key
from signing.sign import sign_pdf
from signing.trust import Trust
from signing.verify import verify_pdf

from . import attachments
from .access import check_may_see
from .clock import Clock
from .db import Database
from .document_data import build_dossier_document_data
from .errors import InvalidInput
from .organisation import user_by_name
from .signatures import configured_trust, is_performer

# file names of the signed forms (what a citizen downloads), without diacritics like the demo's uploads
FORM_FILES = {"receipt": "giay-tiep-nhan-ho-so", "supplement_request": "phieu-yeu-cau-bo-sung",
              "refusal": "phieu-tu-choi", "apology": "van-ban-xin-loi", "stop_notice": "thong-bao-dung-giai-quyet",
              "control_sheet": "phieu-kiem-soat"}
NOT_MINE = ("Chứng thư số dùng để ký là của {signer}, không phải của người ký ({performer}): hãy ký bằng chứng "
            "thư số của mình.")


def _refused(exc: SigningError) -> InvalidInput:
    return InvalidInput(str(exc), {"file": str(exc)}, code=f"signing_{exc.code}", params=exc.params)


def _sign_and_attach(db: Database, root: Path, instance_id: int, filename: str, pdf: bytes, key: Key, actor: str,
                     clock: Clock, title: str, seal: bytes | None, tsa_url: str | None, task_uuid: str | None,
                     trust: Trust | None) -> attachments.Attachment:
    with db.read() as conn:
        check_may_see(conn, actor, instance_id, clock.now())
    appearance = Appearance(title, "", seal) if title or seal else None
    signed = sign_as(db, pdf, key, actor, appearance=appearance, tsa_url=tsa_url, trust=trust)
    return attachments.attach(db, root, instance_id, filename, signed, actor, clock, task_uuid)


def sign_as(db: Database, pdf: bytes, key: Key, actor: str, *, appearance: Appearance | None = None,
            tsa_url: str | None = None, trust: Trust | None = None) -> bytes:
    """The PDF signed with `key`, which must be the actor's own; stores nothing (InvalidInput on a refusal)."""
    trust = trust or configured_trust()
    with db.read() as conn:
        user = user_by_name(conn, actor)
    try:
        # judged at the real time, not the app's clock: the signature records the real time it was made
        signed = sign_pdf(pdf, key, trust, appearance=appearance, tsa_url=tsa_url)
        newest = verify_pdf(signed, trust)[-1]
    except SigningError as exc:
        raise _refused(exc) from None
    if not is_performer(newest, user.full_name, user.email):
        message = NOT_MINE.format(signer=newest.signer, performer=user.full_name)
        raise InvalidInput(message, {"file": message}, code="signing_not_performer",
                           params={"signer": newest.signer, "performer": user.full_name})
    return signed


def signed_name(filename: str) -> str:
    """The signed file's name beside the original's: giay-phep.pdf → giay-phep-da-ky-so.pdf."""
    stem = re.sub(r"\.pdf$", "", filename, flags=re.I)
    return f"{stem}-da-ky-so.pdf"


def sign_attachment(db: Database, root: Path, attachment_id: int, key: Key, actor: str, clock: Clock, *,
                    title: str = "", seal: bytes | None = None, tsa_url: str | None = None,
                    task_uuid: str | None = None, trust: Trust | None = None) -> attachments.Attachment:
    """Sign a PDF attached to a case; the signed copy is a new attachment (at `task_uuid` when given).

    title: the signer's title lines for a visible block ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"); '' and no seal
    for an invisible signature.
    """
    found, path = attachments.open_for(db, root, attachment_id, actor, clock)
    return _sign_and_attach(db, root, found.instance_id, signed_name(found.filename), path.read_bytes(), key,
                            actor, clock, title, seal, tsa_url, task_uuid, trust)


def sign_form(db: Database, root: Path, instance_id: int, form: str, key: Key, actor: str, clock: Clock, *,
              title: str = "", seal: bytes | None = None, tsa_url: str | None = None, task_uuid: str | None = None,
              base_url: str = "", trust: Trust | None = None) -> attachments.Attachment:
    """Render a statutory form (documents/forms.py) for the case, sign it and attach it."""
    if form not in DOSSIER_FORMS:
        raise InvalidInput(f"Không có biểu mẫu “{form}”.", {"form": form}, code="signing_unknown_form",
                           params={"form": form})
    pdf = render_form(form, build_dossier_document_data(db, instance_id), "pdf", base_url,
                      clock.now().date())
    return _sign_and_attach(db, root, instance_id, f"{FORM_FILES[form]}-da-ky-so.pdf", pdf, key, actor, clock,
                            title, seal, tsa_url, task_uuid, trust)
