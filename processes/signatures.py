"""Which steps sign what, and the check that such a step is signed by its performer (issue 16).

A step marked `<camunda:property name="sign" value="result" />` (values: engine.model.STEP_SIGN_KINDS;
checked at deploy) completes only when a PDF attached at that step (attachments.task_uuid = the step)
carries a signature that signing.verify finds valid — intact, unmodified since, by a certificate that
chains to a trusted root and was valid then — and whose certificate is the performer's:

- the certificate names the performer's e-mail address (subject emailAddress or an rfc822 alt name)
  equal to the user's e-mail in the organisation, or
- the certificate's common name is the user's full name, compared without regard to case, Unicode
  normalisation or extra spaces (Vietnamese CAs put the holder's full name in the CN).

The e-mail is the stronger tie and is preferred where users have one; the name alone can collide, which
is why an agency records its signers' e-mail addresses (docs/signatures.md). Nothing is written here: a
refusal is an InvalidInput whose message is plain Vietnamese and whose code says which case it was.

Hook (processes/instances.py, complete_in, after the form is cleaned, before the step completes):
    signatures.check_signed(conn, case.workflow, case.row.id, task_uuid, actor, root=uow.db.attachments_root)
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from sqlalchemy import Connection, select

from engine import expressions, runner
from engine.model import STEP_TAGS, properties_of
from engine.xml import BPMN_NS, load_xml
from signing.errors import SigningError

from . import attachments as store
from .clock import Clock
from .db import Database
from .errors import InvalidInput
from .organisation import user_by_name
from .paths import trust_dir
from .schema import definitions, human_tasks, instances
from .workspace_schema import attachments

_log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pyHanko loads in most of a second: imported when a signature is checked (below)
    from signing.trust import Trust
    from signing.verify import SignatureReport

# What the step signs, in words: a *_label param of the refusals (web/error_text.py says it in the reader's
# language through messages.po, like the status labels).
WHAT: dict[str, str] = {
    "result": "kết quả giải quyết",
    "receipt": "giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "supplement_request": "phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "refusal": "phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "stop_notice": "thông báo dừng giải quyết hồ sơ",
    "apology": "văn bản xin lỗi",
    "procedure": "quy trình",
}


@dataclass(frozen=True)
class StepSignature:
    """The attachment whose signature let a signing step complete."""

    attachment_id: int
    filename: str
    kind: str
    report: SignatureReport


_kinds_by_definition: dict[str, dict[str, str]] = {}


def step_sign_kind(db: Database, task_uuid: str) -> tuple[str, str] | None:
    """(kind, what it is in words) that a step signs, read without loading the case, for the task page;
    None for a step that signs nothing. Cached by the definition's content hash (it never changes)."""
    with db.read() as conn:
        row = conn.execute(select(human_tasks.c.element_id, definitions.c.sha256, definitions.c.id)
                           .join(instances, instances.c.id == human_tasks.c.instance_id)
                           .join(definitions, definitions.c.id == instances.c.definition_id)
                           .where(human_tasks.c.task_uuid == task_uuid)).first()
        if row is None:
            return None
        kind = _kinds(conn, row.id, row.sha256).get(row.element_id)
    return None if kind is None else (kind, WHAT.get(kind, kind))


def sign_kinds(conn: Connection, definition_id: int) -> dict[str, str]:
    """Step id → what it signs, for the steps of a procedure version that carry `sign` (the demo year signs
    at them)."""
    sha = conn.execute(select(definitions.c.sha256).where(definitions.c.id == definition_id)).scalar_one()
    return dict(_kinds(conn, definition_id, sha))


def _kinds(conn: Connection, definition_id: int, sha256: str) -> dict[str, str]:
    kinds = _kinds_by_definition.get(sha256)
    if kinds is None:
        xml = conn.execute(select(definitions.c.bpmn_xml).where(definitions.c.id == definition_id)).scalar_one()
        root = load_xml(xml).getroot()
        kinds = {el.get("id", ""): properties_of(el)["sign"] for tag in STEP_TAGS
                 for el in root.iter(f"{{{BPMN_NS}}}{tag}") if "sign" in properties_of(el)}
        _kinds_by_definition[sha256] = kinds
    return kinds


