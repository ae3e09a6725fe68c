"""What every web worker must agree on: rate limits, who is logged in, and whether caches are current.

* Rate limits (Flask-Limiter): Redis when QUYTRINH_REDIS_URL is set, else the application's database
  (web/limits_storage.py), never process memory, so limits hold across gunicorn workers and restarts.
  RATELIMIT_STORAGE_URI still wins when set (memory:// for a throwaway instance).
* Sessions: the signed cookie carries a random session token, not the user; processes.sessions says
  whose it is and whether it was revoked, so logging out ends the session in every worker; a session unused for
  SESSION_IDLE_MINUTES (QUYTRINH_SESSION_IDLE_MINUTES, 60 by default, 0: never) ends.
* Caches: each request first asks processes.generations whether the database was replaced (a restore).
* Behind a load balancer (QUYTRINH_PROXY_HOPS=1): the client's address from X-Forwarded-For, so a limit
  counts per client rather than once for everybody.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from processes import generations, sessions

from .context import clock, database
from .limits_storage import storage_uri

SESSION_KEY = "sid"


def init_server_state(app: Flask) -> None:
    """Point Flask-Limiter at shared storage and check the caches before each request (before limiter.init_app)."""
    db = app.extensions["quytrinh.db"]
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or storage_uri(db)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind a load balancer every request comes from its address: limits per client need the address it
        # forwards (X-Forwarded-For), trusted for exactly the proxies we run (QUYTRINH_PROXY_HOPS).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.before_request(_refresh_caches)


def _static() -> bool:
    # Stylesheets and scripts read nothing of the database: no query for them.
    return (request.endpoint or "").endswith("static")


def _refresh_caches() -> None:
    if not _static():
        generations.refresh(database())


def session_user() -> str | None:
    """The user of this request's session cookie, if that session is still live."""
    if _static():
        return None
    minutes = current_app.config.get("SESSION_IDLE_MINUTES")
    idle = dt.timedelta(minutes=float(minutes)) if minutes else None  # 0 or empty: no idle timeout
    return sessions.user_of(database(), session.get(SESSION_KEY), clock().now(), idle=idle)


def log_in(username: str) -> None:
    """Start a server-side session for a user who just proved who they are."""
    session.clear()  # nothing from before the login survives (session fixation)
    session[SESSION_KEY] = sessions.open_session(database(), username, clock().now(),
                                                 request.user_agent.string or "")
    session.permanent = True


def log_out() -> None:
    """End this session and the user's other sessions everywhere: a copy of a cookie is refused from now on, by
    every worker."""
    sessions.close_all(database(), session.get(SESSION_KEY), clock().now())
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
