"""The demo's process deviations (issue 13 item 12): a few dossiers (case id ≡ 13 mod 53) have their second
step handled on paper and recorded by the agency's leader (processes.step_override), so the audit's
conformance check has findings to show. Chosen by id, not drawn, so no dossier's random story changes."""

from __future__ import annotations

from processes import step_override
from processes.clock import Clock
from processes.db import Database
from processes.instances import Moved

EVERY, AT, STEP = 53, 13, 2
PAPER_REASONS = ("Mất kết nối mạng cả buổi, bước được xử lý trên hồ sơ giấy",
                 "Cán bộ xử lý đi công tác, lãnh đạo giải quyết trực tiếp trên hồ sơ giấy")


def on_paper(case_id: int, step: int) -> bool:
    """Whether this step of this case is the one the demo has handled on paper."""
    return case_id % EVERY == AT and step == STEP


def record_on_paper(db: Database, case_id: int, task_uuid: str, leader: str, clock: Clock,
                    data: dict[str, object]) -> Moved:
    """The leader records the step as handled outside the system, with the values written on paper."""
    return step_override.override(db, task_uuid, step_override.OUTSIDE, PAPER_REASONS[case_id % len(PAPER_REASONS)],
                                  leader, clock, data).moved
