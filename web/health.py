"""Health page: is the app up and does the database answer."""

from __future__ import annotations

import os

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from processes.catalog import count_definitions
from processes.db import ping

from .context import database

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Status of the app and its database, with the number of deployed procedures and the answering process.

    `worker` is the id of the web worker process that answered: behind a load balancer or with several
    gunicorn workers, it tells which one a request reached (and that they are distinct processes).
    """
    db = database()
    try:
        ok = ping(db)
        procedures = count_definitions(db)
    except SQLAlchemyError as exc:
        return jsonify(status="error", database=str(exc).splitlines()[0]), 503
    return jsonify(status="ok" if ok else "error", database="ok", procedures=procedures, worker=os.getpid())
