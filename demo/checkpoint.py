"""How an interrupted demo year is resumed: work committed a chunk of simulated days at a time, and a
checkpoint of the simulation written with each chunk.

The simulation's state (its event queue, each dossier's random stream, the clock, the tallies) lives in
memory and cannot be read back from the tables, and every use case commits on its own. So the generator
runs a chunk of days inside one transaction (`ChunkDatabase`: each use case's transaction becomes a
savepoint of it) and, before that transaction commits, writes a checkpoint file naming the database as it
will be after the commit (`fingerprint`). A crash rolls back the unfinished chunk; the next run takes the
checkpoint whose fingerprint matches the database — the last one, or the one before when the crash came
between writing the file and the commit — and goes on from there, drawing the same numbers an
uninterrupted run would have drawn. The last checkpoint of a finished year stays valid while the database
only grows (`identity`: the same database), so running the demo again later does nothing.

The files sit under the attachments root, which already holds the files belonging to this database (and
which backups include). They are pickles written by this code for this code, readable only by their owner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from processes.caches import LiveWorkflows
from processes.db import Database
from processes.footprint import first_event_hash, footprint
from processes.keys import VN
from processes.paths import attachments_dir

_FORMAT = 1  # bumped when the pickled state changes shape: an older checkpoint is then not resumed


@dataclass
class Checkpoint:
    """The simulation after `days` simulated days, and the database it goes with."""

    fingerprint: tuple[int, ...]
    identity: str
    days: int
    finished: bool
    state: dict[str, Any]
    format: int = _FORMAT


def fingerprint(conn: Connection) -> tuple[int, ...]:
    """What the database holds, as numbers: equal only for the same committed work."""
    return footprint(conn)


def identity(conn: Connection) -> str:
    """Which database this is (made again at the same place, it is another one)."""
    return first_event_hash(conn)


def _goes_with(found: Checkpoint, now: tuple[int, ...], this: str) -> bool:
    if found.finished:  # the database has been used since (the year's audits, officers): still that year
        return found.identity == this and all(a >= b for a, b in zip(now, found.fingerprint, strict=True))
    return tuple(found.fingerprint) == now


def end_of(year: int, until: dt.datetime | None) -> dt.datetime:
    """The demo's "today", when the simulation stops: `until`, by default mid-morning of 31 December of
    `year` — or now, when `year` is the current one. Dossiers in flight then stay open (some due today or
    soon, some overdue), as they are in a district on the morning it starts using the system."""
    if until is not None:
        return until.astimezone(dt.UTC)
    now = dt.datetime.now(dt.UTC)
    end = dt.datetime(year, 12, 31, 10, tzinfo=VN).astimezone(dt.UTC)
    return now.replace(microsecond=0) if now.astimezone(VN).year == year else end


def path_of(root: Path, db: Database, year: int, scale: float, seed: int, until: dt.datetime | None) -> Path:
    """The checkpoint file of one demo year of one database (several databases may share a root).

    Named by `until` as asked, not by the end it stands for: "today" moves, a run it interrupted does not."""
    owner = hashlib.sha256(db.engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    end = until.astimezone(dt.UTC).strftime("%Y%m%dT%H%M") if until is not None else "today"
    return root / ".demo" / f"{owner}-{year}-{seed}-{scale:g}-{end}.ckpt"


def save(path: Path, checkpoint: Checkpoint) -> None:
    """Write `checkpoint`, keeping the one before (still the right one if the commit does not happen)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        pickle.dump(checkpoint, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        os.fsync(out.fileno())
    if path.exists():
        os.replace(path, path.with_suffix(".prev"))
    os.replace(temp, path)


def load(path: Path, conn: Connection) -> Checkpoint | None:
    """The checkpoint that goes with the database as it is now, or None (never run, or not resumable)."""
    now, this = fingerprint(conn), identity(conn)
    for candidate in (path, path.with_suffix(".prev")):
        try:
            with candidate.open("rb") as src:
                found = pickle.load(src)  # noqa: S301 - our own file, mode 0600, see the module docstring
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            continue
        if isinstance(found, Checkpoint) and found.format == _FORMAT and _goes_with(found, now, this):
            return found
    return None


class ChunkDatabase(Database):
    """The database as the use cases see it during one chunk: one connection, one transaction.

    `write()` is a savepoint, so a use case that fails still leaves nothing (as its own transaction
    would), and `read()` sees the chunk's work. Live workflows get a cache of their own: the shared one
    must never hold a workflow a rolled-back chunk made (ids are handed out again after a rollback).
    """

    def __init__(self, base: Database) -> None:  # not super().__init__: that would make a second engine
        self.url, self.engine, self.is_sqlite = base.url, base.engine, base.is_sqlite
        self.procedures, self.live = base.procedures, LiveWorkflows()
        self._conn: Connection | None = None

    @contextmanager
    def chunk(self) -> Iterator[Connection]:
        """One transaction for the use cases run inside it: all of them commit, or none."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                self._conn = conn
                try:
                    yield conn
                finally:
                    self._conn = None

    def _open(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the demo runs its use cases inside a chunk")
        return self._conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A savepoint of the chunk's transaction."""
        conn = self._open()
        with conn.begin_nested():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """The chunk's connection (it sees the chunk's own work)."""
        yield self._open()


def saved_run(db: Database, year: int, scale: float, seed: int, root: Path | None = None,
              until: dt.datetime | None = None) -> Checkpoint | None:
    """The checkpoint of this demo year that goes with the database now (None: never run, or not resumable)."""
    with db.read() as conn:
        return load(path_of(root or attachments_dir(), db, year, scale, seed, until), conn)
