"""The data stamp of the audit reports changes with any data a report reads, and only then."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from processes import instances
from processes.audit_schema import index766_manual_scores
from processes.data_stamp import data_stamp
from processes.schema import units


def test_the_stamp_moves_with_a_case_a_hand_entered_score_and_a_renamed_unit_only(deployed, org, clock):
    deployed("QT-XD-01.bpmn")
    first = data_stamp(org)
    assert data_stamp(org) == first  # reading changes nothing
    instances.start(org, "QT-XD-01", {}, "motcua", clock)
    after_case = data_stamp(org)
    assert after_case != first
    with org.write() as conn:
        unit = conn.execute(select(units.c.id).where(units.c.code == "H01")).scalar_one()
        conn.execute(insert(index766_manual_scores).values(unit_id=unit, period="2026-Q1", criterion="1", points=2,
                                                           note="", entered_by="iso", entered_at=clock.now()))
    entered = data_stamp(org)
    with org.write() as conn:
        conn.execute(update(index766_manual_scores).values(points=1.5))  # same rows, another value
    corrected = data_stamp(org)
    with org.write() as conn:
        conn.execute(update(units).where(units.c.id == unit).values(name="UBND huyện An Hòa (mới)"))
    assert len({first, after_case, entered, corrected, data_stamp(org)}) == 5
