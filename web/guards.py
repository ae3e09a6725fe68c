"""Guards every request passes, whatever page or API answers it (issue 12 defects 4 and 6).

- Input no database can store: a NUL byte anywhere in the query string, form or JSON body is refused with 400
  before any page runs (PostgreSQL refuses NUL in text and the driver's error used to surface as a 500).
- A driver's DataError (a number out of range, a string the column cannot hold) that slipped past the parsing
  in web/request_args.py becomes a logged 400 rather than a 500: a last resort, not the way to validate.
- Security headers on every answer: a Content-Security-Policy without inline script, no framing, no referrer
  to other sites, no MIME sniffing, and HSTS when the session cookie is HTTPS-only (so behind TLS).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from .errors import reply

# Scripts and styles come from our own static folder only. Templates carry no inline script (the confirm
# prompts and the dashboard's period select are in static/ui.js); the modeler's configuration is a
# <script type="application/json">, which browsers never execute. bpmn-js needs no eval (its bundle has no
# eval/new Function), but it and our templates set style="…" attributes, hence 'unsafe-inline' for styles
# only — style injection cannot run code. Diagrams and icons are inline SVG or data: URIs.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin"}
HSTS = "max-age=31536000; includeSubDomains"


class NulByte(BadRequest):
    """A request carrying a NUL byte: no field of ours may hold one."""

    description = "NUL byte in the request"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul() -> None:
    """400 before any view runs when the path, query string, form or JSON body holds a NUL byte."""
    if "\x00" in request.path or any(_has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True)):
        raise NulByte()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            if _has_nul(request.get_json(silent=True)):
                raise NulByte()
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and any(
                _has_nul(k) or _has_nul(v) for k, v in request.form.items(multi=True)):
            raise NulByte()


def security_headers(response: Response, hsts: bool) -> Response:
    """The headers every answer carries (set only when a view has not chosen its own)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class IdConverter(IntegerConverter):
    """`<int:…>` in URLs, at most 2**31 - 1: ids are 32-bit columns, and a larger one overflowed in PostgreSQL
    (a 500). A larger number matches no route: 404, like any other id that does not exist."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_guards(app: Flask) -> None:
    """Bound URL ids; register the NUL guard (first, before the user is loaded), the DataError fallback and
    the headers. Called before any blueprint is registered, so every `<int:…>` rule uses IdConverter."""
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)

    @app.after_request
    def _headers(response: Response) -> Response:
        return security_headers(response, bool(app.config.get("SESSION_COOKIE_SECURE")))

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        # Parsing should have refused the value; log it so the route gets a proper check, answer 400.
        app.logger.warning("database refused a value on %s %s: %s", request.method, request.path, exc.orig)
        return reply(400, _("Giá trị không hợp lệ (quá lớn hoặc chứa ký tự không được phép)."))

    @app.errorhandler(NulByte)
    def _nul(exc: NulByte):
        return reply(400, _("Yêu cầu chứa ký tự không được phép (ký tự rỗng)."))
