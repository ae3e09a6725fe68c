"""Errors as people and programs expect them: JSON under /api/, pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import EngineError, ModelInvalid
from engine.state import StateVersionError
from processes.errors import ConflictError, InvalidInput, NotFound, PermissionDenied, ServiceError
from processes.lint import LintFailed
from processes.state_check import officer_error

from .error_text import error_message
from .field_text import coded as coded_field
from .field_text import field_message
from .problem_text import error_fields, model_problems

STATUS = ((NotFound, 404), (PermissionDenied, 403), (ConflictError, 409), (InvalidInput, 422))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _reply(status: int, message: str, fields: dict | None = None, code: str | None = None):
    if _wants_json():
        coded = {"code": code} if code else {}  # a service error's stable code, for programs
        # Field messages in the reader's language like the pages; their codes for programs.
        said = {k: field_message(v) if isinstance(v, str) else v for k, v in (fields or {}).items()}
        codes = {k: found.code for k, v in (fields or {}).items() if (found := coded_field(v)) is not None}
        return jsonify(error=message, fields=said, field_codes=codes, **coded), status
    return render_template("error.html", status=status, message=message, fields=fields or {}), status


def reply(status: int, message: str):
    """An error answer in the asker's form (JSON under /api/, a page elsewhere), for web/guards.py."""
    return _reply(status, message)


def init_errors(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        status = next((code for cls, code in STATUS if isinstance(exc, cls)), 400)
        fields = error_fields(exc.problems) if isinstance(exc, LintFailed) else getattr(exc, "errors", None)
        return _reply(status, error_message(exc), fields, exc.code)

    @app.errorhandler(ModelInvalid)
    def model_invalid(exc: ModelInvalid):
        return _reply(422, _("Dữ liệu chưa hợp lệ."), error_fields(model_problems(exc)))

    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        return _reply(422, str(exc))

    @app.errorhandler(StateVersionError)
    def state_unreadable(exc: StateVersionError):
        # Not the officer's mistake: the case waits for the administrator (`quytrinh db check-states` lists it).
        app.logger.error("stored workflow state cannot be read: %s", exc)
        return service_error(officer_error(exc))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _reply(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng thử lại."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {401: _("Vui lòng đăng nhập."), 403: _("Không có quyền thực hiện thao tác này."),
                    404: _("Không tìm thấy."), 429: _("Quá nhiều lần đăng nhập. Vui lòng thử lại sau.")
                    if request.path.startswith("/login") else _("Quá nhiều yêu cầu. Vui lòng thử lại sau.")}
        answer = _reply(exc.code or 500, messages.get(exc.code, exc.description or exc.name))
        allowed = exc.get_response().headers.get("Allow")  # a 405 says which methods are (RFC 9110)
        return (*answer, {"Allow": allowed}) if allowed else answer
