"""Stored workflow states across releases: converters that bring an older state to the current version.

Why: a case can run for months, and its workflow state is stored as JSON text written by the release
that last moved it. A release that changes how states are written (a SpiffWorkflow serializer upgrade,
a renamed key of ours) must still read every case in flight, or those cases are stuck. So each state
carries its version ("v", engine.state.STATE_VERSION) and a release that changes the format registers
one converter here: the dict of the version it replaces in, the dict of the next version out. On load
the converters run in order, oldest first, until the state is current; the next save writes the
current version, so a case is converted once.

Rules for a converter: a pure function of the dict (no procedure, no clock, no database), never
returning the input mutated in place and also used elsewhere; raising StateVersionError (with the
reason) when a particular state cannot be converted, so that the case is reported to the administrator
instead of being half-read.

Today there is one version and so no converter: the chain from the current version is empty (the
identity). tests/engine/test_state_versions.py drives the mechanism with a synthetic older version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import EngineError

StateDict = dict[str, Any]
Converter = Callable[[StateDict], StateDict]


class StateVersionError(EngineError):
    """The stored state was written by a version this engine cannot read or convert; `version` and `reason` say why."""

    def __init__(self, message: str, *, version: str | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.version = version
        self.reason = reason or message


@dataclass(frozen=True)
class StateVersions:
    """The current state version and, for each older one, (the next version, the converter to it)."""

    current: str
    steps: Mapping[str, tuple[str, Converter]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every chain must end at the current version: a loop or a dead end is a programming mistake,
        # found when the registry is built rather than when a case is opened.
        for start in self.steps:
            self.path(start)

    def path(self, version: str) -> list[str]:
        """The versions a state of `version` goes through, `version` first and the current one last."""
        seen = [version]
        while seen[-1] != self.current:
            step = self.steps.get(seen[-1])
            if step is None:
                raise StateVersionError(_unknown(version, self.current), version=version,
                                        reason=f"no converter from state version {seen[-1]!r}")
            if step[0] in seen:
                raise ValueError(f"state converters loop: {' -> '.join([*seen, step[0]])}")
            seen.append(step[0])
        return seen

    def readable(self, version: str | None) -> bool:
        """True when a state of this version can be brought to the current one."""
        return version == self.current or (version is not None and version in self.steps)

    def upgrade(self, dct: StateDict, version: str | None) -> StateDict:
        """`dct` (without its "v") converted from `version` to the current version."""
        if version is None:
            raise StateVersionError(_unknown(version, self.current), version=None,
                                    reason="the stored state has no version")
        for older in self.path(version)[:-1]:
            nxt, convert = self.steps[older]
            try:
                dct = convert(dct)
            except StateVersionError:
                raise
            except Exception as exc:  # a converter's KeyError or ValueError: this state does not fit it
                raise StateVersionError(f"stored workflow state of version {older!r} cannot be converted to "
                                        f"{nxt!r}: {exc}", version=version, reason=f"{older} -> {nxt}: {exc}") from exc
        return dct


def _unknown(version: str | None, current: str) -> str:
    return f"stored workflow state has version {version!r}; this engine reads {current!r}"


def converters(current: str) -> StateVersions:
    """The converters of this release (none yet: states of `current` need no conversion)."""
    # Add one line per retired version, e.g. "quytrinh-1/spiff-1.4": ("quytrinh-2/spiff-1.5", _v1_to_v2).
    return StateVersions(current, {})
