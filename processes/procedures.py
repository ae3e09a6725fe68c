"""The procedure catalog under ISO document control: procedures, their metadata, the master list."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from engine.duration_words import to_iso
from engine.parsing import sha256_of

from . import organisation
from .clock import Clock
from .db import Database
from .errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from .inserted import inserted_id
from .keys import VN
from .lint import lint_xml, main_process, problems_of
from .schema import definitions, procedure_versions, procedures
from .skeleton import skeleton_bpmn, with_code
from .version_status import OBSOLETE, OPEN, VersionStatus

# The quality manager (ISO secretary) writes procedures; administrators may stand in.
EDITOR_KINDS = ("quality", "admin")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
LIST_FIELDS = ("reference_docs", "terms", "records")
TEXT_FIELDS = ("scope", "purpose")


def may_edit(conn: Connection, actor: str | None) -> bool:
    """True when the user is a quality manager (ISO secretary), who alone edits procedures."""
    if not actor:
        return False
    return any(m.role_kind in EDITOR_KINDS for m in organisation.memberships_of(conn, actor))


def require_editor(conn: Connection, actor: str | None) -> None:
    """Raise PermissionDenied unless the user may edit procedures."""
    if not may_edit(conn, actor):
        raise PermissionDenied.of("may_not_edit_procedures", actor=actor)


def procedure_row(conn: Connection, code: str) -> Row:
    """The procedure row with this code, or NotFound."""
    row = conn.execute(select(procedures).where(procedures.c.code == code)).first()
    if row is None:
        raise NotFound.of("procedure_not_in_catalog", code=code)
    return row


def as_text(xml: bytes | str) -> str:
    """BPMN text as str (UTF-8 bytes decoded; anything else refused clearly)."""
    if isinstance(xml, str):
        return xml
    try:
        return xml.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.of("bpmn_not_utf8") from None


def create_from_bpmn(db: Database, clock: Clock, actor: str, xml: bytes | str, code: str | None = None,
                     note: str = "") -> dict[str, Any]:
    """Add a procedure from a BPMN file (e.g. made in Camunda Modeler) as its first draft."""
    text = as_text(xml)
    info = main_process(text)
    if info is None:
        raise InvalidInput.of("no_executable_process_in_file")
    if code and "code" not in info.properties:
        text = with_code(text, code)
        info = main_process(text)
        if info is None:  # with_code only adds a property, so this does not happen
            raise InvalidInput.of("no_executable_process_in_file")
    elif code and info.code != code:
        raise InvalidInput.of("file_code_differs", found=info.code, expected=code)
    code = code or info.code
    now = clock.now()
    with db.write() as conn:
        require_editor(conn, actor)
        if conn.execute(select(procedures.c.id).where(procedures.c.code == code)).first() is not None:
            raise ConflictError.of("procedure_exists", code=code)
        procedure_id = insert_procedure(conn, code, text, actor, now)
        insert_version(conn, procedure_id, 1, text, VersionStatus.DRAFT, actor, now, note or "Ban hành lần đầu")
        findings = lint_xml(conn, text, code)
    return {"code": code, "version": 1, "status": VersionStatus.DRAFT.value, "problems": problems_of(findings)}


def create_blank(db: Database, clock: Clock, actor: str, code: str, name: str, field: str = "",
                 level: str = "", deadline: str = "", legal_basis: str = "") -> dict[str, Any]:
    """Add a procedure from its name and properties: a first draft with one step to draw on."""
    if not _CODE.match(code or ""):
        raise InvalidInput.of("procedure_code_invalid", {"code": "invalid"})
    if not (name or "").strip():
        raise InvalidInput.of("procedure_name_required", {"name": "required"})
    # "15 ngày làm việc" as typed on the form is kept in the BPMN as P15D; anything else is validated as written.
    deadline = to_iso(deadline) or deadline.strip()
    xml = skeleton_bpmn(code, name.strip(), field.strip(), level.strip(), deadline, legal_basis.strip())
    return create_from_bpmn(db, clock, actor, xml, code)


def insert_procedure(conn: Connection, code: str, xml: str, actor: str | None, now: dt.datetime) -> int:
    """A new catalog entry whose name and properties come from the BPMN."""
    if not _CODE.match(code):
        raise InvalidInput.of("procedure_code_bad", {"code": "invalid"}, code=code)
    info = main_process(xml)
    props = info.properties if info else {}
    return inserted_id(conn.execute(insert(procedures).values(
        code=code, name=(info.name if info else "") or code, field=props.get("field", ""),
        level=props.get("level", ""), legal_basis=props.get("legal_basis", ""), deadline=props.get("deadline"),
        scope="", purpose="", reference_docs="[]", terms="[]", records="[]", created_by=actor, created_at=now,
        updated_at=now)))


def insert_version(conn: Connection, procedure_id: int, number: int, xml: str, status: VersionStatus,
                   actor: str | None, now: dt.datetime, note: str = "", based_on: int | None = None,
                   **extra: Any) -> int:
    """A new version row."""
    return inserted_id(conn.execute(insert(procedure_versions).values(
        procedure_id=procedure_id, version=number, status=status.value, bpmn_xml=xml, sha256=sha256_of(xml),
        based_on=based_on, revision_note=note, created_by=actor, created_at=now, updated_at=now,
        **extra)))


def update_metadata(db: Database, clock: Clock, actor: str, code: str, values: dict[str, Any]) -> None:
    """Change the ISO metadata the BPMN does not carry: scope, purpose, references, terms, records."""
    clean: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        if key in values:
            clean[key] = str(values[key] or "").strip()[:20000]
    for key, fields in (("terms", ("term", "meaning")), ("records", ("record", "where", "retention"))):
        if key in values:
            clean[key] = json.dumps(_rows(values[key], fields, key), ensure_ascii=False)
    if "reference_docs" in values:
        items = values["reference_docs"]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise InvalidInput.of("references_not_texts", {"reference_docs": "invalid"})
        clean["reference_docs"] = json.dumps([i.strip() for i in items if i.strip()], ensure_ascii=False)
    with db.write() as conn:
        require_editor(conn, actor)
        row = procedure_row(conn, code)
        conn.execute(update(procedures).where(procedures.c.id == row.id).values(updated_at=clock.now(), **clean))


def _rows(items: Any, fields: tuple[str, ...], key: str) -> list[dict[str, str]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidInput.of("rows_invalid", {key: "invalid"}, key=key, fields=", ".join(fields))
    rows = [{f: str(i.get(f) or "").strip() for f in fields} for i in items]
    return [r for r in rows if any(r.values())]


def metadata_of(row: Any) -> dict[str, Any]:
    """A procedure row as a dict, JSON columns decoded."""
    data = {k: v for k, v in row._asdict().items()}
    for key in LIST_FIELDS:
        data[key] = json.loads(data.get(key) or "[]")
    return data


def get_procedure(db: Database, code: str) -> dict[str, Any]:
    """A procedure's metadata."""
    with db.read() as conn:
        return metadata_of(procedure_row(conn, code))


