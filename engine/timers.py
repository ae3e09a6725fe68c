"""Timer events in working time on an injected clock: definitions, parser hook, serializer config.

SpiffWorkflow's own timer definitions read ``datetime.now()``, count durations in calendar time and
read naive date-times in the server's zone. quytrinh's definitions read the clock and the working
calendar of the script engine that runs the workflow (``workflow.script_engine.clock`` and
``.calendar``, see engine.scripting.RestrictedScriptEngine):

* ``timeDuration`` ``P2D`` is due two *working* days after the timer started (WorkingCalendar.add);
* ``timeDate`` is an ISO date-time; a naive one is read in Asia/Ho_Chi_Minh (the calendar's zone);
* ``timeCycle`` ``R3/PT4H`` (or ``R3/<start>/PT4H``) repeats in working time.

Without a calendar on the script engine durations count in plain elapsed time; without a clock the
system clock is used (quytrinh's use cases always inject both).

A timer's due instant is fixed when the timer starts and kept in the task's internal data, so it
survives a state round trip; ``pending_timers`` lists the waiting ones for a due-time index and
``advance_timers`` fires whatever is due and runs the workflow on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.task import TaskState

from . import expressions
from .calendar import WorkingCalendar
from .durations import DurationKind, parse_duration
from .procedure import Procedure
from .runner import AutoStep, advance

__all__ = [
    "TIMER_PARSER_CLASSES", "TIMER_SERIALIZER_CONFIG", "VN_ZONE", "Clock", "PendingTimer",
    "WorkingCycleTimer", "WorkingDateTimer", "WorkingDurationTimer", "add_duration", "advance_timers",
    "engine_now", "has_timers", "parse_cycle", "parse_instant", "pending_timers", "timer_state",
]

VN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_US_PER_MINUTE = 60_000_000


class Clock(Protocol):
    """Anything that tells the current instant as an aware datetime."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_SYSTEM = _SystemClock()


# ---- arithmetic -------------------------------------------------------------------------------

def add_duration(start: datetime, text: str, calendar: WorkingCalendar | None) -> datetime:
    """``start`` plus an ISO duration: working time on ``calendar``, plain elapsed time without one."""
    if calendar is not None:
        return calendar.add(start, parse_duration(text)).astimezone(UTC)
    duration = parse_duration(text, DurationKind.CALENDAR)
    return (start + timedelta(microseconds=int(duration.total_minutes(24 * 60) * _US_PER_MINUTE))).astimezone(UTC)


def parse_instant(text: str, zone: tzinfo = VN_ZONE) -> datetime:
    """An ISO date-time; a naive one is read in ``zone`` (Vietnam time), never the server's zone."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def parse_cycle(text: str, now: datetime, calendar: WorkingCalendar | None,
                zone: tzinfo = VN_ZONE) -> tuple[int, datetime, str]:
    """(repetitions or -1 for unbounded, first due instant, interval) of ``R[n]/[start/]duration``."""
    head, _, rest = text.strip().upper().partition("/")
    parts = rest.split("/") if rest else []
    if not head.startswith("R") or not (head[1:].isdigit() or head == "R") or len(parts) not in (1, 2):
        raise ValueError(f"invalid timer cycle {text!r}: expected R3/PT4H or R3/2026-01-05T08:00/PT4H")
    cycles = int(head[1:]) if head[1:] else -1
    if len(parts) == 2 and parts[1].startswith("P"):
        interval = str(parse_duration(parts[1]))
        return cycles, parse_instant(parts[0], zone).astimezone(UTC), interval
    if len(parts) == 1 and parts[0].startswith("P"):
        interval = str(parse_duration(parts[0]))
        return cycles, add_duration(now, interval, calendar), interval
    raise ValueError(f"timer cycle {text!r} is not supported: give R[n]/duration or R[n]/start/duration "
                     "(a cycle that ends at a date cannot be counted back in working time)")


# ---- definitions --------------------------------------------------------------------------------

def engine_now(script_engine: Any) -> datetime:
    """The current instant on the script engine's clock (the system clock when none is set)."""
    now = (getattr(script_engine, "clock", None) or _SYSTEM).now()
    if now.tzinfo is None:
        raise ValueError("the timer clock returned a naive datetime")
    return now


def _clock_now(my_task: Any) -> datetime:
    try:
        return engine_now(my_task.workflow.script_engine)
    except ValueError as err:
        raise WorkflowTaskException(str(err), task=my_task) from err


def _calendar(my_task: Any) -> WorkingCalendar | None:
    return getattr(my_task.workflow.script_engine, "calendar", None)


