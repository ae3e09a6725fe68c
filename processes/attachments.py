"""Scanned papers attached to a case: checked by size, extension and magic bytes, stored once by content hash.

Files live outside the web root (the app passes ``instance/attachments/``) at ``<root>/<aa>/<sha256>``; the
database keeps who attached what to which case, and each attachment is an event in the case's log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select

from engine.field_errors import FieldError

from . import dossiers
from .access import check_may_see
from .atomic_files import write_atomically
from .case_chain import check_may_write
from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound
from .eventlog import Event
from .inserted import inserted_id
from .schema import definitions, instances
from .workspace_schema import attachments

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_CASE = 50
# extension -> (content type, magic prefixes): the content must start like the extension says.
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    "tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
}
_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Attachment:
    """One file attached to a case."""

    id: int
    instance_id: int
    task_uuid: str | None
    sha256: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime


def clean_filename(name: str) -> str:
    """The file's base name without path parts or control characters, at most 200 characters."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return base[-200:] or "tep-dinh-kem"


def check(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload, else InvalidInput saying what is wrong."""
    name = clean_filename(filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        raise InvalidInput.of("file_empty", {"file": FieldError("file_empty")})
    if len(data) > max_bytes:
        raise InvalidInput.of("file_too_large", {"file": FieldError("file_too_large", mb=max_bytes // (1024 * 1024))})
    if ext not in TYPES:
        raise InvalidInput.of("file_type_refused",
                           {"file": FieldError("file_type", types=", ".join(sorted({e.upper() for e in TYPES})))})
    content_type, magics = TYPES[ext]
    if not any(data.startswith(m) for m in magics):
        raise InvalidInput.of("file_content_mismatch",
                           {"file": FieldError("file_content", ext=ext)})
    return name, content_type


def store_blob(root: Path, data: bytes) -> str:
    """Write the bytes under their SHA-256 (once; atomic rename) and return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    target = blob_path(root, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data, mode=0o640, prefix=".upload-")
    return digest


def blob_path(root: Path, digest: str) -> Path:
    """Where the file with this hash is kept."""
    if not _HEX.match(digest):
        raise ValueError("not a SHA-256 hex digest")
    return Path(root) / digest[:2] / digest


def insert_row(conn: Connection, instance_id: int, name: str, content_type: str, digest: str, size: int,
               actor: str, now: dt.datetime, task_uuid: str | None = None) -> tuple[int, Event]:
    """Record an attachment inside a caller's transaction; return its id and the event to log."""
    count = len(list(conn.execute(select(attachments.c.id).where(attachments.c.instance_id == instance_id))))
    if count >= MAX_PER_CASE:
        raise InvalidInput.of("too_many_attachments", {"file": f"at most {MAX_PER_CASE} files per dossier"})
    new_id = inserted_id(conn.execute(insert(attachments).values(
        instance_id=instance_id, task_uuid=task_uuid, sha256=digest, filename=name, content_type=content_type,
        size=size, uploaded_by=actor, uploaded_at=now)))
    process = conn.execute(select(definitions.c.process_id, definitions.c.name)
                           .join(instances, instances.c.definition_id == definitions.c.id)
                           .where(instances.c.id == instance_id)).one()
    return new_id, Event(process.process_id, "attachment_added", now, actor, process.name,
                         {"attachment": new_id, "filename": name, "sha256": digest, "size": size, "task": task_uuid})


def attach_in(conn: Connection, root: Path, instance_id: int, files: Sequence[tuple[str, str, bytes]], actor: str,
              now: dt.datetime, task_uuid: str | None = None, digests: Sequence[str] | None = None) -> list[int]:
    """Store checked files (clean name, content type, bytes) and record them as attachments of a case, each an
    event in its log, inside the caller's transaction; their ids. The callers (attach, a reception, a signed
    approval) own the transaction, so the rows commit or roll back with the rest of their use case. `digests`:
    the files were stored already (store_blob), before the transaction, so that writing a large file does not
    hold the database's write lock."""
    if not files:
        return []
    # Files first (content-addressed, never overwritten): a rolled-back transaction leaves at most unreferenced
    # blobs, never a row without its file.
    digests = digests if digests is not None else [store_blob(root, data) for *_, data in files]
    case = dossiers.lock_case(conn, instance_id)  # before insert_row counts the case's files
    added = [insert_row(conn, instance_id, name, content_type, digest, len(data), actor, now, task_uuid)
             for (name, content_type, data), digest in zip(files, digests, strict=True)]
    dossiers.log_events(conn, case, [event for _, event in added])
    return [new_id for new_id, _ in added]


def attach(db: Database, root: Path, instance_id: int, filename: str, data: bytes, actor: str, clock: Clock,
           task_uuid: str | None = None) -> Attachment:
    """Attach a checked file to a case the actor may write to."""
    name, content_type = check(filename, data)
    now = clock.now()
    with db.read() as conn:
        check_may_write(conn, actor, instance_id, now)  # reading is not enough: a place in the case's chain
    digest = store_blob(root, data)  # up to 10 MB written and synced before, not under, the write lock
    with db.write() as conn:
        [new_id] = attach_in(conn, root, instance_id, [(name, content_type, data)], actor, now, task_uuid,
                             digests=[digest])
    return get(db, new_id)


def _view(r) -> Attachment:
    return Attachment(r.id, r.instance_id, r.task_uuid, r.sha256, r.filename, r.content_type, r.size,
                      r.uploaded_by, r.uploaded_at)


def get(db: Database, attachment_id: int) -> Attachment:
    """One attachment row."""
    with db.read() as conn:
        row = conn.execute(select(attachments).where(attachments.c.id == attachment_id)).first()
    if row is None:
        raise NotFound.of("attachment_not_found", attachment=attachment_id)
    return _view(row)


def of_case(db: Database, instance_id: int) -> list[Attachment]:
    """A case's attachments, oldest first."""
    with db.read() as conn:
        rows = conn.execute(select(attachments).where(attachments.c.instance_id == instance_id)
                            .order_by(attachments.c.id))
        return [_view(r) for r in rows]


def open_for(db: Database, root: Path, attachment_id: int, actor: str, clock: Clock) -> tuple[Attachment, Path]:
    """An attachment and its file, for a user who may see its case."""
    found = get(db, attachment_id)
    with db.read() as conn:
        check_may_see(conn, actor, found.instance_id, clock.now())
    path = blob_path(root, found.sha256)
    if not path.is_file():
        raise NotFound.of("attachment_file_missing", attachment=attachment_id)
    return found, path
