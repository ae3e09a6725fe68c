"""Procedure catalog: deploy BPMN as numbered definition versions; compiled procedures cached."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError

from engine.errors import ModelInvalid, problem
from engine.parsing import compile_procedure, sha256_of
from engine.xml import load_xml

from . import procedures
from .clock import Clock
from .db import Database
from .errors import ConflictError, NotFound
from .fastsql import Fast
from .handlers import registered
from .inserted import inserted_id
from .schema import definitions


@dataclass(frozen=True)
class Deployment:
    """The outcome of a deploy: which definition, and whether it was new."""

    definition_id: int
    code: str
    version: int
    process_id: str
    name: str
    created: bool


def deploy(db: Database, xml: bytes | str, clock: Clock, actor: str | None = None,
           process_id: str | None = None, filename: str | None = None) -> Deployment:
    """Validate and store a BPMN definition; unchanged XML already deployed is a no-op."""
    procedure = compile_procedure(xml, registered(), process_id, filename)
    text = xml if isinstance(xml, str) else _as_text(xml)
    now = clock.now()
    with db.write() as conn:
        deployment = _store(conn, procedure, text, now, actor)
        if deployment.created:
            # Deployed outside the catalog (CLI, jobs): its catalog entry and version in force are made here,
            # in the same transaction, so that no page has to create them on a GET.
            procedures.adopt_in(conn, now)
        return deployment


def deploy_in(conn: Connection, xml: str, now: dt.datetime, actor: str | None = None,
              process_id: str | None = None) -> Deployment:
    """Like deploy, inside the caller's transaction (a version taking effect deploys with its approval)."""
    return _store(conn, compile_procedure(xml, registered(), process_id), xml, now, actor)


def _store(conn: Connection, procedure, text: str, now: dt.datetime, actor: str | None) -> Deployment:
    if conn.dialect.name == "postgresql":
        # Two deploys of one code must not both compute the same next version number.
        conn.execute(sql_text("SELECT pg_advisory_xact_lock(hashtext(:code))"), {"code": procedure.code})
    digest = sha256_of(text)
    # Only the version in force counts as "unchanged": the XML of an older version deployed again
    # is a roll-back, and becomes a new version that new cases run on.
    same = conn.execute(select(definitions).where(
        definitions.c.sha256 == digest, definitions.c.code == procedure.code,
        definitions.c.process_id == procedure.process_id, definitions.c.status == "active")).first()
    if same is not None:
        return Deployment(same.id, same.code, same.version, same.process_id, same.name, False)
    version = (conn.execute(select(func.max(definitions.c.version))
                            .where(definitions.c.code == procedure.code)).scalar() or 0) + 1
    conn.execute(definitions.update().where(
        definitions.c.code == procedure.code, definitions.c.status == "active").values(status="superseded"))
    try:
        result = conn.execute(insert(definitions).values(
            code=procedure.code, version=version, process_id=procedure.process_id, name=procedure.name,
            bpmn_xml=text, sha256=digest, properties=json.dumps(procedure.info.properties, ensure_ascii=False),
            status="active", deployed_at=now, deployed_by=actor))
    except IntegrityError:
        raise ConflictError.of("deployed_meanwhile", code=procedure.code, version=version) from None
    definition_id = inserted_id(result)
    return Deployment(definition_id, procedure.code, version, procedure.process_id, procedure.name, True)


_DECLARED_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")


def _as_text(raw: bytes) -> str:
    """The XML as text, decoded with the encoding its declaration names (stored as UTF-8 text)."""
    declared = load_xml(raw).docinfo.encoding or "utf-8"
    try:
        text = raw.decode(declared)
    except (LookupError, UnicodeDecodeError):
        raise ModelInvalid([problem("bad_text_encoding", encoding=declared)]) from None
    # The text is stored (and read back) as UTF-8, so its declaration must say so.
    return _DECLARED_ENCODING.sub(r"\1UTF-8\2", text.lstrip("\ufeff"), count=1)


def deploy_file(db: Database, path: str | Path, clock: Clock, actor: str | None = None) -> Deployment:
    """Deploy a .bpmn file."""
    path = Path(path)
    return deploy(db, path.read_bytes(), clock, actor, filename=path.name)


_ACTIVE = Fast(
    # Not the BPMN text: a start needs the row's identity, the compiled procedure comes from the cache.
    select(*[c for c in definitions.c if c.key != "bpmn_xml"]).where(
        (definitions.c.code == bindparam("b_ref")) | (definitions.c.process_id == bindparam("b_ref")),
        definitions.c.status == "active",
    ).order_by(definitions.c.version.desc()).limit(1)
)


