"""Keep a running workflow's task tree as small as what can still happen, whatever the case's history.

Why: SpiffWorkflow keeps every task a case ever ran, as a tree that a loop lengthens by every
iteration (a dossier sent back and forth, a monthly report, a CAPA loop), and walks the whole tree
after every task it runs (`update_waiting_tasks`, `get_tasks`) and again to serialise it. A step then
costs more the longer the case has lived, and past a depth of 1000 its iterators stop descending
(`TaskIterator.max_depth`): a case sent back 250 times loses its next step. The history of what was
done is in the hash-chained event log, not in this tree, so the tree only has to hold what the engine
can still read.

What the engine still reads, and so what is kept:
- every unfinished task (ready, waiting, started, predicted) and everything below it (a multi-instance
  or loop task keeps the children it counts and merges; predicted branches stay as they are);
- the parent of each of those: a task inherits its parent's data when it becomes ready, a join
  checks its parent's state, a boundary join finds its split as the main task's parent;
- for a join yet to run, its nearest ancestor of each input step (a gateway where a loop comes back
  tells rounds apart by walking up to them);
- a cancelled parallel/inclusive join task whose join has not fired yet, and its parent: the join
  counts that branch as arrived (SpiffWorkflow cancels every waiting join task but the newest one);
  it has fired once a completed task of the same join exists that is not its ancestor;
- the root, which carries the start data.
Every other (finished) task goes. A kept task hangs from its nearest kept ancestor, so ancestry among
kept tasks (loop iterations, joins telling earlier rounds apart) is what it was, and the order of
children is kept (steps are listed in the same order). A removed task's sub-process goes with it.

What a removed task told that is still asked for is summed up in `PrunedHistory`, whose size is bounded
by the procedure, not the history: the end events reached (the last time each) and the steps passed
(a migration refuses a version that removed a step the case went through).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task, TaskState

_FINISHED = TaskState.FINISHED_MASK


@dataclass
class PrunedHistory:
    """What the removed tasks of a workflow are still asked about (bounded by the procedure's size)."""

    ends: dict[str, float] = field(default_factory=dict)  # end event spec name -> when it was last reached
    passed: set[str] = field(default_factory=set)  # spec names of completed top-level tasks removed

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {"ends": dict(self.ends), "passed": sorted(self.passed)}

    @classmethod
    def from_dict(cls, dct: dict[str, Any] | None) -> PrunedHistory:
        """The summary stored with a state (empty for a state never pruned)."""
        dct = dct or {}
        return cls(dict(dct.get("ends", {})), set(dct.get("passed", [])))


def history(workflow: BpmnWorkflow) -> PrunedHistory:
    """The workflow's summary of removed tasks (created empty the first time)."""
    found = getattr(workflow, "pruned_history", None)
    if found is None:
        found = workflow.pruned_history = PrunedHistory()
    return found


def passed(workflow: BpmnWorkflow) -> set[str]:
    """Spec names of the top-level tasks the case completed that are no longer in its tree."""
    return set(history(workflow).passed)


def prune(workflow: BpmnWorkflow) -> int:
    """Remove the finished tasks the engine can no longer read; return how many went."""
    removed = 0
    for sub_id, sub in list(workflow.subprocesses.items()):
        if not sub.completed and sub_id in workflow.subprocesses:
            removed += _prune_tree(workflow, sub)
    return removed + _prune_tree(workflow, workflow)


def _prune_tree(top: BpmnWorkflow, wf: Any) -> int:
    root = wf.task_tree
    tasks: dict[UUID, Task] = wf.tasks
    unfinished = [t for t in tasks.values() if not t.state & _FINISHED]
    if not unfinished:
        return 0  # a finished workflow is never moved again: nothing to gain, its ends stay as they are
    anchors = [*unfinished, *_waiting_joins(tasks)]
    keep = _with_descendants(unfinished, tasks)
    keep.update(_input_ancestors(unfinished, tasks))
    keep.update(t.id for t in anchors)
    keep.update(t._parent for t in anchors if t._parent is not None)
    keep.add(root.id)
    if len(keep) == len(tasks):
        return 0
    order = _preorder(root, tasks)
    gone = [t for t in tasks.values() if t.id not in keep]
    _summarise(top, wf, gone)
    _relink(order, keep)
    for task in gone:
        del tasks[task.id]
        top.event_manager.tasks.pop(task.id, None)
    if wf.last_task is not None and wf.last_task.id not in keep:
        wf.last_task = None
    return len(gone)


def _with_descendants(tasks: list[Task], by_id: dict[UUID, Task]) -> set[UUID]:
    found: set[UUID] = set()
    stack = [t.id for t in tasks]
    while stack:
        task_id = stack.pop()
        if task_id not in found and task_id in by_id:
            found.add(task_id)
            stack.extend(by_id[task_id]._children)
    return found


def _waiting_joins(by_id: dict[UUID, Task]) -> list[Task]:
    """Cancelled join tasks (parallel, inclusive) whose join has not fired since they arrived."""
    joins = [t for t in by_id.values() if isinstance(t.task_spec, UnstructuredJoin)]
    fired = [t for t in joins if t.state == TaskState.COMPLETED]
    return [t for t in joins if t.state & _FINISHED and t.state != TaskState.COMPLETED
            and not any(f.task_spec is t.task_spec and not _is_below(t, f.id, by_id) for f in fired)]


def _input_ancestors(unfinished: list[Task], by_id: dict[UUID, Task]) -> set[UUID]:
    """For each join yet to run, its nearest ancestor of each of its input steps.

    A parallel gateway that is also where a loop comes back (split and merge in one) tells a new round
    from an old one by walking up from its predicted tasks to the first ancestor of each input it waits
    for: those ancestors must stay, in the same order (everything between may go).
    """
    found: set[UUID] = set()
    for task in unfinished:
        if not isinstance(task.task_spec, UnstructuredJoin):
            continue
        wanted = {spec.name for spec in task.task_spec.inputs}
        parent = by_id.get(task._parent) if task._parent is not None else None
        while parent is not None and wanted:
            if parent.task_spec.name in wanted:
                wanted.discard(parent.task_spec.name)
                found.add(parent.id)
            parent = by_id.get(parent._parent) if parent._parent is not None else None
    return found


def _is_below(task: Task, ancestor: UUID, by_id: dict[UUID, Task]) -> bool:
    # Task.is_descendant_of recurses once per level: a tree never pruned can be deeper than Python allows.
    parent = task._parent
    while parent is not None:
        if parent == ancestor:
            return True
        found = by_id.get(parent)
        parent = found._parent if found is not None else None
    return False


def _preorder(root: Task, by_id: dict[UUID, Task]) -> list[Task]:
    """Every task reachable from the root, parents before children, children in their order."""
    order, stack = [], [root.id]
    while stack:
        task = by_id.get(stack.pop())
        if task is not None:
            order.append(task)
            stack.extend(reversed(task._children))
    return order


def _relink(order: list[Task], keep: set[UUID]) -> None:
    """Hang each kept task from its nearest kept ancestor, children in their former order."""
    nearest: dict[UUID, UUID | None] = {}
    children: dict[UUID, list[UUID]] = {}
    for task in order:
        parent = task._parent
        anchor = parent if parent is None or parent in keep else nearest.get(parent)
        nearest[task.id] = task.id if task.id in keep else anchor
        if task.id in keep:
            children[task.id] = []
            if anchor is not None:
                children[anchor].append(task.id)
                task._parent = anchor
    for task in order:
        if task.id in keep:
            task._children = children[task.id]


def _summarise(top: BpmnWorkflow, wf: Any, gone: list[Task]) -> None:
    """Note what the removed tasks are still asked about; drop the sub-processes they ran."""
    summary = history(top)
    for task in gone:
        if task.state == TaskState.COMPLETED:
            _note_end(summary, task)
            if wf is top:
                summary.passed.add(task.task_spec.name)
        if task.id in top.subprocesses:
            for sub in _nested(top, top.subprocesses[task.id]):
                for sub_task in sub.tasks.values():
                    if sub_task.state == TaskState.COMPLETED:
                        _note_end(summary, sub_task)
                top.subprocesses.pop(sub.parent_task_id, None)


def _nested(top: BpmnWorkflow, sub: Any) -> list[Any]:
    """A sub-process and every sub-process started inside it."""
    found, stack = [], [sub]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(s for s in top.subprocesses.values() if s.parent_task_id in current.tasks)
    return found


def _note_end(summary: PrunedHistory, task: Task) -> None:
    if isinstance(task.task_spec, EndEvent):
        name = task.task_spec.name
        summary.ends[name] = max(summary.ends.get(name, task.last_state_change), task.last_state_change)
