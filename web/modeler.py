"""The in-browser BPMN modeler page (bpmn-js, bundled by frontend/ into static/modeler/dist)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, url_for

from processes import organisation

from .auth import login_required
from .context import database
from .modeler_text import js_strings
from .permissions import may_edit_procedures

bp = Blueprint("modeler", __name__)

BUNDLE = Path(__file__).parent / "static" / "modeler" / "dist" / "modeler.js"


def _page(code: str | None, version: int | None):
    if not BUNDLE.exists():
        # The bundle is built by `make` (frontend/); without it the page would be an empty frame.
        abort(503, description="the modeler bundle is not built: run `make frontend`")
    edit_url = (url_for("modeler.edit", code="CODE", version=1)
                .replace("/CODE/", "/{code}/").replace("/versions/1/", "/versions/{version}/"))
    config = {
        "code": code, "version": version, "can_edit": may_edit_procedures(), "api_base": "/api/procedures",
        "edit_url": edit_url, "roles": organisation.role_directory(database()), "strings": js_strings(),
    }
    return render_template("modeler.html", config=config, code=code, version=version, back_url=_back_url(code))


def _back_url(code: str | None) -> str | None:
    """The quality manager's page of this procedure (or the catalog) when that part of the site is there."""
    views = current_app.view_functions
    if code and "quality.procedure" in views:
        return url_for("quality.procedure", code=code)
    return url_for("quality.catalog") if "quality.catalog" in views else None


@bp.get("/quality/procedures/<code>/versions/<int:version>/edit")
@login_required
def edit(code: str, version: int):
    """Open one version of a procedure in the modeler (read-only for those who may not save)."""
    return _page(code, version)


@bp.get("/quality/procedures/new")
@login_required
def new():
    """Draw a new procedure from an empty diagram, or upload one made in Camunda Modeler."""
    if not may_edit_procedures():
        abort(403)
    return _page(None, None)
