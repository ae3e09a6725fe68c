"""Case lifecycle listeners, declared in one place and run in the order written here.

The generic case use cases (processes.instances) know nothing of dossiers, approval cases or timers:
when a case starts, moves or is saved they tell the listeners below, inside the same transaction, so
whatever a listener writes commits or rolls back with the case. A listener receives a
:class:`~processes.projection.CaseMove` and may append events to ``move.changes.events``; those are
chained into the case's log by the save that follows.

To add behaviour to every case, write a function ``(move: CaseMove) -> None`` in the module that owns
the tables it touches and add it to the right tuple here. Order matters where noted.
"""

from __future__ import annotations

from collections.abc import Callable

from . import approval, dossiers, search_terms, step_notices, timer_index
from .projection import CaseMove

Listener = Callable[[CaseMove], None]

# A case has just started (its first steps are open, the case row exists, nothing saved yet).
ON_START: tuple[Listener, ...] = (
    dossiers.on_start,  # the dossier (hồ sơ): status, appointment date, first pauses
    search_terms.on_start,  # after the dossier: its code, applicant and ID number as folded search words
    step_notices.on_start,  # after the dossier (reads its status events): who is told, in-app and by mail
)

# A step was completed, or a timer fired, and the workflow ran on.
ON_MOVE: tuple[Listener, ...] = (
    dossiers.on_move,  # the dossier follows its workflow: pauses, resumes, outcome
    search_terms.on_move,  # after the dossier: a step that rewrote the applicant renews the search words
    step_notices.on_move,  # after the dossier (reads its status events): who is told, in-app and by mail
)

# Every save of a case, before its events are chained and its state written.
ON_SAVE: tuple[Listener, ...] = (
    approval.on_save,  # first: it may append version_status events, which the save then chains
    timer_index.on_save,  # the timer index mirrors the workflow about to be stored
)


def started(move: CaseMove) -> None:
    """Tell the ON_START listeners, in order."""
    for listener in ON_START:
        listener(move)


def moved(move: CaseMove) -> None:
    """Tell the ON_MOVE listeners, in order."""
    for listener in ON_MOVE:
        listener(move)


def saving(move: CaseMove) -> None:
    """Tell the ON_SAVE listeners, in order."""
    for listener in ON_SAVE:
        listener(move)
