"""Service-task handlers: Python functions that automatic BPMN steps call by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]

_REGISTRY: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler for `camunda:topic="name"`."""

    def register(func: Handler) -> Handler:
        _REGISTRY[name] = func
        return func

    return register


def registered() -> dict[str, Handler]:
    """A copy of every registered handler, by name."""
    return dict(_REGISTRY)


def unregister(name: str) -> None:
    """Remove a handler (tests that register their own)."""
    _REGISTRY.pop(name, None)
