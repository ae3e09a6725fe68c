"""The landing page after login: who you are, what you may do."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from processes import catalog, names, queries

from .auth import login_required
from .context import database

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """Home: the user's roles and the procedures in force."""
    procedures = [d for d in catalog.list_definitions(database()) if d["status"] == "active"]
    full_name = queries.full_names(database(), {g.user}).get(g.user) or g.user
    return render_template("home.html", held=names.held_by(database(), g.user), procedures=procedures,
                           full_name=full_name)
