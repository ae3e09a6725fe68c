"""Live workflows kept in memory between transactions, trusted only at the lock version they were saved."""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow


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


LIVE = LiveWorkflows()
