"""The demo year's signing steps (issue 16): the leader attaches the document and signs it before completing.

A step marked `sign` (docs/signatures.md) completes only when a PDF attached at it carries a valid signature
of its performer. At such a step the demo does what a leader does in the browser: attach the document
(a one-page PDF naming the dossier) at the step, sign it with the stored key (processes.signed_documents,
the same use case as the task page's "Ký số" form; the signed copy is attached beside the original), then
complete the step, whose check verifies the signature. The keys are the demo leaders' (demo/signing_keys.py),
opened with the demo password; they are made here if `quytrinh demo-org` did not make them.
"""

from __future__ import annotations

from pathlib import Path

from processes import attachments, catalog, signed_documents, signer_keys
from processes.clock import Clock
from processes.db import Database
from processes.signatures import sign_kinds
from signing.keys import Key

from . import profiles as P
from .cases import Case, DemoSummary
from .signing_keys import DEMO_KEY_PASSWORD, ensure_keys
from .support import document_pdf

# the unsigned document's file name by what the step signs (the signed copy: <name>-da-ky-so.pdf)
FILES = {"result": "ket-qua-giai-quyet", "receipt": "giay-tiep-nhan-ho-so", "refusal": "phieu-tu-choi",
         "supplement_request": "phieu-yeu-cau-bo-sung", "stop_notice": "thong-bao-dung-giai-quyet",
         "apology": "van-ban-xin-loi", "procedure": "quy-trinh"}
_TEXT = {"result": "ket qua giai quyet ho so"}


class StepSigner:
    """Signs at the steps of the demo's procedures that carry `sign`; keys are opened once per leader."""

    def __init__(self, db: Database, root: Path, base: Database) -> None:
        """db: what the use cases run on (the simulation's chunks); base: the database read here, before them."""
        self.db, self.root = db, root
        with base.read() as conn:
            self.kinds = {p.code: sign_kinds(conn, catalog.active_definition(conn, p.code).id) for p in P.PROFILES}
        self._keys: dict[str, Key] = {}
        if any(self.kinds.values()):
            ensure_keys(base)

    def sign(self, summary: DemoSummary, case: Case, instance_id: int, task_uuid: str, element: str, actor: str,
             clock: Clock) -> None:
        """Attach and sign the step's document when the step signs one (else nothing)."""
        kind = self.kinds[case.profile.code].get(element)
        if kind is None:
            return
        key = self._keys.get(actor)
        if key is None:
            key = self._keys[actor] = signer_keys.key_of(actor, DEMO_KEY_PASSWORD)
        text = f"quytrinh demo - {_TEXT.get(kind, kind)} {case.code}"
        draft = attachments.attach(self.db, self.root, instance_id, f"{FILES.get(kind, kind)}.pdf",
                                   document_pdf(text), actor, clock, task_uuid)
        signed = signed_documents.sign_attachment(self.db, self.root, draft.id, key, actor, clock,
                                                  task_uuid=task_uuid)
        summary.attachments += 2
        summary.use_cases += 2
        summary.signed += 1
        if kind == "result":
            case.signed = signed.sha256

    def signed_of(self, case: Case) -> bytes | None:
        """The dossier's result as signed at its signing step (what is returned electronically), or None."""
        return attachments.blob_path(self.root, case.signed).read_bytes() if case.signed else None
