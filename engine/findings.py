"""Lint findings: what is wrong with a model, where, and whether it blocks approval."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One lint finding: a stable code, a message, the element it is about, and its severity."""

    code: str
    message: str
    element_id: str | None = None
    severity: str = ERROR

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready form (element_id, message, severity, code)."""
        return asdict(self)
