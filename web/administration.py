"""Administration pages (issue 12): users, roles and the administration history, for administrators (quan_tri);
and the personal account page: one's own password and API tokens.

Pages run no SQL: every change is a use case of processes/admin.py and admin_users.py, which check the
administrator's scope (an agency's administrator manages its units only) and write the administration log.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import admin, admin_users, admin_views, staff_import, substitutes, tokens
from processes.errors import InvalidInput, ServiceError

from .admin_text import history_rows, membership, role_kind
from .auth import login_required
from .context import clock, database
from .error_text import error_message
from .i18n import N_

bp = Blueprint("administration", __name__)

# The administration log's actions as an administrator reads them.
ACTIONS = {"role.add": N_("Thêm vai trò"), "role.rename": N_("Đổi tên vai trò"), "role.retire": N_("Ngừng vai trò"),
           "user.create": N_("Tạo tài khoản"), "user.edit": N_("Sửa thông tin tài khoản"),
           "user.deactivate": N_("Khóa tài khoản"), "user.reactivate": N_("Mở khóa tài khoản"),
           "user.reset_password": N_("Đặt lại mật khẩu"), "user.change_password": N_("Tự đổi mật khẩu"),
           "membership.grant": N_("Cấp vai trò"), "membership.revoke": N_("Thu hồi vai trò"),
           "token.issue": N_("Cấp mã truy cập API"), "token.revoke": N_("Thu hồi mã truy cập API"),
           "log.anchor": N_("Neo nhật ký (ký xác nhận)")}
DELEGATION_STATES = {"current": N_("Đang hiệu lực"), "upcoming": N_("Sắp tới"), "ended": N_("Đã hết hạn"),
                     "revoked": N_("Đã thu hồi")}
MAX_STAFF_FILE = 5 * 1024 * 1024


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
    names = admin_views.names(db)
    return render_template("admin/users.html", users=admin_users.list_users(db, g.user), names=names,
                           membership=membership, roles=admin.list_roles(db),
                           units=admin.units_in_scope(db, g.user))


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
    """Edit, deactivate, reactivate or reset the password of an account; grant or revoke a role."""
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
    elif action == "edit":
        _attempt(lambda: admin_users.edit_user(db, g.user, username, clock(), form.get("full_name", ""),
                                               form.get("email", ""), form.get("phone", "")),
                 _("Đã lưu thông tin tài khoản."))
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
    return render_template("admin/roles.html", roles=admin.list_roles(database(), include_retired=True),
                           role_kind=role_kind)


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
    db = database()
    return render_template("admin/history.html", events=history_rows(admin.history(db, g.user, 300), ACTIONS,
                                                                     admin_views.names(db)))


@bp.get("/admin/units")
@admin_required
def units() -> ResponseReturnValue:
    """The agency and the units below it, each with its roles and their holders."""
    return render_template("admin/units.html", tree=admin_views.unit_tree(database(), g.user))


@bp.get("/admin/delegations")
@admin_required
def delegations() -> ResponseReturnValue:
    """Who stands in for whom (ủy quyền) among the people of these units; ?all=1 with ended and revoked ones."""
    everything = request.args.get("all") == "1"
    return render_template("admin/delegations.html", everything=everything, states=DELEGATION_STATES,
                           items=admin_views.delegations(database(), g.user, substitutes.today(clock()), everything))


@bp.get("/admin/import")
@admin_required
def import_page() -> ResponseReturnValue:
    """Upload a staff list (XLSX or CSV) to preview."""
    return render_template("admin/import.html", plan=None, filename="", content="")


@bp.post("/admin/import")
@admin_required
def import_staff() -> ResponseReturnValue:
    """Preview a staff list (its wrong rows, what it would do), then import it all or nothing."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        filename, data = upload.filename, upload.read(MAX_STAFF_FILE + 1)
    else:  # the preview's "Nhập" button sends the previewed file back
        filename = request.form.get("filename", "")
        try:
            data = base64.b64decode(request.form.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
    if not data or len(data) > MAX_STAFF_FILE:
        flash(_("Hãy chọn tệp danh sách cán bộ (XLSX hoặc CSV, tối đa 5 MB)."), "error")
        return redirect(url_for("administration.import_page"))
    content = base64.b64encode(data).decode()
    try:
        if request.form.get("apply") == "1":
            plan = staff_import.apply(database(), g.user, filename, data, clock())
            flash(_("Đã nhập danh sách cán bộ."), "success")
            return render_template("admin/import.html", plan=plan, applied=True, filename="", content="")
        plan = staff_import.preview(database(), g.user, filename, data)
    except InvalidInput as exc:
        flash(error_message(exc), "error")
        return render_template("admin/import.html", plan=None, filename="", content="",
                               row_errors=list((exc.errors or {}).values())), 422
    return render_template("admin/import.html", plan=plan, applied=False, filename=filename, content=content)


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
