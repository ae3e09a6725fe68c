"""Ending a dossier by decision rather than by its workflow: withdrawal (7) and stopping (8).

Both cancel the case's workflow (its open steps are withdrawn) and set the dossier status in the same
transaction; the events (``withdraw`` per open step, ``dossier_status``, ``case_cancel``) are chained
in the case's log.
"""

from __future__ import annotations

from . import dossiers, instances, organisation
from .assignment import may_lead
from .clock import Clock
from .db import Database
from .dossier_rules import DossierStatus, check_transition
from .errors import PermissionDenied
from .eventlog import Event
from .projection import Changes, open_tasks, sync_tasks
from .statuses import InstanceStatus
from .uow import UnitOfWork, unit_of_work

ONE_STOP_ROLES = ("mot_cua",)  # may record a withdrawal, besides leaders


def withdraw(db: Database, ref: str | int, actor: str, clock: Clock, reason: str = "") -> dossiers.DossierView:
    """The applicant withdraws the dossier (status 7), recorded by a one-stop officer or a leader."""
    return _close(db, ref, actor, clock, reason, DossierStatus.WITHDRAWN)


def stop(db: Database, ref: str | int, actor: str, clock: Clock, reason: str = "") -> dossiers.DossierView:
    """A leader stops processing the dossier (status 8)."""
    return _close(db, ref, actor, clock, reason, DossierStatus.STOPPED)


def _close(db: Database, ref: str | int, actor: str, clock: Clock, reason: str,
           new: DossierStatus) -> dossiers.DossierView:
    with unit_of_work(db) as uow:
        instance_id = close_in(uow, ref, actor, clock, reason, new)
    return dossiers.get(db, instance_id, clock)


def close_in(uow: UnitOfWork, ref: str | int, actor: str, clock: Clock, reason: str, new: DossierStatus) -> int:
    """End a dossier by decision inside `uow`: cancel its workflow and set status `new`; return its case id."""
    now = clock.now()
    conn = uow.conn
    withdrawing = new is DossierStatus.WITHDRAWN
    found = dossiers.find(conn, ref)
    check_transition(found.status_code, new)  # a clear error before touching the workflow
    case = instances.open_case(uow, found.instance_id, clock)
    found = dossiers.find(conn, found.instance_id)  # again, now that the case is locked
    check_transition(found.status_code, new)
    member = organisation.memberships_of(conn, actor)
    one_stop = any(m.role in ONE_STOP_ROLES and m.agency_path == case.scope_path for m in member)
    if not (may_lead(member, case.scope_path) or (withdrawing and one_stop)):
        raise PermissionDenied.of("may_not_withdraw" if withdrawing else "may_not_stop", actor=actor,
                                  dossier=found.code)
    case.workflow.cancel()
    changes = Changes()
    sync_tasks(conn, case.row.id, case.row.unit_id, [], open_tasks(conn, case.row.id), now, actor, changes)
    dossiers.close(conn, found, case.procedure, new, now, actor, changes)
    changes.events.append(Event(case.procedure.process_id, "case_cancel", now, actor, case.procedure.name,
                                {"reason": reason, "dossier_status": int(new)}))
    instances.save_case(uow, case, changes, now, actor, status=InstanceStatus.CANCELLED)
    return case.row.id