def _zone(calendar: WorkingCalendar | None) -> tzinfo:
    return calendar.timezone if calendar is not None else VN_ZONE


def _task_error(my_task: Any, text: str, err: Exception) -> WorkflowTaskException:
    return WorkflowTaskException(f"timer value {text!r}: {err}", task=my_task, exception=err)


class _FixedDueTimer:
    """A timer whose due instant is computed once, when it starts, then compared with the clock."""

    expression: str  # of the TimerEventDefinition this is mixed into

    def due_instant(self, my_task: Any, now: datetime, text: str) -> datetime:
        """The instant the timer is due, from its expression's value."""
        raise NotImplementedError

    def has_fired(self, my_task: Any) -> bool:
        """True once the clock has reached the due instant (fixed on the first call)."""
        now, due = _clock_now(my_task), my_task._get_internal_data("event_value")
        if due is None:
            text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                due = self.due_instant(my_task, now, text).isoformat()
            except ValueError as err:
                raise _task_error(my_task, text, err) from err
            my_task._set_internal_data(event_value=due)
        if datetime.fromisoformat(due) <= now:
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class WorkingDurationTimer(_FixedDueTimer, DurationTimerEventDefinition):
    """``timeDuration``: due a working duration after the timer starts."""

    def due_instant(self, my_task: Any, now: datetime, text: str) -> datetime:
        """The working duration in `text` added to the instant the timer started."""
        return add_duration(now, text, _calendar(my_task))

    def details(self, my_task: Any) -> PendingBpmnEvent:
        """The pending event with its due instant (ISO text)."""
        return PendingBpmnEvent(self.name, "DurationTimerEventDefinition", my_task._get_internal_data("event_value"))


class WorkingDateTimer(_FixedDueTimer, TimeDateEventDefinition):
    """``timeDate``: due at an absolute instant (naive → Vietnam time)."""

    def due_instant(self, my_task: Any, now: datetime, text: str) -> datetime:
        """The instant written in `text` (naive text is read in the agency's zone)."""
        return parse_instant(text, _zone(_calendar(my_task)))

    def details(self, my_task: Any) -> PendingBpmnEvent:
        """The pending event with its date (ISO text with offset)."""
        return PendingBpmnEvent(self.name, "TimeDateEventDefinition", my_task._get_internal_data("event_value"))


class WorkingCycleTimer(CycleTimerEventDefinition):
    """``timeCycle``: fires every interval (working time) for n repetitions, or forever with ``R/``."""

    def cycle_complete(self, my_task: Any) -> bool:
        """True when a repetition is due now (the next one is then scheduled)."""
        now, value = _clock_now(my_task), my_task._get_internal_data("event_value")
        calendar = _calendar(my_task)
        if value is None:
            text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                cycles, first, interval = parse_cycle(text, now, calendar, _zone(calendar))
            except ValueError as err:
                raise _task_error(my_task, text, err) from err
            value = {"cycles": cycles, "next": first.isoformat(), "duration": interval}
        ready = False
        if value["cycles"] == 0:
            my_task.internal_data["event_fired"] = True
        else:
            due = datetime.fromisoformat(value["next"])
            if due <= now:
                following = add_duration(due, value["duration"], calendar).isoformat()
                value = {**value, "next": following, "cycles": value["cycles"] - 1}
                ready = True
                if value["cycles"] == 0:  # that was the last repetition: the event completes now
                    my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=value)
        return ready

    def details(self, my_task: Any) -> PendingBpmnEvent:
        """The pending event with the next repetition's instant."""
        value = my_task._get_internal_data("event_value")
        shown = value["next"] if isinstance(value, dict) and value["cycles"] != 0 else value
        return PendingBpmnEvent(self.name, "CycleTimerEventDefinition", shown)


_WORKING: dict[type, type[TimerEventDefinition]] = {
    DurationTimerEventDefinition: WorkingDurationTimer,
    TimeDateEventDefinition: WorkingDateTimer,
    CycleTimerEventDefinition: WorkingCycleTimer,
}
_KINDS = {WorkingDurationTimer: "duration", WorkingDateTimer: "date", WorkingCycleTimer: "cycle"}
TIMER_SERIALIZER_CONFIG = {cls: TimerConditionalEventDefinitionConverter for cls in _WORKING.values()}


# ---- parser hook ------------------------------------------------------------------------------

def _check_literal(definition: TimerEventDefinition) -> None:
    """Refuse at deploy time a literal the definition could never run (e.g. P1M, a cycle to a date)."""
    try:
        text = expressions.timer_value(definition.expression or "", {})
    except expressions.ExpressionError:
        return  # an expression over the data: checked when the timer starts
    if isinstance(definition, WorkingDurationTimer):
        parse_duration(text)
    elif isinstance(definition, WorkingDateTimer):
        parse_instant(text)
    else:
        parse_cycle(text, datetime(2000, 1, 3, tzinfo=UTC), None)


