"""Issue 12 defect 5: writing on a case needs the right to read it and a place in its chain. Leaders above an
agency whose dossiers they cannot read, heads of unrelated departments, and overseers who only read (the
quality manager, the auditor) may not comment, attach, or hand a step over; those in the chain still may."""

from __future__ import annotations

import pytest

from processes import attachments, comments, organisation, tasks
from processes.errors import PermissionDenied
from tests.web.workspace_helpers import PDF

from .conftest import RECEIVE, single_task, start_case, work


@pytest.fixture
def at_check(proc, clock):
    """A district case waiting for a KTHT specialist."""
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    return moved.instance_id, single_task(proc, "cv.ktht", moved.instance_id)


@pytest.fixture
def commune(proc, khai_sinh, clock):
    """A commune case at its second step (the commune's justice officer)."""
    iid = start_case(proc, clock, actor="xa.motcua", code="QT-KS-TEST").instance_id
    work(proc, clock, "xa.motcua", {}, iid)
    return iid, single_task(proc, "xa.tphc", iid)


@pytest.mark.parametrize("actor", ["pct", "admin"])
def test_a_district_leader_may_not_write_on_a_commune_case_they_cannot_read(proc, clock, commune, tmp_path, actor):
    iid, step = commune
    with pytest.raises(PermissionDenied):
        tasks.assign(proc, step.id, "xa.tphc", actor, clock)
    with pytest.raises(PermissionDenied):
        comments.add(proc, iid, "Đề nghị xử lý sớm", actor, clock)
    with pytest.raises(PermissionDenied):
        attachments.attach(proc, tmp_path, iid, "a.pdf", PDF, actor, clock)


def test_the_commune_chair_still_writes_on_the_commune_case(proc, clock, commune, tmp_path):
    iid, step = commune
    tasks.assign(proc, step.id, "xa.tphc", "xa.ct", clock)
    assert comments.add(proc, iid, "Ý kiến chỉ đạo", "xa.ct", clock).author == "xa.ct"


def test_the_head_of_another_department_may_not_reassign_a_ktht_step(proc, clock, at_check):
    _, task = at_check
    organisation.grant(proc, "cv.ktht2", "chuyen_vien_ktht", "H01.KTHT")
    with pytest.raises(PermissionDenied):
        tasks.assign(proc, task.id, "cv.ktht2", "tp.tckh", clock)
    tasks.assign(proc, task.id, "cv.ktht2", "tp.ktht", clock)  # the KTHT head may
    tasks.assign(proc, task.id, "cv.ktht", "pct", clock)  # and so may the district's leader


@pytest.mark.parametrize("actor", ["iso", "danhgia"])
def test_overseers_read_but_may_not_comment_or_attach(proc, clock, at_check, tmp_path, actor):
    iid, _ = at_check
    with pytest.raises(PermissionDenied, match="may only read"):
        comments.add(proc, iid, "Góp ý", actor, clock)
    with pytest.raises(PermissionDenied):
        attachments.attach(proc, tmp_path, iid, "a.pdf", PDF, actor, clock)


def test_those_in_the_chain_comment_and_attach(proc, clock, at_check, tmp_path):
    iid, _ = at_check
    for actor in ("cv.ktht", "motcua", "tp.ktht", "pct"):
        assert comments.add(proc, iid, "Ý kiến", actor, clock).author == actor
    assert attachments.attach(proc, tmp_path, iid, "a.pdf", PDF, "cv.ktht", clock).uploaded_by == "cv.ktht"
