"""Lint findings: what is wrong with a model, where, and whether it blocks approval."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .problem_codes import render, text_key

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One lint finding: a stable code, a message, the element it is about, its severity and params."""

    code: str
    message: str
    element_id: str | None = None
    severity: str = ERROR
    params: dict[str, Any] = field(default_factory=dict, hash=False)


def finding(code: str, element_id: str | None, severity: str = ERROR, /, **params: Any) -> Finding:
    """A Finding whose English message is the template of its rule (params["rule"]) or code."""
    return Finding(code, render(text_key(code, params), params), element_id, severity, params)
