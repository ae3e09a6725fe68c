"""Anchors of the event log outside the database: signed checkpoints of every chain's head (issue 12, defect 10).

The hash chains (processes/eventlog.py, processes/adminlog.py) show that a row was edited only to someone
who cannot rewrite the chain: whoever can write to the database can edit a row and recompute every later
hash with the project's own function, and `verify` then finds nothing. A checkpoint records, for every
chain (each case, and the administration log), how many rows it had and the hash of the last one, signed
with an Ed25519 key the administrator or auditor keeps outside the database. Recomputing each chain from
its stored rows must arrive at the same hash after the same number of rows: a rewritten row before the
checkpoint changes that hash, and without the private key no new checkpoint can be forged.

A checkpoint file is JSON: {"checkpoint": {...}, "signature": base64, "public_key": base64}; the signature
covers the canonical JSON of "checkpoint". The verifier trusts only the public key given to it, never the
one in the file (that one only says which key signed it).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select

from . import adminlog
from .admin_schema import admin_events
from .db import Database
from .eventlog import GENESIS, Tampering, row_hash
from .schema import events, instances
from .uow import unit_of_work

FORMAT = 1
ADMIN = "admin"  # the administration log's chain; a case's chain is named "case:<id>"


@dataclass(frozen=True)
class AnchorNote:
    """A checkpoint as the administration log remembers it (the annual report prints the latest)."""

    made_at: dt.datetime
    key_id: str
    chains: int
    sha256: str
    actor: str | None


@dataclass(frozen=True)
class Checkpoint:
    """Every chain's (row count, head hash) at one instant, and the key id that signed it."""

    made_at: dt.datetime
    heads: dict[str, tuple[int, str]]
    key_id: str


def generate_key() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """The private key of a PEM file written by generate_key (ValueError when it is not one)."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """The public key of a PEM file (ValueError when it is not an Ed25519 public key)."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key (SHA-256 of its raw bytes, 16 hex digits)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def current_heads(conn: Connection) -> dict[str, tuple[int, str]]:
    """Every chain's head as stored now (cases with no event yet are left out)."""
    heads = {f"case:{r.id}": (r.event_count, r.event_head) for r in conn.execute(
        select(instances.c.id, instances.c.event_count, instances.c.event_head).where(instances.c.event_count > 0))}
    admin = adminlog.head(conn)
    if admin.count:
        heads[ADMIN] = (admin.count, admin.head)
    return heads


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign_checkpoint(conn: Connection, key: Ed25519PrivateKey, now: dt.datetime) -> bytes:
    """The signed checkpoint file of the chains as they are now."""
    heads = current_heads(conn)
    body = {"format": FORMAT, "made_at": now.astimezone(dt.UTC).isoformat(),
            "heads": {name: [count, head] for name, (count, head) in sorted(heads.items())}}
    public = key.public_key()
    document = {"checkpoint": body, "signature": base64.b64encode(key.sign(_canonical(body))).decode(),
                "public_key": base64.b64encode(public.public_bytes(serialization.Encoding.Raw,
                                                                   serialization.PublicFormat.Raw)).decode(),
                "key_id": key_id(public)}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def anchor(db: Database, key: Ed25519PrivateKey, now: dt.datetime, actor: str) -> bytes:
    """Sign a checkpoint of every chain and note it (key id, digest of the file) in the administration log."""
    with unit_of_work(db) as uow:
        data = sign_checkpoint(uow.conn, key, now)
        chains = len(json.loads(data)["checkpoint"]["heads"])
        # Noted after signing: the note extends the administration log past the checkpoint, it rewrites nothing.
        adminlog.record(uow.conn, actor, "log.anchor", key_id(key.public_key()), now, chains=chains,
                        sha256=hashlib.sha256(data).hexdigest(), made_at=now.astimezone(dt.UTC).isoformat())
    return data