def sign_kind(workflow: Any, task_uuid: str) -> str | None:
    """What the ready step signs (its `sign` property), or None for a step that signs nothing."""
    spec = runner.ready_task(workflow, UUID(task_uuid)).task_spec
    return (getattr(spec, "extensions", None) or {}).get("sign")


def must_sign(workflow: Any, task_uuid: str, data: Mapping[str, Any] | None,
              fields: Collection[str] = ()) -> str | None:
    """What the ready step signs when completed with `data` (the cleaned form), or None: the one decision of
    whether a completion must be signed (check_signed, and approval_signing before it signs).

    A step may sign only on one outcome: `sign_if` (an expression over the step's form and the case's data,
    checked at deploy) — QT-ISO-01's approver signs the procedure document when he approves, not when he
    sends the draft back. `fields`: the ids of the step's form fields, read as empty when left empty."""
    task = runner.ready_task(workflow, UUID(task_uuid))
    extensions = getattr(task.task_spec, "extensions", None) or {}
    kind = extensions.get("sign")
    condition = extensions.get("sign_if")
    if kind is None or not condition or data is None:
        return kind
    return kind if sign_required(condition, {**dict.fromkeys(fields), **(task.data or {}), **data}) else None


def sign_required(condition: str, values: Mapping[str, Any]) -> bool:
    """Whether a `sign_if` holds over `values`; True when it cannot be told (it fails closed).

    A name in neither the form nor the case's data (a misspelt field, data the case never had) or an
    evaluation error leaves the outcome unknown. Unknown means sign: the signature is the step's safeguard and
    the performer can always give it, whereas a refusal would hold the case until the model is redeployed.
    The administrator is told in the log, since the model, not the officer, is at fault."""
    try:
        compiled = expressions.compile_expression(condition)
        # checked here, not left to evaluate: a JUEL `${...}` condition reads an unknown name as null and
        # would fail open (`${quyet_dinh_cuoi == 'duyet'}` false, so unsigned)
        unknown = sorted(compiled.names - values.keys())
        if unknown:
            _log.warning("sign_if %r names %s, in neither the form nor the case: the step must be signed",
                         condition, ", ".join(unknown))
            return True
        return bool(compiled.evaluate(values))
    except expressions.ExpressionError as exc:
        _log.warning("sign_if %r cannot be evaluated (%s): the step must be signed", condition, exc)
        return True


def configured_trust() -> Trust:
    """The deployment's trust roots (QUYTRINH_TRUST_ROOTS and the trust folder, paths.trust_dir) and CRLs
    (signing/trust.py), read at each check: an agency replaces its CRL files every few days, and the files
    are a few kilobytes."""
    from signing.trust import Trust

    return Trust.from_env(trust_dir())


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


class Signer(Protocol):
    """Who a certificate names (a SignatureReport, or a certificate not yet used)."""

    @property
    def signer(self) -> str: ...

    @property
    def signer_email(self) -> str: ...  # comma-separated


def is_performer(report: Signer, full_name: str, email: str | None) -> bool:
    """Whether the signature's certificate is this user's: the same e-mail, else the same full name."""
    emails = {e for e in report.signer_email.split(",") if e}
    if email and email.strip().lower() in emails:
        return True
    return bool(full_name.strip()) and _plain(report.signer) == _plain(full_name)


def check_signed(conn: Connection, workflow: Any, instance_id: int, task_uuid: str, actor: str, *,
                 root: Path, trust: Trust | None = None,
                 data: Mapping[str, Any] | None = None, fields: Collection[str] = ()) -> StepSignature | None:
    """Refuse (InvalidInput) to complete a signing step without a valid signature of `actor` on a PDF
    attached at it; None for a step that signs nothing, else the attachment that is signed.
    `root`: the attachment store the database's files are in (Database.attachments_root); `data`: the
    step's cleaned form and `fields` its form's field ids, for a step that signs only on some outcome
    (`sign_if`)."""
    kind = must_sign(workflow, task_uuid, data, fields)
    if kind is None:
        return None
    task = runner.ready_task(workflow, UUID(task_uuid))
    step = getattr(task.task_spec, "bpmn_name", None) or task.task_spec.name
    rows = conn.execute(select(attachments).where(attachments.c.instance_id == instance_id,
                                                  attachments.c.task_uuid == task_uuid,
                                                  attachments.c.content_type == "application/pdf")
                        .order_by(attachments.c.id.desc())).all()
    if not rows:
        raise InvalidInput.of("signature_required", step=step, what_label=WHAT.get(kind, kind), kind=kind)
    from signing.verify import verify_pdf

    user = user_by_name(conn, actor)
    trust = trust or configured_trust()
    first_problem: InvalidInput | None = None
    for row in rows:  # the newest first: the problem of the file just uploaded is the one to tell
        try:
            reports = verify_pdf(store.blob_path(root, row.sha256).read_bytes(), trust)
        except SigningError as exc:
            problem = InvalidInput.of("signature_file_unreadable", file=row.filename, detail=str(exc))
        except OSError:
            problem = InvalidInput.of("signature_file_gone", file=row.filename)
        else:
            mine = next((r for r in reports if r.valid and is_performer(r, user.full_name, user.email)), None)
            if mine is not None:
                return StepSignature(row.id, row.filename, kind, mine)
            problem = _problem(row.filename, reports, user.full_name)
        first_problem = first_problem or problem
    assert first_problem is not None
    raise first_problem


