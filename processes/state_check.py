"""Cases whose stored workflow state this release cannot read: found for the administrator, explained to officers.

A state written by a release whose format has no converter here (engine/state_versions.py), or that a
converter refuses, leaves its case stuck. `quytrinh db check-states` lists such cases with their business
key and the reason, so the administrator can act (install the release with the converter, or restore);
an officer who opens one gets `officer_error`: the case needs the administrator, not a form error.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.scripting import RestrictedScriptEngine
from engine.state import STATE_VERSIONS, StateVersionError, load_state, state_version

from .admin import Actor, administrator
from .db import Database
from .errors import ConflictError, ServiceError
from .schema import definitions, instances, units
from .statuses import InstanceStatus

_BATCH = 200  # states read per query: a running case's state is a few kB to a few hundred kB


# Why a state does not load, as a stable kind the pages say in the reader's language (`reason` is the detail).
NO_CONVERTER, REFUSED, DOES_NOT_LOAD = "no_converter", "refused", "does_not_load"


@dataclass(frozen=True)
class UnreadableCase:
    """A running case whose stored state cannot be read, and why: its procedure (code, name, version) and unit
    tell the administrator where it belongs; `problem` is NO_CONVERTER, REFUSED or DOES_NOT_LOAD."""

    instance_id: int
    business_key: str
    procedure: str
    version: str | None
    reason: str
    problem: str = DOES_NOT_LOAD
    procedure_name: str = ""
    procedure_version: int = 0
    unit_name: str = ""
    unit_path: str = ""


def officer_error(exc: StateVersionError) -> ServiceError:
    """What an officer is told when a case's state cannot be read: the administrator must check the case."""
    return ConflictError.of("case_state_unreadable", reason=exc.reason)


def unreadable_cases_for(db: Database, actor: Actor) -> list[UnreadableCase]:
    """The unreadable cases of the units `actor` administers (PermissionDenied for a non-administrator)."""
    with db.read() as conn:
        scope = administrator(conn, actor)
    return [case for case in unreadable_cases(db) if scope.covers(case.unit_path)]


def unreadable_cases(db: Database) -> list[UnreadableCase]:
    """Every running case whose state does not load in this release (its version, or its restore, fails)."""
    with db.read() as conn:
        ids = [r.id for r in conn.execute(select(instances.c.id).where(
            instances.c.status == InstanceStatus.RUNNING.value).order_by(instances.c.id))]
    found: list[UnreadableCase] = []
    # Only the restore matters here, not the timers or the handlers a step would call.
    engine = RestrictedScriptEngine()
    for start in range(0, len(ids), _BATCH):
        with db.read() as conn:
            rows = list(conn.execute(
                select(instances.c.id, instances.c.business_key, instances.c.definition_id, instances.c.state,
                       definitions.c.code, definitions.c.name, definitions.c.version,
                       units.c.name.label("unit_name"), units.c.path.label("unit_path"))
                .join(definitions, definitions.c.id == instances.c.definition_id)
                .join(units, units.c.id == instances.c.unit_id)
                .where(instances.c.id.in_(ids[start:start + _BATCH])).order_by(instances.c.id)))
            for row in rows:
                problem = _unreadable(db, conn, row, engine)
                if problem is not None:
                    found.append(UnreadableCase(
                        row.id, row.business_key, row.code, state_version(row.state), problem[1], problem[0],
                        row.name, row.version, row.unit_name, row.unit_path))
    return found


def _unreadable(db: Database, conn, row, engine: RestrictedScriptEngine) -> tuple[str, str] | None:
    """(problem, reason) when the state does not load, else None."""
    version = state_version(row.state)
    if not STATE_VERSIONS.readable(version):
        return NO_CONVERTER, f"no converter from state version {version!r} to {STATE_VERSIONS.current!r}"
    try:
        load_state(row.state, db.procedures.get(conn, row.definition_id), engine)
    except StateVersionError as exc:
        return REFUSED, exc.reason
    except Exception as exc:  # a state that does not restore at all: report it rather than stop the check
        return DOES_NOT_LOAD, f"the state does not load: {exc!r}"
    return None