def list_catalog(db: Database) -> list[dict[str, Any]]:
    """The master list: every procedure with its version in force, its open draft and its obsolete versions."""
    with db.read() as conn:
        rows = list(conn.execute(select(procedures).order_by(procedures.c.code)))
        versions = list(conn.execute(select(
            procedure_versions.c.procedure_id, procedure_versions.c.version, procedure_versions.c.status,
            procedure_versions.c.issue_number, procedure_versions.c.issue_date, procedure_versions.c.effective_date,
            procedure_versions.c.drafted_by).order_by(procedure_versions.c.version)))
    out = []
    for row in rows:
        mine = [v for v in versions if v.procedure_id == row.id]
        current = next((v for v in reversed(mine) if v.status == VersionStatus.EFFECTIVE.value), None)
        draft = next((v for v in reversed(mine) if v.status in OPEN), None)
        out.append({
            "code": row.code, "name": row.name, "field": row.field, "level": row.level, "deadline": row.deadline,
            "version": current.version if current else None,
            "issue_number": current.issue_number if current else None,
            "issue_date": current.issue_date if current else None,
            "effective_date": current.effective_date if current else None,
            "status": current.status if current else (draft.status if draft else "withdrawn"),
            "open_version": draft.version if draft else None, "open_status": draft.status if draft else None,
            "obsolete_versions": [v.version for v in mine if v.status in OBSOLETE],
            "owner": current.drafted_by if current and current.drafted_by else "",
        })
    return out


