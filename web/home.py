"""The landing page after login: who you are, what you may do."""

from __future__ import annotations

from flask import Blueprint, render_template

from processes import catalog

from .auth import login_required, memberships
from .context import database

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """Home: the user's roles and the procedures in force."""
    procedures = [d for d in catalog.list_definitions(database()) if d["status"] == "active"]
    return render_template("home.html", memberships=memberships(), procedures=procedures)
