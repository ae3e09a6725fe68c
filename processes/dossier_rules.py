"""Dossier status codes (the national one-stop codes 1-10), their transition table, and the BPMN
markers that move a dossier: ``sla`` on steps and ``outcome`` on end events (docs/dialect.md)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import IntEnum

from sqlalchemy import Connection, select

from engine.model import END_OUTCOMES, STEP_SLA_KINDS, properties_of
from engine.xml import BPMN_NS, load_xml

from .errors import InvalidInput, InvalidTransition
from .schema import definitions


class DossierStatus(IntEnum):
    """The national dossier status codes."""

    SUBMITTED = 1  # nộp trực tuyến, chưa tiếp nhận
    RECEIVED = 2  # đã tiếp nhận
    REFUSED = 3  # từ chối giải quyết
    IN_PROGRESS = 4  # đang giải quyết
    SUPPLEMENT = 5  # yêu cầu bổ sung
    PAYMENT = 6  # yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # công dân rút hồ sơ
    STOPPED = 8  # dừng xử lý
    DONE = 9  # đã giải quyết xong
    RETURNED = 10  # đã trả kết quả

    @property
    def label(self) -> str:
        """The Vietnamese name shown to people."""
        return LABELS[self]


LABELS = {
    DossierStatus.SUBMITTED: "Mới nộp trực tuyến", DossierStatus.RECEIVED: "Đã tiếp nhận",
    DossierStatus.REFUSED: "Từ chối", DossierStatus.IN_PROGRESS: "Đang giải quyết",
    DossierStatus.SUPPLEMENT: "Yêu cầu bổ sung", DossierStatus.PAYMENT: "Chờ thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Đã rút hồ sơ", DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.DONE: "Đã giải quyết", DossierStatus.RETURNED: "Đã trả kết quả",
}

S = DossierStatus
TRANSITIONS: dict[DossierStatus, frozenset[DossierStatus]] = {
    S.SUBMITTED: frozenset({S.RECEIVED, S.REFUSED, S.WITHDRAWN}),
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.REFUSED, S.SUPPLEMENT, S.PAYMENT, S.WITHDRAWN, S.STOPPED, S.DONE,
                           S.RETURNED}),
    S.IN_PROGRESS: frozenset({S.SUPPLEMENT, S.PAYMENT, S.REFUSED, S.WITHDRAWN, S.STOPPED, S.DONE, S.RETURNED}),
    # A pause ends by resuming, or the case ends while paused (e.g. a timer refuses an unanswered request).
    S.SUPPLEMENT: frozenset({S.IN_PROGRESS, S.REFUSED, S.WITHDRAWN, S.STOPPED}),
    S.PAYMENT: frozenset({S.IN_PROGRESS, S.REFUSED, S.WITHDRAWN, S.STOPPED}),
    S.DONE: frozenset({S.RETURNED}),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.STOPPED: frozenset(),
    S.RETURNED: frozenset(),
}
OPEN = frozenset({S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT, S.PAYMENT})
PAUSED = frozenset({S.SUPPLEMENT, S.PAYMENT})
RUNNING = frozenset({S.RECEIVED, S.IN_PROGRESS})  # the clock runs and the sweep watches
RESOLVED = frozenset({S.REFUSED, S.DONE, S.RETURNED})  # an answer was given: early/on time/late


def check_transition(current: int, new: DossierStatus) -> None:
    """Raise InvalidTransition unless a dossier may go from status `current` to `new`."""
    old = DossierStatus(current)
    if new not in TRANSITIONS[old]:
        raise InvalidTransition.of("dossier_transition", current=old.value, current_label=old.label, target=new.value,
                                    target_label=new.label)


# ---- BPMN markers ------------------------------------------------------------------------------

SLA_KINDS = STEP_SLA_KINDS
OUTCOMES = dict(zip(END_OUTCOMES, (S.DONE, S.REFUSED, S.STOPPED), strict=True))


@dataclass(frozen=True)
class Markers:
    """What a procedure's steps and end events say to the dossier, by BPMN element id."""

    sla: dict[str, str] = field(default_factory=dict)
    outcome: dict[str, DossierStatus] = field(default_factory=dict)


def read_markers(xml: str | bytes) -> Markers:
    """The `sla` step properties and `outcome` end-event properties of a BPMN document."""
    root = load_xml(xml).getroot()
    sla: dict[str, str] = {}
    outcome: dict[str, DossierStatus] = {}
    for tag in ("userTask", "manualTask", "task"):
        for el in root.iter(f"{{{BPMN_NS}}}{tag}"):
            value = properties_of(el).get("sla")
            if value is None:
                continue
            if value not in SLA_KINDS:
                raise InvalidInput(f"step {el.get('id')}: sla '{value}' is unknown (use {', '.join(SLA_KINDS)})")
            sla[el.get("id", "")] = value
    for el in root.iter(f"{{{BPMN_NS}}}endEvent"):
        value = properties_of(el).get("outcome")
        if value is None:
            continue
        if value not in OUTCOMES:
            raise InvalidInput(f"end event {el.get('id')}: outcome '{value}' is unknown "
                               f"(use {', '.join(OUTCOMES)})")
        outcome[el.get("id", "")] = OUTCOMES[value]
    return Markers(sla, outcome)


_markers: dict[str, Markers] = {}
_lock = threading.Lock()


def markers_of(conn: Connection, definition_id: int, sha256: str) -> Markers:
    """The markers of a deployed definition (cached by content hash: a definition never changes)."""
    found = _markers.get(sha256)
    if found is None:
        xml = conn.execute(select(definitions.c.bpmn_xml).where(definitions.c.id == definition_id)).scalar_one()
        found = read_markers(xml)
        with _lock:
            _markers[sha256] = found
    return found
