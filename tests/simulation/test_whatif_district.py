"""The what-if on a real (small) demo district: fitted from the engine's own records, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import demo
from cli.main import main
from processes import catalog, substitutes
from processes.clock import FixedClock, SystemClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation
from simulation.whatif import what_if

from .flows import bpmn

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A demo year 2025 at a fifth of the usual rates (about 130 dossiers), worked through the engine."""
    path = tmp_path_factory.mktemp("district") / "demo.sqlite"
    db = Database(f"sqlite:///{path}")
    initialise(db, SystemClock())
    load_demo_organisation(db, SystemClock())
    for source in sorted(BPMN.glob("*.bpmn")):
        catalog.deploy_file(db, source, SystemClock(), "iso")
    demo.generate_year(db, 2025, 0.2, 2025)
    yield db, f"sqlite:///{path}"
    db.dispose()


def test_a_year_is_learnt_from_the_years_before_and_simulated(district):
    db, _ = district
    result = what_if(db, "QT-CT-01", 2026)
    assert result.change["fitted_on"] == "before" and result.fitted_cases > 30
    assert result.replayed == result.fitted_cases  # every trace of the version in force follows its flow
    current = result.current
    assert current.dossiers > 30 and current.on_time_rate is not None and 0.5 < current.on_time_rate <= 1
    assert current.median_days is not None and current.median_days < 1  # a same-day procedure
    assert current.bottleneck is not None and set(current.queues) == {"mot_cua", "chuyen_vien_tp",
                                                                        "lanh_dao_phong_tp"}


def test_the_command_compares_a_roster_without_the_only_leader(district, tmp_path):
    _, url = district
    roster = tmp_path / "roster.txt"
    roster.write_text("lanh_dao_phong_ktht -1\n", encoding="utf-8")
    args = ["--database", url, "simulate", "--procedure", "QT-XD-01", "--year", "2026", "--roster", str(roster)]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "Tỷ lệ đúng hạn dự kiến" in text.output and "15 ngày làm việc" in text.output
    assert "không còn ai giữ vai trò Lãnh đạo Phòng Kinh tế – Hạ tầng" in text.output
    assert "P15D" not in text.output and "lanh_dao_phong_ktht" not in text.output
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert data["changed"]["unstaffed"] == {"lanh_dao_phong_ktht": data["changed"]["dossiers"]}
    assert data["changed"]["on_time_rate"] == 0


def test_a_draft_with_a_dead_end_is_refused_by_the_command(district, tmp_path):
    _, url = district
    draft = tmp_path / "draft.bpmn"
    draft.write_text(bpmn(dead_end=True).replace("QT-T-01", "QT-XD-01"), encoding="utf-8")
    found = CliRunner().invoke(main, ["--database", url, "simulate", "--procedure", "QT-XD-01", "--year", "2026",
                                      "--draft", str(draft)])
    assert found.exit_code == 6
    assert "dead end" in found.output and "Task_XemXet" in found.output


def test_a_substitute_who_already_holds_the_role_takes_the_absent_holders_capacity(district):
    db, _ = district
    from simulation.fit_db import absences, fit_log, read_log

    clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    substitutes.set_substitute(db, "motcua", "motcua2", dt.date(2026, 3, 2), dt.date(2026, 3, 13), "motcua", clock)
    substitutes.set_substitute(db, "cv.ktht", "motcua", dt.date(2026, 4, 1), dt.date(2026, 4, 3), "cv.ktht", clock)
    log = read_log(db, "H01", "/H01/", dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    _, roster = fit_log(log)
    found = absences(db, log, roster, log.axis)
    # Two weeks of the counter with one clerk doing both jobs; the specialist's stand-in brings their own time.
    assert [(a.pool, log.axis.days[a.first].day, log.axis.days[a.last].day) for a in found] == [
        ("mot_cua", dt.date(2026, 3, 2), dt.date(2026, 3, 13))]
