"""The demo year tells its progress (simulated days done out of the days to simulate): the CLI's bar and a
job's progress page are fed by it."""

from __future__ import annotations

import datetime as dt

from demo import generate_year
from processes.keys import VN
from tests.demo.demo_data import prepared


def test_the_demo_year_reports_each_simulated_day_in_order(tmp_path):
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    heard: list[tuple[int, int]] = []
    until = dt.datetime(2025, 1, 15, 17, tzinfo=VN)
    generate_year(db, 2025, 0.2, 3, attachments_root=tmp_path / "files", until=until,
                  progress=lambda done, total: heard.append((done, total)))
    assert heard, "no progress reported"
    assert {total for _, total in heard} == {14}  # 1 to 15 January
    done = [d for d, _ in heard]
    assert done == sorted(set(done)) and done[-1] >= 10