def active_definition(conn: Connection, code_or_process_id: str):
    """The active definition (every column but the BPMN text) whose code or process id is given, or NotFound."""
    row = _ACTIVE.execute(conn, {"b_ref": code_or_process_id}).first()
    if row is None:
        raise NotFound.of("no_active_procedure", ref=code_or_process_id)
    return row


# A procedure of this level is internal (quality system), not an administrative procedure for citizens.
INTERNAL_LEVEL = "noi_bo"


@dataclass(frozen=True)
class DeployedVersion:
    """One deployed version of a procedure, as conformance checking reads it."""

    code: str
    version: int
    process_id: str
    bpmn_xml: str
    definition_id: int = 0


@dataclass(frozen=True)
class VersionRef:
    """A definition version by id, procedure code and number."""

    definition_id: int
    code: str
    version: int


def active_versions(conn: Connection) -> list[VersionRef]:
    """The active version of every procedure, by code."""
    rows = conn.execute(select(definitions.c.id, definitions.c.code, definitions.c.version)
                        .where(definitions.c.status == "active").order_by(definitions.c.code, definitions.c.version))
    return [VersionRef(r.id, r.code, r.version) for r in rows]


def procedure_info(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per procedure code: name, level, deadline and whether it is public (latest version's properties)."""
    out: dict[str, dict[str, Any]] = {}
    for r in conn.execute(select(definitions.c.code, definitions.c.name, definitions.c.properties)
                          .order_by(definitions.c.code, definitions.c.version)):
        props = json.loads(r.properties or "{}")
        out[r.code] = {"name": r.name, "level": props.get("level", ""), "deadline": props.get("deadline"),
                       "field": props.get("field", ""), "public": props.get("level", "") != INTERNAL_LEVEL}
    return out


def deployed_versions(conn: Connection) -> list[DeployedVersion]:
    """Every deployed version of every procedure, with its BPMN text (cases run on old versions too)."""
    rows = conn.execute(select(definitions.c.code, definitions.c.version, definitions.c.process_id,
                               definitions.c.bpmn_xml, definitions.c.id)
                        .order_by(definitions.c.code, definitions.c.version))
    return [DeployedVersion(r.code, r.version, r.process_id, r.bpmn_xml, r.id) for r in rows]


def active_bpmn(conn: Connection) -> dict[str, str]:
    """Procedure code → the BPMN text of its active version."""
    return {r.code: r.bpmn_xml for r in conn.execute(select(definitions.c.code, definitions.c.bpmn_xml)
                                                     .where(definitions.c.status == "active")
                                                     .order_by(definitions.c.code, definitions.c.version))}


def definition_source(conn: Connection, definition_id: int) -> tuple[str, dict[str, Any]]:
    """The BPMN text and the decoded properties of one definition version."""
    row = conn.execute(select(definitions.c.bpmn_xml, definitions.c.properties)
                       .where(definitions.c.id == definition_id)).one()
    return row.bpmn_xml, json.loads(row.properties or "{}")


def list_definitions(db: Database) -> list[dict]:
    """Every definition version, newest first within each code."""
    with db.read() as conn:
        rows = conn.execute(select(definitions.c.id, definitions.c.code, definitions.c.version,
                                   definitions.c.name, definitions.c.status, definitions.c.deployed_at)
                            .order_by(definitions.c.code, definitions.c.version.desc()))
        return [r._asdict() for r in rows]


def count_definitions(db: Database) -> int:
    """How many definition versions are deployed (the health page shows it)."""
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(definitions)).scalar_one()


def active_procedures(db: Database, levels: tuple[str, ...]) -> list[dict[str, str]]:
    """The newest active version of each procedure whose level is one of `levels` (default level: huyen),
    as code, name, deadline, field and level, by code."""
    with db.read() as conn:
        rows = conn.execute(select(definitions.c.code, definitions.c.name, definitions.c.properties)
                            .where(definitions.c.status == "active")
                            .order_by(definitions.c.code, definitions.c.version.desc()))
        found: dict[str, dict[str, str]] = {}
        for r in rows:
            props = json.loads(r.properties or "{}")
            if r.code not in found and props.get("level", "huyen") in levels:
                found[r.code] = {"code": r.code, "name": r.name, "deadline": props.get("deadline", ""),
                                 "field": props.get("field", ""), "level": props.get("level", "")}
    return list(found.values())
