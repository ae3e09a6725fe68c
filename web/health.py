"""Health page: is the app up and does the database answer."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from processes.db import ping
from processes.schema import definitions

from .context import database

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Status of the app and its database, with the number of deployed procedures."""
    db = database()
    try:
        ok = ping(db)
        with db.read() as conn:
            procedures = conn.execute(select(func.count()).select_from(definitions)).scalar()
    except SQLAlchemyError as exc:
        return jsonify(status="error", database=str(exc).splitlines()[0]), 503
    return jsonify(status="ok" if ok else "error", database="ok", procedures=procedures)
