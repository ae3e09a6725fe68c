"""Naming what went wrong in a case: deviations read off an optimal alignment, and role checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .alignments import Alignment

SKIPPED = "skipped"
OUT_OF_ORDER = "out_of_order"
REPEATED = "repeated"
UNEXPECTED = "unexpected"
ROLE_NOT_ALLOWED = "role_not_allowed"
KINDS = (SKIPPED, OUT_OF_ORDER, REPEATED, UNEXPECTED, ROLE_NOT_ALLOWED)


@dataclass(frozen=True)
class Deviation:
    """One deviation of a case from its procedure, at an event position of its trace."""

    kind: str
    activity: str  # element id of the step
    position: int  # index in the case's trace (of completed steps) where it shows
    detail: str = ""


def control_flow_deviations(alignment: Alignment, known: Collection[str]) -> list[Deviation]:
    """Classify an alignment's log-only and model-only moves.

    A step that the model wanted at one point and the log shows at another (a model-only and a
    log-only move of the same step) was done out of order; a model-only move left is a skipped
    step; a log-only move of a step already done earlier is a repetition the model does not allow
    there; any other log-only move is a step the model did not call for (or does not know).
    """
    log_moves: dict[str, list[int]] = {}
    model_moves: dict[str, list[int]] = {}
    position = 0
    for move in alignment.moves:
        if move.kind == "log" and move.activity is not None:  # a log-only move is one of the trace's events
            log_moves.setdefault(move.activity, []).append(position)
        elif move.kind == "model" and move.label is not None:  # (always: a model move is a labelled one)
            model_moves.setdefault(move.label, []).append(position)
        if move.activity is not None:
            position += 1
    found: list[Deviation] = []
    trace = alignment.activities
    for activity, at_model in model_moves.items():
        at_log = log_moves.get(activity, [])
        paired = min(len(at_log), len(at_model))
        for log_pos, model_pos in zip(at_log[:paired], at_model[:paired], strict=True):
            found.append(Deviation(OUT_OF_ORDER, activity, log_pos,
                                   f"done at step {log_pos + 1}, expected at step {model_pos + 1}"))
        for model_pos in at_model[paired:]:
            found.append(Deviation(SKIPPED, activity, model_pos, f"expected before step {model_pos + 1}"))
        log_moves[activity] = at_log[paired:]
    for activity, positions in log_moves.items():
        for pos in positions:
            if activity not in known:
                found.append(Deviation(UNEXPECTED, activity, pos, "the procedure has no such step"))
            elif activity in trace[:pos]:
                found.append(Deviation(REPEATED, activity, pos, "done again where the procedure does not repeat it"))
            else:
                found.append(Deviation(UNEXPECTED, activity, pos, "done where the procedure did not call for it"))
    found.sort(key=lambda d: (d.position, d.kind))
    return found


def role_allowed(required: Sequence[str], held: Collection[str]) -> bool:
    """True when a holder of `held` roles may do a step asking for any of `required`.

    A required `role@UNIT` is met by `role@UNIT`, or by a plain `role` (when the unit of a
    membership is not known, it is not held against the actor); no required role means anyone.
    """
    if not required:
        return True
    plain = {h.partition("@")[0] for h in held}
    for ref in required:
        role, _, unit = ref.strip().partition("@")
        if (unit and ref.strip() in held) or role in held or (not unit and role in plain):
            return True
    return False


def role_deviations(events: Sequence[Mapping], positions: Mapping[int, int],
                    step_roles: Mapping[str, Sequence[str]],
                    actor_roles: Mapping[str, Collection[str]]) -> list[Deviation]:
    """Completions by an actor who held none of the roles the step was scheduled for.

    `events` are the case's log rows in order; `positions` maps an event's index there to its
    position in the trace. A step assigned to a person may be done by that person, and a substitute
    may do the step of the absent person named in the completion (`for`). The roles recorded with a
    completion (`held`, those the actor held then) are judged; for older completions without them,
    the roles from `actor_roles` (held now). Actors with neither are not judged.
    """
    scheduled: dict[str, list[str]] = {}
    assignee: dict[str, str | None] = {}
    found: list[Deviation] = []
    for index, ev in enumerate(events):
        payload = ev.get("payload") or {}
        task = payload.get("task")
        if ev["lifecycle"] == "schedule" and task:
            scheduled[task] = list(payload.get("roles") or [])
        elif ev["lifecycle"] == "assign" and task:
            assignee[task] = payload.get("assignee")
        elif ev["lifecycle"] == "complete" and ev.get("actor") and index in positions:
            actor = ev["actor"]
            required = scheduled[task] if task in scheduled else list(step_roles.get(ev["activity"], ()))
            held = payload.get("held")
            if held is None:
                held = actor_roles.get(actor)
            if held is None or payload.get("for") or (task and assignee.get(task) == actor):
                continue
            if not role_allowed(required, held):
                found.append(Deviation(ROLE_NOT_ALLOWED, ev["activity"], positions[index],
                                       f"done by {actor}, who holds none of {', '.join(required)}"))
    return found
