"""What the task page and the dossier page both show about a case: summary, counter record, scans,
comments, timeline, steps, diagram, documents, apologies."""

from __future__ import annotations

from typing import Any

from flask import g

from processes import (
    apology,
    attachments,
    citizen_scope,
    comments,
    decisions,
    dossiers,
    queries,
    reception,
    signatures,
    timeline,
)
from processes.errors import NotFound

from .context import attachments_root, clock, database
from .ui import diagram_svg

# The statutory forms a dossier can print, in the order the officer needs them.
DOCUMENT_FORMS = ("receipt", "control_sheet", "supplement_request", "refusal", "apology", "stop_notice")


def dossier_context(instance_id: int) -> dict[str, Any]:
    """Everything the case panels need (the caller checked the user may see the case)."""
    db = database()
    try:
        view = dossiers.get(db, instance_id, clock())
    except NotFound:
        view = None
    entries = timeline.timeline(db, instance_id)
    steps = timeline.steps(db, instance_id)
    files = attachments.of_case(db, instance_id)
    notes = comments.of_case(db, instance_id)
    internal = view is not None and citizen_scope.is_internal(db, view.procedure)
    people = {e.actor for e in entries if e.actor} | {s.assignee for s in steps if s.assignee} | \
        {e.details["assignee"] for e in entries if isinstance(e.details.get("assignee"), str)} | \
        {c.author for c in notes} | {f.uploaded_by for f in files}
    return {
        "dossier": view, "counter": reception.of_case(db, instance_id), "files": files,
        "signature_statuses": _signature_statuses(instance_id), "comments": notes,
        "timeline": entries, "steps": steps, "names": queries.full_names(db, people),
        "decided": {d.task: d for d in decisions.of_case(db, instance_id) if d.task},
        "diagram": diagram_svg(timeline.diagram_state(db, instance_id)),
        # An internal case (approval, CAPA…) has no applicant and takes no citizen's forms.
        "internal": internal, "documents": [] if internal else available_documents(view),
        "apologies": apology.of_dossier(db, view.code) if view else [],
    }


def available_documents(view: Any) -> list[str]:
    """The statutory forms that make sense for a dossier in its present state."""
    if view is None:
        return []
    forms = ["receipt", "control_sheet"]
    if view.status_code == 5 or view.supplement_count:
        forms.append("supplement_request")
    if view.status_code == 3:
        forms.append("refusal")
    if view.new_date_set:
        forms.append("apology")
    if view.status_code == 8:
        forms.append("stop_notice")
    return forms


def _signature_statuses(instance_id: int) -> dict[int, Any]:
    """The signature status of each PDF of the case (verdicts remembered by content hash and day)."""
    return signatures.statuses_of_case(database(), attachments_root(), instance_id, g.user, clock())