def adopt_deployed(db: Database, clock: Clock) -> int:
    """Bring procedures deployed outside the catalog (CLI, make run) under document control; return how many."""
    with db.read() as conn:
        if not _unadopted(conn):
            return 0  # the usual case: deploy adopts what it deploys, so there is nothing to write
    with db.write() as conn:
        return adopt_in(conn, clock.now())


def adopt_in(conn: Connection, now: dt.datetime) -> int:
    """Core of adopt_deployed, inside the caller's transaction (catalog.deploy adopts what it deploys)."""
    adopted = 0
    active = list(conn.execute(select(definitions).where(definitions.c.id.in_(_unadopted(conn)))
                               .order_by(definitions.c.code)))
    for definition in active:
        row = conn.execute(select(procedures).where(procedures.c.code == definition.code)).first()
        if row is None:
            procedure_id = insert_procedure(conn, definition.code, definition.bpmn_xml, definition.deployed_by, now)
        else:
            procedure_id = row.id
        _adopt(conn, procedure_id, definition, now)
        adopted += 1
    return adopted


def _unadopted(conn: Connection) -> list[int]:
    """Active definitions no version in force stands for (deployed outside the catalog)."""
    linked = select(procedure_versions.c.definition_id).where(
        procedure_versions.c.status == VersionStatus.EFFECTIVE.value,
        procedure_versions.c.definition_id.is_not(None))
    return list(conn.execute(select(definitions.c.id).where(
        definitions.c.status == "active", definitions.c.id.not_in(linked))).scalars())


def _adopt(conn: Connection, procedure_id: int, definition: Any, now) -> None:
    versions = list(conn.execute(select(procedure_versions).where(
        procedure_versions.c.procedure_id == procedure_id)))
    for old in versions:
        if old.status == VersionStatus.EFFECTIVE.value:
            conn.execute(update(procedure_versions).where(procedure_versions.c.id == old.id).values(
                status=VersionStatus.SUPERSEDED.value, obsolete_at=now, updated_at=now))
    number = max((v.version for v in versions), default=0) + 1
    issued = max((v.issue_number or 0 for v in versions), default=0) + 1
    note = "Ban hành lần đầu" if not versions else "Triển khai ngoài danh mục (quytrinh deploy)"
    insert_version(conn, procedure_id, number, definition.bpmn_xml, VersionStatus.EFFECTIVE, definition.deployed_by,
                   now, note, issue_number=issued, definition_id=definition.id,
                   **issued_as(definition.bpmn_xml, definition.deployed_by, definition.deployed_at))


# A procedure already issued on paper before it came into quytrinh says so in its BPMN (process properties):
# its issue and effective dates and who drafted, reviewed and approved it; without them it was issued the day
# it was deployed, by whoever deployed it.
ISSUE_PROPERTIES = ("issue_date", "effective_date", "drafted_by", "reviewed_by", "approved_by")


def issued_as(xml: str, deployed_by: str | None, deployed_at: dt.datetime) -> dict[str, Any]:
    """The issue columns of a version adopted from a deployed BPMN (see ISSUE_PROPERTIES)."""
    info = main_process(xml)
    props = info.properties if info is not None else {}
    day = _date_property(props.get("issue_date")) or deployed_at.astimezone(VN).date()
    signed_at = dt.datetime.combine(day, dt.time(8), VN) if props.get("issue_date") else deployed_at
    values: dict[str, Any] = {"issue_date": day, "effective_date": _date_property(props.get("effective_date")) or day,
                              "drafted_by": props.get("drafted_by") or deployed_by, "drafted_at": signed_at}
    for key in ("reviewed", "approved"):
        if props.get(f"{key}_by"):
            values.update({f"{key}_by": props[f"{key}_by"], f"{key}_at": signed_at})
    return values


def _date_property(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None  # a malformed date is not guessed at: the version counts as issued on the deploy day
