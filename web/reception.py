"""Receiving a dossier at the one-stop counter: procedure, applicant, checklist, scans, and the outcome."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import catalog, dossiers, reception
from processes.errors import InvalidInput

from .auth import login_required
from .context import attachments_root, clock, database
from .error_text import error_message
from .paperwork import slip_document
from .permissions import is_counter, visible_reception
from .request_args import counter_form
from .ui import ui_fields

bp = Blueprint("reception", __name__)

PUBLIC_LEVELS = ("huyen", "xa", "tinh")


def _require_counter() -> None:
    if not is_counter():
        abort(403)


@bp.get("/receive")
@login_required
def choose() -> ResponseReturnValue:
    """Pick the procedure of the dossier being received."""
    _require_counter()
    procedures = catalog.active_procedures(database(), PUBLIC_LEVELS)
    return render_template("officer/receive_choose.html", procedures=procedures)


def _page(code: str, errors: dict | None = None, values=None, status: int = 200):
    definition, step = reception.reception_step(database(), code)
    skip = frozenset(reception.APPLICANT_FIELDS.values())
    fields = ui_fields(step.form.json_schema() if step.form else None, skip)
    props = catalog_properties(definition)
    return render_template("officer/receive.html", definition=definition, step=step, fields=fields, props=props,
                           checklist=reception.checklists().get(definition.code, []), errors=errors or {},
                           values=values, channels=reception.CHANNELS, kinds=reception.KINDS), status


def catalog_properties(definition: Any) -> dict:
    """A definition's dialect properties (deadline, field, legal basis…)."""
    return json.loads(definition.properties or "{}")


@bp.get("/receive/<code>")
@login_required
def form(code: str) -> ResponseReturnValue:
    """The reception form of a procedure."""
    _require_counter()
    return _page(code)


@bp.post("/receive/<code>")
@login_required
def submit(code: str) -> ResponseReturnValue:
    """Accept the dossier (code and appointment issued), ask for a supplement, or refuse it."""
    _require_counter()
    counter, outcome = counter_form(request.form, request.files)
    try:
        done = reception.receive(database(), code, counter, outcome, g.user, clock(), attachments_root())
    except InvalidInput as exc:
        return _page(code, exc.errors or {"_": error_message(exc)}, request.form, 422)
    return redirect(url_for("reception.result", ref=done.ref))


@bp.get("/receptions/<ref>")
@login_required
def result(ref: str) -> ResponseReturnValue:
    """What the counter issued: the dossier code and appointment, or the slip to hand over."""
    view = visible_reception(ref)
    names = reception.names_of(database(), view)
    dossier = None
    if view.instance_id is not None:
        dossier = dossiers.get(database(), view.instance_id, clock())
    lookup = url_for("citizen.lookup", ma=view.ref, _external=True)
    return render_template("officer/reception.html", view=view, names=names, dossier=dossier, lookup=lookup,
                           title=_("Kết quả tiếp nhận"))


@bp.get("/receptions/<ref>/slip.<fmt>")
@login_required
def slip(ref: str, fmt: str) -> ResponseReturnValue:
    """The printed supplement request or refusal of a counter visit."""
    return slip_document(visible_reception(ref), fmt)
