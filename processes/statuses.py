"""Instance and task statuses, each with one explicit transition table."""

from __future__ import annotations

from enum import StrEnum

from .errors import InvalidTransition


class InstanceStatus(StrEnum):
    """Where a process instance is in its life."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The Vietnamese name shown to people (a msgid of web/translations)."""
        return INSTANCE_LABELS[self]


class TaskStatus(StrEnum):
    """Where a human task is: waiting, taken by someone, done, or withdrawn."""

    READY = "ready"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The Vietnamese name shown to people (a msgid of web/translations)."""
        return TASK_LABELS[self]


# The one name of each status: pages, documents and error messages all read it from here.
INSTANCE_LABELS: dict[InstanceStatus, str] = {
    InstanceStatus.RUNNING: "Đang xử lý", InstanceStatus.COMPLETED: "Đã hoàn thành",
    InstanceStatus.CANCELLED: "Đã hủy", InstanceStatus.FAILED: "Bị lỗi",
}
TASK_LABELS: dict[TaskStatus, str] = {
    TaskStatus.READY: "Chờ nhận", TaskStatus.CLAIMED: "Đã nhận", TaskStatus.COMPLETED: "Đã xong",
    TaskStatus.CANCELLED: "Đã hủy",
}

INSTANCE_TRANSITIONS: dict[InstanceStatus, frozenset[InstanceStatus]] = {
    InstanceStatus.RUNNING: frozenset({InstanceStatus.COMPLETED, InstanceStatus.CANCELLED, InstanceStatus.FAILED}),
    InstanceStatus.FAILED: frozenset({InstanceStatus.RUNNING, InstanceStatus.CANCELLED}),
    InstanceStatus.COMPLETED: frozenset(),
    InstanceStatus.CANCELLED: frozenset(),
}

TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    # A ready task may be completed directly: completing it claims it implicitly.
    TaskStatus.READY: frozenset({TaskStatus.CLAIMED, TaskStatus.COMPLETED, TaskStatus.CANCELLED}),
    TaskStatus.CLAIMED: frozenset({TaskStatus.READY, TaskStatus.CLAIMED, TaskStatus.COMPLETED, TaskStatus.CANCELLED}),
    TaskStatus.COMPLETED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


def check_instance_transition(current: str, new: InstanceStatus) -> None:
    """Raise InvalidTransition unless an instance may go from `current` to `new`."""
    if new not in INSTANCE_TRANSITIONS[InstanceStatus(current)]:
        raise InvalidTransition.of("instance_transition", current=current, target=new)


def check_task_transition(current: str, new: TaskStatus) -> None:
    """Raise InvalidTransition unless a task may go from `current` to `new`."""
    if new not in TASK_TRANSITIONS[TaskStatus(current)]:
        raise InvalidTransition.of("task_transition", current=current, target=new)
