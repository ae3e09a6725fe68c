"""Health page: is the app up and does the database answer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select

from processes.db import ping
from processes.schema import definitions

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Status of the app and its database, with the number of deployed procedures."""
    db = current_app.extensions["quytrinh.db"]
    try:
        ok = ping(db)
        with db.read() as conn:
            procedures = conn.execute(select(func.count()).select_from(definitions)).scalar()
    except Exception as exc:  # noqa: BLE001 - the health page reports any database failure
        return jsonify(status="error", database=str(exc).splitlines()[0]), 503
    return jsonify(status="ok" if ok else "error", database="ok", procedures=procedures)


@bp.get("/")
def index():
    """A plain landing page until the officer workspace exists."""
    return (
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>quytrinh</title>"
        "<h1>quytrinh</h1><p>Hệ thống quản lý quy trình nội bộ ISO 9001:2015.</p>"
        "<p><a href='/health'>/health</a></p></html>"
    )
