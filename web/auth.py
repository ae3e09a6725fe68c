"""Who is asking: session login for pages, API tokens for the JSON API; login rate limited."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from processes import admin_users, login_guard, organisation, tokens

from .context import clock, database
from .extensions import limiter
from .server_state import log_in, log_out, session_user

bp = Blueprint("auth", __name__)


def load_user() -> None:
    """Set g.user from a Bearer token (API) or the session (pages)."""
    g.user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.user = tokens.user_for_token(database(), header[7:].strip(), clock())
        g.via_token = True
        return
    g.via_token = False
    g.user = session_user()  # the cookie's session token, checked in the database (revocable)


def memberships() -> list[organisation.Membership]:
    """The current user's roles (cached for the request)."""
    if "memberships" not in g:
        with database().read() as conn:
            g.memberships = organisation.memberships_of(conn, g.user) if g.user else []
    return g.memberships


def login_required(view: Callable) -> Callable:
    """Send anonymous visitors to the login page (pages) or answer 401 (API)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def local_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: an open redirect would let a phishing link bounce
    through us. Browsers drop tabs and newlines and read a backslash as a slash, so "/<tab>/evil" and
    "/<backslash>evil" leave the site: refuse any control character or backslash, and any "//" start, scheme
    or host once parsed."""
    if not target or not target.startswith("/") or any(ord(c) < 32 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if target.startswith("//") or parts.scheme or parts.netloc:
        return None
    return target


def _login_limit() -> str:
    return current_login_limit()


def current_login_limit() -> str:
    """Attempts allowed per client address (config LOGIN_RATE_LIMIT, default 10 per minute)."""
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with username and password."""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip().lower()
        password = request.form.get("password") or ""
        # Per account, whatever the address (processes/login_guard.py): many machines guessing one password.
        wait = login_guard.wait_needed(database(), username, clock().now())
        if wait:
            flash(_("Tài khoản này tạm thời không đăng nhập được vì nhập sai nhiều lần; vui lòng thử lại sau "
                    "%(seconds)s giây.", seconds=int(wait.total_seconds()) + 1), "error")
            return render_template("login.html", username=username), 429
        if organisation.authenticate(database(), username, password, clock(), request.remote_addr or ""):
            log_in(username)
            if admin_users.must_change_password(database(), username):
                return redirect(url_for("administration.account"))  # a temporary password: choose one first
            return redirect(local_target(request.args.get("next")) or url_for("home.index"))
        flash(_("Sai tên đăng nhập hoặc mật khẩu."), "error")
        return render_template("login.html", username=username), 401
    return render_template("login.html", username="")


@bp.post("/logout")
def logout():
    """Log out (POST only, CSRF-protected): the session ends in every worker, a copied cookie included."""
    log_out()
    return redirect(url_for("auth.login"))
