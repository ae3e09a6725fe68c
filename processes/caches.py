"""Per-database caches: compiled procedures by definition, live workflows by instance and lock version."""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, select

from engine.parsing import Procedure, compile_procedure

from .errors import NotFound
from .handlers import registered
from .schema import definitions


class ProcedureCache:
    """Compiled procedures by definition id; a definition's XML never changes, so no expiry."""

    def __init__(self) -> None:
        self._items: dict[int, Procedure] = {}
        self._lock = threading.Lock()

    def get(self, conn: Connection, definition_id: int) -> Procedure:
        """The compiled procedure of a committed definition, compiling it once (read paths)."""
        found = self._items.get(definition_id)
        if found is None:
            found = self.compile(conn, definition_id)
            self.put(definition_id, found)
        return found

    def peek(self, definition_id: int) -> Procedure | None:
        """The cached procedure of a definition, if any."""
        return self._items.get(definition_id)

    def compile(self, conn: Connection, definition_id: int) -> Procedure:
        """Compile a definition as `conn` sees it, without caching it (a unit of work caches after commit)."""
        row = conn.execute(select(definitions.c.bpmn_xml, definitions.c.process_id)
                           .where(definitions.c.id == definition_id)).first()
        if row is None:
            raise NotFound(f"no definition {definition_id}")
        return compile_procedure(row.bpmn_xml, registered(), row.process_id)

    def put(self, definition_id: int, procedure: Procedure) -> None:
        """Keep a compiled procedure of a committed definition."""
        with self._lock:
            self._items[definition_id] = procedure

    def __contains__(self, definition_id: object) -> bool:
        return definition_id in self._items

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


class LiveWorkflows:
    """A bounded LRU of deserialised workflows keyed by instance id and lock version.

    A use case *takes* a workflow out (so no other thread can touch the same object) and *puts* it
    back only after its transaction committed; a failed transaction simply drops it.
    """

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, instance_id: int, lock_version: int) -> BpmnWorkflow | None:
        """Remove and return the workflow if it was saved at exactly this lock version."""
        with self._lock:
            found = self._items.pop(instance_id, None)
            if found is not None and found[0] == lock_version:
                self.hits += 1
                return found[1]
            self.misses += 1
            return None

    def put(self, instance_id: int, lock_version: int, workflow: BpmnWorkflow) -> None:
        """Keep a workflow that was committed at `lock_version`."""
        with self._lock:
            self._items[instance_id] = (lock_version, workflow)
            self._items.move_to_end(instance_id)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests simulate a restart with this)."""
        with self._lock:
            self._items.clear()

