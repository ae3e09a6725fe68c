"""Statuses of a procedure version under ISO document control, with its one transition table."""

from __future__ import annotations

from enum import StrEnum

from .errors import InvalidTransition


class VersionStatus(StrEnum):
    """Where a version of a procedure is in its life (ISO 9001:2015 clause 7.5)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    EFFECTIVE = "effective"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """The Vietnamese name shown to people (a msgid of web/translations)."""
        return LABELS[self]


# The one name of each status: the quality pages, the modeler, documents and error messages read it here.
LABELS: dict[VersionStatus, str] = {
    VersionStatus.DRAFT: "Dự thảo", VersionStatus.IN_REVIEW: "Đang xem xét, phê duyệt",
    VersionStatus.APPROVED: "Đã phê duyệt", VersionStatus.EFFECTIVE: "Đang hiệu lực",
    VersionStatus.SUPERSEDED: "Hết hiệu lực (thay thế)", VersionStatus.WITHDRAWN: "Đã hủy bỏ",
}

VERSION_TRANSITIONS: dict[VersionStatus, frozenset[VersionStatus]] = {
    # A draft goes for approval, or is abandoned.
    VersionStatus.DRAFT: frozenset({VersionStatus.IN_REVIEW, VersionStatus.WITHDRAWN}),
    # The reviewer or the approver sends it back or does not accept it at all, or the approver approves it.
    VersionStatus.IN_REVIEW: frozenset({VersionStatus.DRAFT, VersionStatus.APPROVED, VersionStatus.WITHDRAWN}),
    # It takes effect on its effective date (deployed then), or is called off before.
    VersionStatus.APPROVED: frozenset({VersionStatus.EFFECTIVE, VersionStatus.WITHDRAWN}),
    # A newer version replaces it, or the procedure is abolished.
    VersionStatus.EFFECTIVE: frozenset({VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN}),
    VersionStatus.SUPERSEDED: frozenset(),
    VersionStatus.WITHDRAWN: frozenset(),
}

# At most one version of a procedure is open (being drafted, reviewed, or approved and waiting).
OPEN = (VersionStatus.DRAFT.value, VersionStatus.IN_REVIEW.value, VersionStatus.APPROVED.value)
# Obsolete versions stay readable and are marked as such everywhere; nothing starts on them.
OBSOLETE = (VersionStatus.SUPERSEDED.value, VersionStatus.WITHDRAWN.value)


def check_version_transition(current: str, new: VersionStatus | str) -> VersionStatus:
    """Return the new status, or raise InvalidTransition if a version may not go there from `current`."""
    target = VersionStatus(new)
    if target not in VERSION_TRANSITIONS[VersionStatus(current)]:
        raise InvalidTransition.of("version_transition", current=current, target=target)
    return target