class _WorkingTimers:
    """Parser mixin: timerEventDefinitions become quytrinh's working-time definitions."""

    def parse_timer_event(self, event: Any) -> TimerEventDefinition:
        """The working-time definition of a timerEventDefinition node (its literal checked here)."""
        stock = super().parse_timer_event(event)  # type: ignore[misc]
        definition = _WORKING[type(stock)](stock.name, stock.expression, description=stock.description)
        try:
            _check_literal(definition)
        except ValueError as err:
            raise ValidationException(f"timer {definition.expression!r} refused: {err}",
                                      node=self.node, file_name=self.filename) from None  # type: ignore[attr-defined]
        return definition


class TimerStartEventParser(_WorkingTimers, CamundaStartEventParser):
    """Start events with working-time timers."""


class TimerIntermediateCatchEventParser(_WorkingTimers, CamundaIntermediateCatchEventParser):
    """Intermediate catch events with working-time timers."""


class TimerBoundaryEventParser(_WorkingTimers, CamundaBoundaryEventParser):
    """Boundary events with working-time timers."""


TIMER_PARSER_CLASSES = {
    full_tag("startEvent"): (TimerStartEventParser, StartEvent),
    full_tag("intermediateCatchEvent"): (TimerIntermediateCatchEventParser, IntermediateCatchEvent),
    full_tag("boundaryEvent"): (TimerBoundaryEventParser, BoundaryEvent),
}


# ---- what is waiting, and firing --------------------------------------------------------------

@dataclass(frozen=True)
class PendingTimer:
    """A timer task that waits (or is due and not yet run): what a due-time index stores.

    ``kind`` is "duration", "date" or "cycle"; ``interrupting`` is None except on boundary events.
    """

    task_id: UUID
    spec_name: str
    name: str
    due: datetime
    kind: str
    interrupting: bool | None


def _timer_definitions(spec: Any) -> list[TimerEventDefinition]:
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)]
    return [definition] if isinstance(definition, TimerEventDefinition) else []


def has_timers(spec: Any, subprocess_specs: dict[str, Any] | None = None) -> bool:
    """True when a process spec (or one of its subprocess specs) has a timer event."""
    specs = [spec, *(subprocess_specs or {}).values()]
    return any(_timer_definitions(ts) for s in specs for ts in s.task_specs.values())


def _due_of(task: Any, now: datetime) -> datetime:
    """When a waiting timer task must be refreshed next; ``now`` when it is already due."""
    value = task._get_internal_data("event_value")
    if task.state != TaskState.WAITING or task._get_internal_data("event_fired") or value is None:
        return now
    if isinstance(value, dict):
        return datetime.fromisoformat(value["next"]) if value.get("cycles") else now
    return datetime.fromisoformat(value)


def pending_timers(workflow: Any, now: datetime) -> list[PendingTimer]:
    """Every timer task that is waiting, or due and not run yet, with its due instant."""
    found: dict[UUID, Any] = {t.id: t for t in workflow.event_manager.tasks.values()
                              if _timer_definitions(t.task_spec)}
    for task in workflow.get_tasks(state=TaskState.READY):
        if _timer_definitions(task.task_spec):
            found[task.id] = task
    result = []
    for task in found.values():
        definition = _timer_definitions(task.task_spec)[0]
        kind = _KINDS.get(type(definition), type(definition).__name__)
        result.append(PendingTimer(task.id, task.task_spec.name, task.task_spec.bpmn_name or "",
                                   _due_of(task, now), kind, getattr(task.task_spec, "cancel_activity", None)))
    return result


def timer_state(task: Any) -> tuple[int, Any]:
    """A fingerprint of a timer task (state and due value) that changes when the timer fires."""
    value = task._get_internal_data("event_value")
    return task.state, (value.get("next") if isinstance(value, dict) else value)


def advance_timers(procedure: Procedure, workflow: Any, limit: int = 20) -> list[AutoStep]:
    """Fire every due timer and run the workflow on until only people, timers or messages can move it."""
    now, done = engine_now(workflow.script_engine), []
    for _ in range(limit):
        workflow.refresh_timers()
        done.extend(advance(procedure, workflow))
        # do_engine_steps refreshes timers last, so a timer that just came due may be ready, not run.
        if all(timer.due > now for timer in pending_timers(workflow, now)):
            break
    return done
