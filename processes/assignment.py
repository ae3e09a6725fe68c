"""Who may work a step: role references, unit scopes, assignees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .organisation import Membership


@dataclass(frozen=True)
class RoleRef:
    """A role a step asks for, optionally scoped to a unit code (`role@UNIT`)."""

    role: str
    unit: str | None = None

    @classmethod
    def parse(cls, text: str) -> RoleRef:
        """Read `role` or `role@UNIT`."""
        role, _, unit = text.strip().partition("@")
        return cls(role, unit or None)

    def __str__(self) -> str:
        return f"{self.role}@{self.unit}" if self.unit else self.role


def parse_roles(text: str | Iterable[str]) -> list[RoleRef]:
    """Role references from a comma-separated text or an iterable of texts."""
    items = text.split(",") if isinstance(text, str) else list(text)
    return [RoleRef.parse(t) for t in items if t and t.strip()]


def holds(memberships: Iterable[Membership], ref: RoleRef, scope_path: str, unit_paths: dict[str, str]) -> bool:
    """True when one membership grants `ref`: in the ref's unit (or below), else in the case's agency."""
    if ref.unit:
        path = unit_paths.get(ref.unit, "\0")
        return any(m.role == ref.role and m.unit_path.startswith(path) for m in memberships)
    return any(m.role == ref.role and m.agency_path == scope_path for m in memberships)


def may_work(
    username: str, memberships: list[Membership], roles: str, assignee: str | None,
    scope_path: str, unit_paths: dict[str, str],
) -> bool:
    """True when the user may complete or claim a step with these roles and this assignee."""
    if assignee is not None:
        return assignee == username
    refs = parse_roles(roles)
    if not refs:
        # A step that names no role is open to anyone working in the case's unit.
        return any(m.agency_path == scope_path for m in memberships)
    return any(holds(memberships, ref, scope_path, unit_paths) for ref in refs)


def may_lead(memberships: list[Membership], scope_path: str, whole_case: bool = False) -> bool:
    """True when the user leads the case's agency (or above), or, for single steps, a department in it."""
    return any(
        # Redistributing a step is a department head's daily work; decisions about the whole case
        # (cancelling it) belong to the agency's leaders or those above them.
        m.role_kind in ("leader", "admin")
        and (scope_path.startswith(m.unit_path) or (not whole_case and m.agency_path == scope_path))
        for m in memberships
    )
