"""Errors of the service layer; web/ maps them to HTTP statuses, cli/ to exit codes.

An error raised with `Cls.of(code, **params)` carries a stable code and its params (processes.error_codes)
besides its English message, so that web/ can say the same thing in the reader's language.
"""

from __future__ import annotations

from typing import Any, Self

from .error_codes import render


class ServiceError(Exception):
    """Base class of errors a use case raises on purpose; `code` and `params` say what happened, for translation."""

    def __init__(self, message: str = "", *, code: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})

    @classmethod
    def of(cls, code: str, /, **params: Any) -> Self:
        """The error whose English message is the code's template filled with `params`."""
        return cls(render(code, params), code=code, params=params)


class NotFound(ServiceError):
    """The thing asked for does not exist."""


class PermissionDenied(ServiceError):
    """The actor may not do this."""


class ConflictError(ServiceError):
    """Someone else changed the same thing first; reload and try again."""


class InvalidTransition(ConflictError):
    """The status does not allow this step."""


class InvalidInput(ServiceError):
    """The input is malformed; `errors` maps field names to messages where known."""

    def __init__(self, message: str = "", errors: dict[str, str] | None = None, *, code: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)
        self.errors = errors or {}

    @classmethod
    def of(cls, code: str, /, errors: dict[str, str] | None = None, **params: Any) -> Self:
        """The error of a code and params, with the field messages `errors` (already in their own form)."""
        return cls(render(code, params), errors, code=code, params=params)
