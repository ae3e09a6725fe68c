"""Errors of the service layer; web/ maps them to HTTP statuses, cli/ to exit codes."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of errors a use case raises on purpose."""


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

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}
