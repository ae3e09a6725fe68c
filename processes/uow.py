"""The unit of work: one transaction, and the cache updates that may only happen once it commits.

Every use case has a *core* that takes a :class:`UnitOfWork` (``instances.start_in``,
``instances.complete_in``, ``reception.receive_in`` …) and a thin wrapper that opens one
(``instances.start`` …). A composite use case opens one unit of work and calls the cores of the
use cases it is made of, so they commit or roll back together.

Why the caches are staged: the per-database caches (compiled procedures by definition id, live
workflows by case and lock version) must never hold something a rolled-back transaction made. An id
handed out inside a transaction that rolls back is handed out again (SQLite reuses the rowid), and a
workflow moved in memory by a failed step is not the one stored. So a core *stages* what it wants
cached on the unit of work; :func:`unit_of_work` publishes it after the commit and drops it otherwise.
Within the transaction the staged entries are visible to the later cores of the same unit of work:
a reception starts a case and completes its first step on the workflow it just built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection

from engine.parsing import Procedure

from .db import Database


class UnitOfWork:
    """One open write transaction: its connection, and what to publish to the caches after the commit."""

    def __init__(self, db: Database, conn: Connection) -> None:
        self.db = db
        self.conn = conn
        self._workflows: dict[int, tuple[int, BpmnWorkflow]] = {}
        self._procedures: dict[int, Procedure] = {}
        self._after: list[Callable[[], None]] = []

    def procedure(self, definition_id: int) -> Procedure:
        """The compiled procedure of a definition: from the shared cache, else compiled and staged."""
        found = self._procedures.get(definition_id) or self.db.procedures.peek(definition_id)
        if found is None:
            found = self._procedures[definition_id] = self.db.procedures.compile(self.conn, definition_id)
        return found

    def take_workflow(self, instance_id: int, lock_version: int) -> BpmnWorkflow | None:
        """The workflow of a case at exactly this lock version: staged in this unit, else from the live cache."""
        staged = self._workflows.pop(instance_id, None)
        if staged is not None:
            return staged[1] if staged[0] == lock_version else None
        return self.db.live.take(instance_id, lock_version)

    def keep_workflow(self, instance_id: int, lock_version: int, workflow: BpmnWorkflow) -> None:
        """Stage a workflow saved at `lock_version`, for the live cache once the transaction commits."""
        self._workflows[instance_id] = (lock_version, workflow)

    def forget_workflow(self, instance_id: int) -> None:
        """Drop a staged workflow (its savepoint rolled back, so it is not the one stored)."""
        self._workflows.pop(instance_id, None)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the transaction has committed (never when it rolls back)."""
        self._after.append(action)

    def publish(self) -> None:
        """Hand everything staged to the shared caches (called after the commit only)."""
        for definition_id, procedure in self._procedures.items():
            self.db.procedures.put(definition_id, procedure)
        for instance_id, (lock_version, workflow) in self._workflows.items():
            self.db.live.put(instance_id, lock_version, workflow)
        for action in self._after:
            action()
        self._procedures.clear()
        self._workflows.clear()
        self._after.clear()


@contextmanager
def unit_of_work(db: Database) -> Iterator[UnitOfWork]:
    """Open a write transaction as a unit of work; publish its staged cache updates after the commit."""
    with db.write() as conn:
        uow = UnitOfWork(db, conn)
        yield uow
    uow.publish()