def _problem(filename: str, reports: list[SignatureReport], performer: str) -> InvalidInput:
    if not reports:
        return InvalidInput.of("signature_missing", file=filename)
    valid = next((r for r in reports if r.valid), None)
    if valid is not None:
        return InvalidInput.of("signature_not_performer", file=filename, signer=valid.signer, performer=performer)
    return InvalidInput.of("signature_not_valid", file=filename, status_label=reports[-1].label,
                            status=reports[-1].status)


def signatures_of(db: Database, root: Path, attachment_id: int, actor: str, clock: Clock) -> list[SignatureReport]:
    """The verdict on each signature of an attachment the actor may see ([] for an unsigned file or an image)."""
    from signing.verify import verify_pdf

    found, path = store.open_for(db, root, attachment_id, actor, clock)
    if found.content_type != "application/pdf":
        return []
    return verify_pdf(path.read_bytes(), configured_trust())



@dataclass(frozen=True)
class FileStatus:
    """One attachment's signatures in a word, for a list of files: status code ('' unsigned) and label."""

    status: str
    label: str
    signers: tuple[str, ...]


def statuses_of_case(db: Database, root: Path, instance_id: int, actor: str, clock: Clock,
                     trust: Trust | None = None) -> dict[int, FileStatus]:
    """The signature status of each PDF attached to a case the actor may see, by attachment id.

    A file's verdict is remembered by its content hash, the trust settings and the day (a certificate
    expires at a date): a dossier page lists the same files again and again.
    """
    from .access import check_may_see

    with db.read() as conn:
        check_may_see(conn, actor, instance_id, clock.now())
        rows = conn.execute(select(attachments.c.id, attachments.c.sha256).where(
            attachments.c.instance_id == instance_id, attachments.c.content_type == "application/pdf")).all()
    trust = trust or configured_trust()
    key = (tuple(c.sha256 for c in trust.roots), trust.crls, trust.fetch_revocation)
    day = clock.now().date().isoformat()
    return {r.id: _file_status(store.blob_path(root, r.sha256), r.sha256, key, day, trust) for r in rows}


def file_status(root: Path, sha256: str, clock: Clock, trust: Trust | None = None) -> FileStatus:
    """The signature status of one stored file (by its hash), e.g. a document shown outside its case."""
    trust = trust or configured_trust()
    key = (tuple(c.sha256 for c in trust.roots), trust.crls, trust.fetch_revocation)
    return _file_status(store.blob_path(root, sha256), sha256, key, clock.now().date().isoformat(), trust)


_status_cache: dict[tuple[Any, ...], FileStatus] = {}


def _file_status(path: Path, sha256: str, key: tuple[Any, ...], day: str, trust: Trust) -> FileStatus:
    from signing.verify import summary, verify_pdf

    found = _status_cache.get((sha256, key, day))
    if found is not None:
        return found
    try:
        reports = verify_pdf(path.read_bytes(), trust)
    except (SigningError, OSError):
        return FileStatus("invalid", "Không đọc được tệp PDF", ())
    bad = next((r for r in reports if not r.valid), None)
    status = "" if not reports else (bad.status if bad else "valid")
    result = FileStatus(status, summary(reports), tuple(r.signer for r in reports))
    if len(_status_cache) > 4096:  # a bounded memo: clear rather than grow without end
        _status_cache.clear()
    _status_cache[(sha256, key, day)] = result
    return result
