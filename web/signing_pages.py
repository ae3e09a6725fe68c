"""Digital signatures in the browser (issue 16): the signer's own key on the personal page, signing a PDF of
a dossier at the step that signs it. The password of the key is typed at each signing and never kept."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from processes import signer_keys
from processes.errors import InvalidInput, NotFound
from processes.signed_documents import sign_attachment

from .auth import login_required
from .context import attachments_root, clock, database
from .error_text import error_message
from .permissions import case_of

bp = Blueprint("signing", __name__)


def _key_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    try:
        stored = signer_keys.stored(g.user)
    except InvalidInput as exc:  # sealed under another installation's key: say so, offer a new upload
        stored, error = None, error or error_message(exc)
    return render_template("officer/signing_key.html", stored=stored, error=error,
                           tokens=signer_keys.tokens_configured()), status


def _kept(keep: Callable[[], object], said: str) -> ResponseReturnValue:
    """Keep the key the form describes: a refusal is shown on the page (422), else `said` above it."""
    try:
        keep()
    except InvalidInput as exc:
        return _key_page(error_message(exc), 422)
    flash(said, "success")
    return redirect(url_for("signing.key_page"))


@bp.get("/signing-key")
@login_required
def key_page() -> ResponseReturnValue:
    """My digital certificate (PKCS#12) kept for signing in the browser."""
    return _key_page()


@bp.post("/signing-key")
@login_required
def upload_key() -> ResponseReturnValue:
    """Keep my PKCS#12: checked with the password typed now (not kept), sealed at rest."""
    file = request.files.get("p12")
    data = file.read(signer_keys.MAX_BYTES + 1) if file else b""
    return _kept(lambda: signer_keys.store(database(), g.user, data, request.form.get("password", "")),
                 _("Đã lưu chứng thư số. Mật khẩu không được lưu: bạn nhập lại mỗi lần ký."))


@bp.post("/signing-key/token")
@login_required
def record_token() -> ResponseReturnValue:
    """I sign with a PKCS#11 token: its label and my key's, checked now with the PIN (not kept)."""
    form = request.form
    return _kept(lambda: signer_keys.store_token(database(), g.user, form.get("token", ""), form.get("key", ""),
                                                 form.get("pin", "")),
                 _("Đã ghi nhận thiết bị ký số. Mã PIN không được lưu: bạn nhập lại mỗi lần ký."))


@bp.post("/signing-key/remove")
@login_required
def remove_key() -> ResponseReturnValue:
    """Forget my stored PKCS#12."""
    if signer_keys.remove(g.user):
        flash(_("Đã xóa chứng thư số đã lưu."), "success")
    return redirect(url_for("signing.key_page"))


@bp.post("/dossiers/<code>/attachments/<int:attachment_id>/sign")
@login_required
def sign(code: str, attachment_id: int) -> ResponseReturnValue:
    """Sign a PDF of the dossier with my stored key; the signed copy is attached beside it (at the step)."""
    case_of(code)  # the dossier exists and the user may see it
    target = request.form.get("next") or ""
    back = target if target.startswith("/") and not target.startswith("//") else url_for("dossiers.show", code=code)
    try:
        key = signer_keys.key_of(g.user, request.form.get("password", ""))
        signed = sign_attachment(database(), attachments_root(), attachment_id, key, g.user, clock(),
                                 title=request.form.get("title", "").strip(),
                                 task_uuid=request.form.get("task") or None)
    except (InvalidInput, NotFound) as exc:
        flash(error_message(exc), "error")
        return redirect(back)
    flash(_("Đã ký số và đính kèm tệp %(name)s.", name=signed.filename), "success")
    return redirect(back)
