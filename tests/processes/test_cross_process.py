"""What one process changes, another process sees on its next request (issue 11 item 8).

The test process plays one worker, tests/processes/cache_peer.py (a real second process on the same
SQLite file or PostgreSQL schema) the other: it caches first, then the test process changes the database.
"""

from __future__ import annotations

import datetime as dt

import pytest

from processes import calendar_store, migration, versions
from tests.processes.conftest import CHECK_OK, CODE, RECEIVE, start_case
from tests.processes.peer import Peer
from tests.processes.quality_helpers import ISO, RENAMED, RESTRUCTURED, approve, catalog_with_test_procedure


@pytest.fixture
def peer(org):
    found = Peer(org)
    yield found
    found.close()


def test_a_deploy_and_an_approval_elsewhere_are_seen_on_the_next_request(org, clock, deployed, peer):
    catalog_with_test_procedure(org, clock, deployed)
    before = peer.ask(op="active", code=CODE)
    assert before["version"] == 1 and "Thẩm định hồ sơ" in before["steps"]
    versions.save_draft(org, clock, ISO, CODE, RENAMED)
    assert peer.ask(op="active", code=CODE)["version"] == 1  # a draft is not in force
    approve(org, clock, CODE, 2)  # takes effect today
    after = peer.ask(op="active", code=CODE)
    assert after["version"] == 2 and "Thẩm định hồ sơ kỹ" in after["steps"]


def test_a_replaced_calendar_rule_is_seen_by_the_other_process(org, clock, peer):
    wednesday = dt.date(2026, 1, 7).isoformat()
    assert peer.ask(op="calendar", day=wednesday) == [["07:00", "11:30"], ["13:30", "17:00"]]
    calendar_store.add_rule(org, clock, dt.date(2026, 1, 1), [["08:00", "12:00"], ["13:00", "17:00"]])
    assert peer.ask(op="calendar", day=wednesday) == [["08:00", "12:00"], ["13:00", "17:00"]]
    # The same date again replaces the rule (delete + insert: SQLite gives the new row the old id).
    calendar_store.add_rule(org, clock, dt.date(2026, 1, 1), [["07:30", "11:30"], ["13:30", "17:30"]])
    assert peer.ask(op="calendar", day=wednesday) == [["07:30", "11:30"], ["13:30", "17:30"]]


def test_a_case_migrated_elsewhere_goes_on_along_the_new_version_in_the_other_process(org, clock, deployed, peer):
    catalog_with_test_procedure(org, clock, deployed)
    case = start_case(org, clock).instance_id
    now = clock.now().isoformat()
    # The other process works the case: its workflow (version 1) stays in that process's live cache.
    assert peer.ask(op="work", user="motcua", data=RECEIVE, instance=case, now=now) == ["Task_ThamDinh"]
    versions.save_draft(org, clock, ISO, CODE, RESTRUCTURED)
    approve(org, clock, CODE, 2)
    assert migration.migrate(org, clock, ISO, CODE, 1, 2)["instances"][0]["outcome"] == "migrated"
    # Version 2 replaced Phê duyệt by Kiểm tra, ký: the other process goes on along the migrated workflow.
    assert peer.ask(op="work", user="cv.ktht", data=CHECK_OK, instance=case, now=now) == ["Task_KiemTra"]
