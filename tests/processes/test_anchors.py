"""Issue 12 defect 10: checkpoints signed outside the database catch a chain rewritten with the project's own hash."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from processes import admin, adminlog, anchors, eventlog
from processes.admin_schema import admin_events, chain_heads
from processes.schema import events, instances

from .conftest import RECEIVE, start_case, work


def _rewrite_case(db, case_id: int, seq: int, actor: str) -> None:
    """What someone with write access to the database can do: edit a row, recompute the chain, store the head."""
    with db.write() as conn:
        conn.execute(update(events).where(events.c.case_id == case_id, events.c.seq == seq).values(actor=actor))
        prev = eventlog.GENESIS
        for r in conn.execute(select(events).where(events.c.case_id == case_id).order_by(events.c.seq)).all():
            digest = eventlog.row_hash(case_id, r.seq, r.activity, r.activity_name, r.lifecycle, r.actor, r.at,
                                       r.payload, prev)
            conn.execute(update(events).where(events.c.id == r.id).values(prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(instances).where(instances.c.id == case_id).values(event_head=prev))


def _rewrite_admin_log(db, seq: int, actor: str) -> None:
    with db.write() as conn:
        conn.execute(update(admin_events).where(admin_events.c.seq == seq).values(actor=actor))
        prev = eventlog.GENESIS
        for r in conn.execute(select(admin_events).order_by(admin_events.c.seq)).all():
            digest = adminlog.digest_of(r, prev)
            conn.execute(update(admin_events).where(admin_events.c.id == r.id).values(prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(chain_heads).where(chain_heads.c.name == "admin").values(head=prev))


@pytest.fixture
def key():
    private, public = anchors.generate_key()
    return anchors.load_private_key(private), anchors.load_public_key(public)


def _check(db, checkpoint_file: bytes, public) -> list[eventlog.Tampering]:
    with db.read() as conn:
        return anchors.check(conn, anchors.read_checkpoint(checkpoint_file, public))


def test_a_row_rewritten_before_the_checkpoint_with_the_chain_recomputed_is_detected(proc, clock, key):
    private, public = key
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    admin.add_role(proc, "admin", "r_one", "Một", "officer", clock)
    with proc.read() as conn:
        checkpoint = anchors.sign_checkpoint(conn, private, clock.now())
    assert _check(proc, checkpoint, public) == []
    # Work after the checkpoint is not a rewrite: the chains grew, their first rows are the signed ones.
    admin.add_role(proc, "admin", "r_two", "Hai", "officer", clock)
    assert _check(proc, checkpoint, public) == []

    _rewrite_case(proc, moved.instance_id, 2, "someone.else")
    _rewrite_admin_log(proc, 1, "someone.else")
    with proc.read() as conn:
        assert eventlog.verify(conn) == [] and adminlog.verify(conn) == []  # the chains alone say "intact"
    found = _check(proc, checkpoint, public)
    assert [(t.case_id, "rewritten" in t.reason) for t in found] == [(0, True), (moved.instance_id, True)]


def test_deleted_rows_and_forged_or_foreign_checkpoints_are_reported(proc, clock, key):
    private, public = key
    moved = start_case(proc, clock)
    with proc.read() as conn:
        checkpoint = anchors.sign_checkpoint(conn, private, clock.now())
    with proc.write() as conn:
        conn.execute(events.delete().where(events.c.case_id == moved.instance_id))
    assert "missing" in _check(proc, checkpoint, public)[0].reason
    forged = checkpoint.replace(b'"case:', b'"case:9')
    with pytest.raises(ValueError, match="signature"):
        _check(proc, forged, public)
    other_private, other_public = anchors.generate_key()
    with pytest.raises(ValueError, match="signature"):
        _check(proc, checkpoint, anchors.load_public_key(other_public))
    assert dt.datetime.fromisoformat(anchors.read_checkpoint(checkpoint, public).made_at.isoformat()) == clock.now()