def latest_anchor(conn: Connection) -> AnchorNote | None:
    """The newest checkpoint noted in the administration log, or None before the first."""
    row = conn.execute(select(admin_events).where(admin_events.c.action == "log.anchor")
                       .order_by(admin_events.c.seq.desc()).limit(1)).first()
    if row is None:
        return None
    details = json.loads(row.payload)
    return AnchorNote(row.at, row.target, int(details.get("chains", 0)), str(details.get("sha256", "")), row.actor)


def read_checkpoint(data: bytes, public: Ed25519PublicKey) -> Checkpoint:
    """A checkpoint file whose signature is the trusted key's (ValueError naming what is wrong otherwise)."""
    try:
        document = json.loads(data)
        body = document["checkpoint"]
        signature = base64.b64decode(document["signature"], validate=True)
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a checkpoint file") from None
    try:
        public.verify(signature, _canonical(body))
    except InvalidSignature:
        raise ValueError("its signature is not made by the trusted key (forged or altered)") from None
    if body.get("format") != FORMAT:
        raise ValueError(f"unknown checkpoint format {body.get('format')!r}")
    heads = {name: (int(value[0]), str(value[1])) for name, value in body["heads"].items()}
    return Checkpoint(dt.datetime.fromisoformat(body["made_at"]), heads, key_id(public))


def _case_rows(conn: Connection) -> Iterator[tuple[int, list[Any]]]:
    """Each case's stored events in order, one case at a time (one streamed query)."""
    current: int | None = None
    batch: list[Any] = []
    query = select(events).order_by(events.c.case_id, events.c.seq).execution_options(yield_per=2000)
    for row in conn.execute(query):
        if row.case_id != current:
            if current is not None:
                yield current, batch
            current, batch = row.case_id, []
        batch.append(row)
    if current is not None:
        yield current, batch


def recomputed_heads(conn: Connection, wanted: dict[str, int]) -> dict[str, str | None]:
    """For each chain and row count asked, the hash reached by recomputing its first rows (None: too few rows).

    Recomputed from the rows' content alone (not their stored hashes): a rewritten chain whose stored hashes
    agree with each other still arrives at a different hash than the one signed.
    """
    found: dict[str, str | None] = dict.fromkeys(wanted)
    for case_id, rows in _case_rows(conn):
        name = f"case:{case_id}"
        if name in wanted:
            found[name] = _fold(rows, wanted[name], lambda r, prev, cid=case_id: row_hash(
                cid, r.seq, r.activity, r.activity_name, r.lifecycle, r.actor, r.at, r.payload, prev))
    if ADMIN in wanted:
        found[ADMIN] = _fold(adminlog.rows(conn, wanted[ADMIN]), wanted[ADMIN], adminlog.digest_of)
    return found


def _fold(rows: list[Any], count: int, digest: Any) -> str | None:
    prev = GENESIS
    for expected_seq, row in enumerate(rows[:count], start=1):
        if row.seq != expected_seq:
            return None
        prev = digest(row, prev)
    return prev if len(rows) >= count else None


def check(conn: Connection, checkpoint: Checkpoint) -> list[Tampering]:
    """Every chain whose rows up to the checkpoint no longer lead to the head it signed."""
    reached = recomputed_heads(conn, {name: count for name, (count, _) in checkpoint.heads.items()})
    found = []
    stamp = checkpoint.made_at.isoformat(timespec="seconds")
    for name, (count, head) in sorted(checkpoint.heads.items()):
        case_id = 0 if name == ADMIN else int(name.partition(":")[2])
        if reached[name] is None:
            found.append(Tampering(case_id, count, f"{name}: rows up to {count} signed in the checkpoint of {stamp} "
                                                   "are missing"))
        elif reached[name] != head:
            found.append(Tampering(case_id, count, f"{name}: rows 1-{count} were rewritten after the checkpoint "
                                                   f"of {stamp} (their hash differs from the signed one)"))
    return found
