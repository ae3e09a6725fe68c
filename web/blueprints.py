"""Everything the app serves, wired in one place: blueprints, error handlers, template filters and globals.

Only create_app calls this module and nothing imports it back, so page modules never need to import one
another to be registered (the import cycle web/workspace.py used to close).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import get_locale

from processes import admin, notifications, queries

from . import (
    administration,
    apologies,
    audit,
    audit_programme,
    auth,
    cchc,
    citizen,
    dashboard,
    dossiers,
    health,
    home,
    jobs,
    modeler,
    officer,
    personal,
    quality,
    quality_documents,
    quality_review,
    reception,
    signing_pages,
    state_admin,
    what_if,
)
from .api import (
    admin_api,
    admin_records_api,
    audit_programme_api,
    personal_api,
    public_api,
    signatures_api,
    tasks_api,
    what_if_api,
    workspace_api,
)
from .api import quality as procedures_api
from .context import database
from .errors import init_errors
from .extensions import csrf
from .field_text import field_message
from .labels import duration_text, template_names, timeline_details, vn_count, vn_date, vn_decimal, vn_percent, vn_time
from .permissions import PROCEDURE_READERS, is_counter, may_read_audits, may_see_dashboard, role_kinds

PAGES = (health, auth, administration, home, modeler, quality, quality_documents, quality_review, audit,
         audit_programme, officer, reception, dossiers, apologies, personal, dashboard, citizen, jobs, what_if, cchc,
         signing_pages, state_admin)
# JSON bodies only (see web.api.bodies.require_json), so no CSRF token: each call is authenticated by token,
# or by session cookie plus a JSON content type that a cross-site form cannot send.
APIS = (tasks_api, procedures_api, workspace_api, personal_api, public_api, audit_programme_api, signatures_api,
        admin_api, admin_records_api, what_if_api)


def register(app: Flask) -> None:
    """Register every blueprint, the error handlers, the filters and what every template sees."""
    app.before_request(auth.load_user)
    for module in (*PAGES, *APIS):
        app.register_blueprint(module.bp)
    for module in APIS:
        csrf.exempt(module.bp)
    init_errors(app)
    app.jinja_env.filters.update(vn_time=vn_time, vn_date=vn_date, field_message=field_message,
                                 duration=duration_text, timeline_details=timeline_details,
                                 vn_decimal=vn_decimal, vn_percent=vn_percent, vn_count=vn_count)
    app.jinja_env.globals.update(template_names())
    app.context_processor(_common)


def _common() -> dict[str, Any]:
    """The user, the language and the menu: counter, dashboard, apologies, procedures, audits, unread notices."""
    shown: dict[str, Any] = {"current_user": g.get("user"), "get_locale": get_locale, "menu": None}
    if g.get("user") is None or g.get("via_token"):
        return shown
    kinds = role_kinds()
    shown["menu"] = {"counter": is_counter(), "dashboard": may_see_dashboard(), "leader": "leader" in kinds,
                     "procedures": bool(kinds & set(PROCEDURE_READERS)), "audit": may_read_audits(),
                     "admin": admin.is_administrator(database(), g.user),
                     "unread": notifications.unread_count(database(), g.user)}
    shown["current_name"] = queries.full_names(database(), {g.user}).get(g.user)  # people read names, not logins
    return shown
