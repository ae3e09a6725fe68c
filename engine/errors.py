"""Errors the engine raises; every one carries a message a quality manager can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .problem_codes import UNCLASSIFIED, render


class EngineError(Exception):
    """Base class of every error raised by the engine."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a model: where it is, what is wrong, and its code and params for translation."""

    message: str
    element_id: str | None = None
    severity: str = "error"
    code: str = UNCLASSIFIED
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        where = f"[{self.element_id}] " if self.element_id else ""
        return f"{where}{self.message}"


def problem(code: str, element_id: str | None = None, /, **params: Any) -> Problem:
    """A Problem whose English message is the code's template filled with `params`."""
    return Problem(render(code, params), element_id, "error", code, params)


class CodedValueError(ValueError):
    """A ValueError built from a problem code, so the Problem reporting it keeps the code and params."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(render(code, params))
        self.code = code
        self.params = params


@dataclass
class ModelInvalid(EngineError):
    """The BPMN cannot be deployed; `problems` lists everything found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems) or "invalid model"


@dataclass
class FormInvalid(EngineError):
    """Completion data does not satisfy the step's form; `errors` maps field id to message."""

    errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()) or "invalid form data")


class StepFailed(EngineError):
    """The workflow could not advance (a condition failed, a handler raised, no path matched)."""

    def __init__(self, message: str, element_id: str | None = None) -> None:
        super().__init__(f"[{element_id}] {message}" if element_id else message)
        self.element_id = element_id


class TaskNotReady(EngineError):
    """The task asked for is not ready to be completed (already done, cancelled or unknown)."""
