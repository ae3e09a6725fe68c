"""Receiving a dossier at the one-stop counter: procedure, applicant, checklist, scans, and the outcome."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from processes import reception
from processes.errors import InvalidInput
from processes.schema import definitions

from .auth import login_required
from .context import clock, database
from .error_text import error_message
from .panels import case_of
from .ui import ui_fields
from .workspace import attachments_root, is_counter

bp = Blueprint("reception", __name__)

PUBLIC_LEVELS = ("huyen", "xa", "tinh")


def _require_counter() -> None:
    if not is_counter():
        abort(403)


def receivable() -> list[dict]:
    """Active procedures of public services (not internal ones), one per code."""
    with database().read() as conn:
        rows = conn.execute(select(definitions.c.code, definitions.c.name, definitions.c.properties)
                            .where(definitions.c.status == "active").order_by(definitions.c.code,
                                                                               definitions.c.version.desc()))
        found: dict[str, dict] = {}
        for r in rows:
            props = json.loads(r.properties or "{}")
            if r.code not in found and props.get("level", "huyen") in PUBLIC_LEVELS:
                found[r.code] = {"code": r.code, "name": r.name, "deadline": props.get("deadline", ""),
                                 "field": props.get("field", ""), "level": props.get("level", "")}
    return list(found.values())


@bp.get("/receive")
@login_required
def choose() -> ResponseReturnValue:
    """Pick the procedure of the dossier being received."""
    _require_counter()
    return render_template("officer/receive_choose.html", procedures=receivable())


def parse(form: Any, files: Any) -> tuple[reception.Counter, str]:
    """The counter form as a Counter and the chosen outcome."""
    applicant = reception.Applicant(**{k: (form.get(f"applicant.{k}") or "").strip()
                                       for k in ("name", "id_number", "address", "phone", "email", "channel")})
    documents = []
    for i in range(60):
        if form.get(f"doc.{i}.name") is None:
            continue
        if form.get(f"doc.{i}.present") or (form.get(f"doc.{i}.extra") and form.get(f"doc.{i}.name", "").strip()):
            documents.append({"name": form.get(f"doc.{i}.name", ""), "kind": form.get(f"doc.{i}.kind", "original"),
                              "sets": form.get(f"doc.{i}.sets") or 1})
    uploads = [reception.Upload(f.filename, f.read(reception.attachments.MAX_BYTES + 1))
               for f in files.getlist("files") if f and f.filename]
    data = {k[5:]: v for k, v in form.items() if k.startswith("form.") and v.strip() != ""}
    return reception.Counter(applicant, documents, data, form.get("note", ""), uploads), form.get("outcome", "")


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
    counter, outcome = parse(request.form, request.files)
    try:
        done = reception.receive(database(), code, counter, outcome, g.user, clock(), attachments_root())
    except InvalidInput as exc:
        return _page(code, exc.errors or {"_": error_message(exc)}, request.form, 422)
    return redirect(url_for("reception.result", ref=done.ref))


def _visible(ref: str) -> reception.ReceptionView:
    view = reception.get(database(), ref)
    if view.instance_id is not None:
        case_of(view.instance_id)
    elif not reception.may_see_slip(database(), view, g.user):
        abort(403)
    return view


@bp.get("/receptions/<ref>")
@login_required
def result(ref: str) -> ResponseReturnValue:
    """What the counter issued: the dossier code and appointment, or the slip to hand over."""
    view = _visible(ref)
    names = reception.names_of(database(), view)
    dossier = None
    if view.instance_id is not None:
        from processes import dossiers

        dossier = dossiers.get(database(), view.instance_id, clock())
    lookup = url_for("citizen.lookup", ma=view.ref, _external=True)
    return render_template("officer/reception.html", view=view, names=names, dossier=dossier, lookup=lookup,
                           title=_("Kết quả tiếp nhận"))


@bp.get("/receptions/<ref>/slip.<fmt>")
@login_required
def slip(ref: str, fmt: str) -> ResponseReturnValue:
    """The printed supplement request or refusal of a counter visit."""
    from .paperwork import slip_document

    return slip_document(_visible(ref), fmt)
