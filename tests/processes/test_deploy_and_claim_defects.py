"""Issue 12 defects 7 and 8: a CLI deploy puts the procedure in the catalog; a repeated claim writes nothing."""

from __future__ import annotations

from processes import catalog, procedures, tasks
from tests.conftest import BPMN_DIR

from .conftest import RECEIVE, dump_all, history, single_task, start_case, work


def test_a_deploy_outside_the_catalog_creates_its_catalog_entry_and_version_in_force(org, clock):
    catalog.deploy_file(org, BPMN_DIR / "QT-XD-01.bpmn", clock, "iso")
    # No page was opened and adopt_deployed was not called: the rows exist right after the deploy.
    assert procedures.get_procedure(org, "QT-XD-01")["name"]
    row = next(r for r in procedures.list_catalog(org) if r["code"] == "QT-XD-01")
    assert (row["version"], row["issue_number"], row["status"]) == (1, 1, "effective")
    before = dump_all(org)
    assert procedures.adopt_deployed(org, clock) == 0
    assert catalog.deploy_file(org, BPMN_DIR / "QT-XD-01.bpmn", clock, "iso").created is False
    assert dump_all(org) == before  # the same file again: no second catalog version


def test_a_repeated_claim_by_the_same_user_writes_nothing(proc, clock):
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    task = single_task(proc, "cv.ktht", moved.instance_id)
    tasks.claim(proc, task.id, "cv.ktht", clock)
    before = dump_all(proc)
    for _ in range(3):
        tasks.claim(proc, task.id, "cv.ktht", clock)
    assert dump_all(proc) == before
    assert [e["lifecycle"] for e in history(proc, moved.instance_id)].count("claim") == 1
