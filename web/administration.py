"""Administration pages (issue 12): users, roles and the administration history, for administrators (quan_tri);
and the personal account page: one's own password and API tokens.

Pages run no SQL: every change is a use case of processes/admin.py and admin_users.py, which check the
administrator's scope (an agency's administrator manages its units only) and write the administration log.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import admin, admin_users, tokens
from processes.errors import ServiceError

from .auth import login_required
from .context import clock, database
from .error_text import error_message

bp = Blueprint("administration", __name__)


def admin_required(view: Callable) -> Callable:
    """Administrators only (403 for anyone else, the login page for visitors)."""

    @login_required
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not admin.is_administrator(database(), g.user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _attempt(action: Callable[[], object], success: str) -> bool:
    """Run a use case; flash its refusal in the reader's language, or `success`."""
    try:
        action()
    except ServiceError as exc:
        flash(error_message(exc), "error")
        return False
    flash(success, "success")
    return True


@bp.get("/admin/users")
@admin_required
def users() -> ResponseReturnValue:
    """The accounts this administrator manages, with their roles; create, deactivate, reset a password."""
    db = database()
    return render_template("admin/users.html", users=admin_users.list_users(db, g.user),
                           roles=admin.list_roles(db), units=admin.units_in_scope(db, g.user))


@bp.post("/admin/users")
@admin_required
def create_user() -> ResponseReturnValue:
    """Create an account; its temporary password is shown once."""
    form = request.form
    made: list[admin_users.Created] = []
    if _attempt(lambda: made.append(admin_users.create_user(
            database(), g.user, form.get("username", ""), form.get("full_name", ""), clock(),
            form.get("email") or None, form.get("phone") or None)), _("Đã tạo tài khoản.")):
        flash(_("Mật khẩu tạm thời của %(user)s: %(password)s (người dùng phải đổi khi đăng nhập lần đầu).",
                user=made[0].username, password=made[0].temporary_password), "success")
    return redirect(url_for("administration.users"))


@bp.post("/admin/users/<username>/<action>")
@admin_required
def user_action(username: str, action: str) -> ResponseReturnValue:
    """Deactivate, reactivate or reset the password of an account; grant or revoke a role."""
    db, form = database(), request.form
    if action == "deactivate":
        _attempt(lambda: admin_users.deactivate(db, g.user, username, clock()), _("Đã khóa tài khoản."))
    elif action == "reactivate":
        _attempt(lambda: admin_users.reactivate(db, g.user, username, clock()), _("Đã mở khóa tài khoản."))
    elif action == "reset":
        made: list[str] = []
        if _attempt(lambda: made.append(admin_users.reset_password(db, g.user, username, clock())),
                    _("Đã đặt lại mật khẩu.")):
            flash(_("Mật khẩu tạm thời của %(user)s: %(password)s (người dùng phải đổi khi đăng nhập).",
                    user=username, password=made[0]), "success")
    elif action in ("grant", "revoke"):
        use_case = admin.grant if action == "grant" else admin.revoke
        _attempt(lambda: use_case(db, g.user, username, form.get("role", ""), form.get("unit", ""), clock()),
                 _("Đã cấp vai trò.") if action == "grant" else _("Đã thu hồi vai trò."))
    else:
        abort(404)
    return redirect(url_for("administration.users"))


@bp.get("/admin/roles")
@admin_required
def roles() -> ResponseReturnValue:
    """Every role with how many hold it; add, rename, retire."""
    return render_template("admin/roles.html", roles=admin.list_roles(database(), include_retired=True))


@bp.post("/admin/roles")
@admin_required
def add_role() -> ResponseReturnValue:
    """Add a role."""
    form = request.form
    _attempt(lambda: admin.add_role(database(), g.user, form.get("code", "").strip(), form.get("name", ""),
                                    form.get("kind", "officer"), clock()), _("Đã thêm vai trò."))
    return redirect(url_for("administration.roles"))


@bp.post("/admin/roles/<code>/<action>")
@admin_required
def role_action(code: str, action: str) -> ResponseReturnValue:
    """Rename or retire a role."""
    if action == "rename":
        _attempt(lambda: admin.rename_role(database(), g.user, code, request.form.get("name", ""), clock()),
                 _("Đã đổi tên vai trò."))
    elif action == "retire":
        _attempt(lambda: admin.retire_role(database(), g.user, code, clock()), _("Đã ngừng sử dụng vai trò."))
    else:
        abort(404)
    return redirect(url_for("administration.roles"))


@bp.get("/admin/history")
@admin_required
def history() -> ResponseReturnValue:
    """The administration log, newest first, within this administrator's units."""
    return render_template("admin/history.html", events=admin.history(database(), g.user, 300))


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    """My account: change my password, my API tokens."""
    return render_template("admin/account.html", tokens=tokens.list_tokens(database(), g.user), now=clock().now(),
                           must_change=admin_users.must_change_password(database(), g.user))


@bp.post("/account/password")
@login_required
def change_password() -> ResponseReturnValue:
    """Change my own password; every session of mine ends, so I log in again with it."""
    form = request.form
    if form.get("new", "") != form.get("again", ""):
        flash(_("Hai lần nhập mật khẩu mới không giống nhau."), "error")
        return redirect(url_for("administration.account"))
    if _attempt(lambda: admin_users.change_own_password(database(), g.user, form.get("current", ""),
                                                         form.get("new", ""), clock()),
                _("Đã đổi mật khẩu. Vui lòng đăng nhập lại bằng mật khẩu mới.")):
        return redirect(url_for("auth.login"))
    return redirect(url_for("administration.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of my API tokens."""
    _attempt(lambda: tokens.revoke_own_token(database(), g.user, token_id, clock()), _("Đã thu hồi mã truy cập."))
    return redirect(url_for("administration.account"))
