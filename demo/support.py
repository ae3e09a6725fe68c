"""Helpers of the demo generator: who holds which role, fast SQLite loading, attachments and ratings."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, event

from engine.durations import WorkingDuration
from processes import attachments, organisation, ratings
from processes.clock import Clock
from processes.db import Database
from processes.errors import ConflictError, InvalidInput, NotFound
from processes.keys import VN


@dataclass
class Staff:
    """The demo organisation as the simulation needs it."""

    district: str = ""
    agency_ids: dict[str, int] = field(default_factory=dict)  # agency code -> unit id
    agency_of: dict[str, str] = field(default_factory=dict)  # username -> agency code (first membership)
    by_role: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (role, agency) -> usernames
    leaders: dict[str, list[str]] = field(default_factory=dict)  # unit code -> leaders holding a role there
    parent: dict[str, str | None] = field(default_factory=dict)  # unit code -> parent unit code

    def pick(self, rng: random.Random, wanted: tuple[str, ...] | list[str], agency: str) -> str:
        """A user of `agency` holding one of the roles (role@UNIT scopes are read as the role)."""
        found = sorted({u for r in wanted for u in self.by_role.get((r.partition("@")[0], agency), [])})
        if not found:
            raise InvalidInput(f"nobody in {agency} holds {', '.join(wanted)}")
        return rng.choice(found)

    def leader_of(self, unit: str) -> str:
        """A leader of `unit`, else of the nearest unit above it."""
        code: str | None = unit
        while code is not None:
            if self.leaders.get(code):
                return sorted(self.leaders[code])[0]
            code = self.parent.get(code)
        raise InvalidInput(f"no leader above {unit}")


def staff_of(conn: Connection) -> Staff:
    """Read units, memberships and role kinds into a Staff."""
    staff = Staff()
    rows = organisation.unit_tree(conn)
    by_id = {r.id: r for r in rows}
    code_of_path = {r.path: r.code for r in rows}
    for r in rows:
        staff.parent[r.code] = by_id[r.parent_id].code if r.parent_id in by_id else None
        if r.path == r.agency_path:
            staff.agency_ids[r.code] = r.id
            if r.parent_id is None and not staff.district:
                staff.district = r.code
    for h in organisation.role_holders(conn):
        agency = code_of_path.get(h.agency_path, h.unit_code)
        staff.agency_of.setdefault(h.username, agency)
        staff.by_role.setdefault((h.role_code, agency), []).append(h.username)
        if h.role_kind == "leader":
            staff.leaders.setdefault(h.unit_code, []).append(h.username)
    return staff


@contextmanager
def fast_sqlite(db: Database) -> Iterator[None]:
    """While loading simulated data into SQLite, commit without waiting for the disk (synchronous=NORMAL).

    WAL mode keeps the file consistent; only the last commits could be lost on power failure, and a
    lost demo is simply generated again. PostgreSQL is left as configured.
    """
    if not db.is_sqlite:
        yield
        return

    def _normal(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    db.engine.dispose()
    event.listen(db.engine, "connect", _normal)
    try:
        yield
    finally:
        event.remove(db.engine, "connect", _normal)
        db.engine.dispose()


@lru_cache(maxsize=1)
def placeholder_pdf() -> bytes:
    """A one-page PDF standing in for every scanned paper of the demo (stored once by its hash)."""
    return document_pdf("quytrinh demo - scanned dossier placeholder")


def document_pdf(line: str) -> bytes:
    """A one-page PDF saying one line of ASCII text (the demo's stand-in for a document)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << "
               b"/F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"]
    escaped = line.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    text = b"BT /F1 14 Tf 72 770 Td (%s) Tj ET" % escaped
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attach_pdf(db: Database, root: Path, instance_id: int, name: str, actor: str, clock: Clock,
               task_uuid: str | None = None, pdf: bytes | None = None) -> None:
    """Attach a PDF (by default the placeholder) to a case with the attachments use case."""
    attachments.attach(db, root, instance_id, name, pdf or placeholder_pdf(), actor, clock, task_uuid)


def rate(db: Database, code: str, id_number: str, score: int, clock: Clock) -> bool:
    """The applicant rates an answered dossier with the ratings use case; True when stored."""
    try:
        ratings.rate(db, code, id_number, score, "", clock)
    except (ConflictError, NotFound):
        return False
    return True


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; means here are small)."""
    if mean <= 0:
        return 0
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def office_instant(rng: random.Random, day: dt.date, sessions: tuple[tuple[dt.time, dt.time], ...]) -> dt.datetime:
    """A uniformly drawn instant inside the office sessions of `day` (Vietnam time), as UTC."""
    spans = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in sessions]
    minute = rng.uniform(0, sum(b - a for a, b in spans))
    for a, b in spans:
        if minute < b - a:
            local = dt.datetime.combine(day, dt.time(), VN) + dt.timedelta(minutes=a + minute)
            return local.astimezone(dt.UTC).replace(microsecond=0)
        minute -= b - a
    return dt.datetime.combine(day, sessions[-1][1], VN).astimezone(dt.UTC)


def share_of(limit: WorkingDuration, fraction: float) -> WorkingDuration:
    """`fraction` of a working duration (days and minutes scaled alike, to the minute)."""
    f = Fraction(fraction).limit_denominator(1000)
    return WorkingDuration(days=(limit.days * f).limit_denominator(480),
                           minutes=(limit.minutes * f).limit_denominator(60))
