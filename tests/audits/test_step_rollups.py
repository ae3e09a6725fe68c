"""The SLA step figures read from the monthly rollups are those read step by step (processes/step_rollups.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import event, func, insert, select, update

from audits.indicators import build_sla_report, step_figures_of
from audits.periods import parse_period
from processes.audit_schema import step_rollup_months, step_rollups
from processes.organisation import department_of
from processes.records import load_dossiers
from processes.schema import dossiers, human_tasks, units
from processes.step_rollups import rolled_step_times
from processes.step_times import StepTimes, step_times
from tests.demo.demo_data import YEAR, demo_copy

AFTER = dt.datetime(YEAR + 1, 6, 1, tzinfo=dt.UTC)  # every month of the demo year is over


def _plain(found: StepTimes | None) -> tuple:
    """What the SLA report takes from StepTimes, in a form compared whole (tallies in any order)."""
    assert found is not None
    tallies = sorted(found.tallies, key=lambda t: (t.procedure, t.element_id, str(t.result), str(t.completed_by),
                                                    t.roles))
    return tallies, found.steps, found.hours, found.late, found.missing


def _rows(db, period, procedures=None, agencies=None) -> tuple:
    with db.read() as conn:
        return _plain(step_times(conn, period, procedures, agencies))


def test_rollups_give_the_figures_of_the_step_rows_for_every_kind_of_period_and_scope(tmp_path):
    db = demo_copy(tmp_path)
    step_figures_of(db, parse_period(str(YEAR)), rollups=False)  # the office times of steps overridden on paper
    with db.read() as conn:
        steps = conn.execute(select(func.count()).select_from(human_tasks)
                             .where(human_tasks.c.state == "completed")).scalar_one()
        agency = conn.execute(select(units.c.code).join(dossiers, dossiers.c.unit_id == units.c.id)
                              .order_by(units.c.code).limit(1)).scalar_one()
    for label in (str(YEAR), f"{YEAR}-Q2", f"{YEAR}-H2", f"{YEAR}-03", f"{YEAR}-12"):
        period = parse_period(label)
        expected = _rows(db, period)
        assert expected[0] and not expected[4]
        assert _plain(rolled_step_times(db, period, now=AFTER)) == expected, label
    with db.read() as conn:
        kept = conn.execute(select(func.count()).select_from(step_rollups)).scalar_one()
        months = conn.execute(select(func.count()).select_from(step_rollup_months)).scalar_one()
    assert months == 12 and kept < steps / 2  # grouped, not copied
    # A dossier received in one month and resolved in the next counts in the latter with its steps of that month:
    # those steps are read row by row, beside the month's rollup.
    found = [m for m in (f"{YEAR}-{n:02d}" for n in range(2, 13)) if _straddles(db, parse_period(m))]
    assert found
    month = parse_period(found[0])
    assert _plain(rolled_step_times(db, month, now=AFTER)) == _rows(db, month)
    quarter = parse_period(f"{YEAR}-Q{(month.start.month - 1) // 3 + 1}")
    codes = sorted({t.procedure for t in _rows(db, quarter)[0]})
    assert _plain(rolled_step_times(db, quarter, codes[:2], now=AFTER)) == _rows(db, quarter, codes[:2])
    assert _plain(rolled_step_times(db, quarter, agencies=[agency], now=AFTER)) == _rows(db, quarter,
                                                                                          agencies=[agency])


def _straddles(db, period) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(dossiers).where(
            dossiers.c.received_at < period.first_instant, dossiers.c.done_at >= period.first_instant,
            dossiers.c.done_at < period.end_instant)).scalar_one()


def test_months_not_over_are_read_row_by_row(tmp_path):
    db = demo_copy(tmp_path)
    step_figures_of(db, parse_period(str(YEAR)), rollups=False)
    period = parse_period(str(YEAR))
    mid_year = dt.datetime(YEAR, 7, 15, tzinfo=dt.UTC)
    assert _plain(rolled_step_times(db, period, now=mid_year)) == _rows(db, period)
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(step_rollup_months)).scalar_one() == 6


def test_a_month_whose_steps_changed_is_rolled_up_again(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(str(YEAR))
    step_figures_of(db, period, rollups=False)
    assert _plain(rolled_step_times(db, period, now=AFTER)) == _rows(db, period)
    # A step recorded afterwards with a March completion (an import, a step entered late): the March rollup no
    # longer matches the rows and is built again; read as it was, the figures would miss this step.
    with db.read() as conn:
        row = conn.execute(select(human_tasks).where(human_tasks.c.state == "completed",
                                                     human_tasks.c.result == "late")
                           .order_by(human_tasks.c.id).limit(1)).one()._asdict()
    march = dt.datetime(YEAR, 3, 10, 3, tzinfo=dt.UTC)
    row.update(id=None, task_uuid=str(uuid.uuid4()), created_at=march - dt.timedelta(days=9), completed_at=march,
               worked_seconds=123456.0)
    with db.write() as conn:
        conn.execute(insert(human_tasks).values({k: v for k, v in row.items() if k != "id"}))
    assert _plain(rolled_step_times(db, period, now=AFTER)) == _rows(db, period)
    # A rollup that no longer matches its rows is never read: one changed by hand is rebuilt as well.
    with db.write() as conn:
        conn.execute(update(step_rollup_months).where(step_rollup_months.c.month == f"{YEAR}-05")
                     .values(steps=step_rollup_months.c.steps + 1))
        conn.execute(update(step_rollups).where(step_rollups.c.month == f"{YEAR}-05").values(count=0))
    assert _plain(rolled_step_times(db, period, now=AFTER)) == _rows(db, period)


def test_the_annual_sla_section_is_the_same_from_rollups_as_from_the_rows(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(str(YEAR))
    with db.read() as conn:
        facts = load_dossiers(conn, period, "either")
        departments = department_of(conn)
    from_rows = build_sla_report(period, facts, step_figures_of(db, period, rollups=False), departments)
    rolled = build_sla_report(period, facts, step_figures_of(db, period), departments)
    assert rolled == from_rows
    assert any(s.late_in_late_dossiers for s in rolled.steps) and any(s.counts.late for s in rolled.steps)


def _dossier_counts_one_by_one(period, facts) -> tuple:
    """The dossier counts of build_sla_report as it added each resolved dossier to its four buckets in turn."""
    from audits.indicators import Counts
    from audits.periods import local_month

    names: dict[str, str] = {}
    received = online = 0
    overall = Counts()
    by_procedure: dict[str, Counts] = {}
    by_unit: dict[str, Counts] = {}
    by_month: dict[str, Counts] = {}
    late: set[int] = set()
    unapologised: list[str] = []
    for f in facts:
        names[f.procedure] = f.procedure_name
        names[f.unit] = f.unit_name
        if period.contains(f.received_at):
            received += 1
            online += f.online
        if f.done_at is None or not period.contains(f.done_at) or f.result is None:
            continue
        for bucket in (overall, by_procedure.setdefault(f.procedure, Counts()), by_unit.setdefault(f.unit, Counts()),
                       by_month.setdefault(local_month(f.done_at), Counts())):
            bucket.add(f.result)
        if f.result == "late":
            late.add(f.instance_id)
            if f.public and not f.apology_signed:
                unapologised.append(f.code)
    return (list(names.items()), received, online, overall, list(by_procedure.items()), list(by_unit.items()),
            sorted(by_month.items()), unapologised)


def test_the_dossier_counts_grouped_first_are_those_added_one_by_one(tmp_path):
    db = demo_copy(tmp_path)
    for label in (str(YEAR), f"{YEAR}-Q1", f"{YEAR}-Q4", f"{YEAR}-11"):
        period = parse_period(label)
        with db.read() as conn:
            facts = load_dossiers(conn, period, "either")
        report = build_sla_report(period, facts, StepTimes(), {})
        got = (list(report.names.items()), report.received, report.received_online, report.overall,
               list(report.by_procedure.items()), list(report.by_unit.items()), list(report.by_month.items()),
               report.late_without_apology)
        assert report.overall.late and report.late_without_apology or label != str(YEAR)
        assert got == _dossier_counts_one_by_one(period, facts), label


def test_the_steps_of_dossiers_received_before_the_period_are_read_from_those_dossiers(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(str(YEAR))
    step_figures_of(db, period, rollups=False)
    expected = _rows(db, period)
    assert _plain(rolled_step_times(db, period, now=AFTER)) == expected  # every month rolled up
    seen: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "human_tasks.worked_seconds" in statement:
            seen.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", keep)
    assert _plain(rolled_step_times(db, period, now=AFTER)) == expected
    [(statement, parameters)] = seen  # the months' steps come from the rollups: only the straddling ones are rows
    with db.read() as conn:
        plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    # Not a walk over every step completed in the year (ix_tasks_completed) to keep those of a few dossiers.
    assert not [p for p in plan if "ix_tasks_completed" in p], plan
    assert [p for p in plan if "ix_tasks_instance" in p], plan


def test_a_read_whose_rollups_are_current_checks_each_month_once(tmp_path):
    db = demo_copy(tmp_path)
    period = parse_period(str(YEAR))
    step_figures_of(db, period, rollups=False)
    expected = _plain(rolled_step_times(db, period, now=AFTER))  # builds the twelve months
    checks: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "count(human_tasks.id)" in statement:
            checks.append(statement)
    event.listen(db.engine, "before_cursor_execute", keep)
    assert _plain(rolled_step_times(db, period, now=AFTER)) == expected
    assert len(checks) == 12  # one count and highest id per month, not a second round before reading


def test_the_scheduler_rolls_up_the_months_just_over_so_no_page_has_to(tmp_path, monkeypatch):
    """The first /audit page or report after a month ends reads a rollup built by the scheduler's pass, not one it
    builds itself (a month of a province's steps takes tens of CPU seconds, too long for a web request)."""
    from processes import step_rollups as module
    from processes.clock import FixedClock
    from processes.scheduler import Scheduler

    db = demo_copy(tmp_path)
    step_figures_of(db, parse_period(str(YEAR)), rollups=False)
    period = parse_period(str(YEAR))
    expected = _rows(db, period)
    scheduler = Scheduler(db, FixedClock(dt.datetime(YEAR + 1, 1, 10, 3, tzinfo=dt.UTC)),
                          sweep=lambda *a, **k: None)
    tick = scheduler.tick()
    assert (tick.rolled_up, tick.errors) == (13, [])  # last year's December and the twelve months of the year
    assert scheduler.tick().rolled_up is None  # not again within the hour

    def no_building(*args: Any) -> bool:
        raise AssertionError("a month was rolled up by the page")
    monkeypatch.setattr(module, "build_month", no_building)
    assert _plain(rolled_step_times(db, period, now=dt.datetime(YEAR + 1, 1, 10, 4, tzinfo=dt.UTC))) == expected


def test_a_failed_rollup_is_reported_and_does_not_stop_the_scheduler(tmp_path, monkeypatch):
    from processes import step_rollups as module
    from processes.clock import FixedClock
    from processes.scheduler import Scheduler

    def broken(*args: Any) -> int:
        raise OSError("disk full")
    monkeypatch.setattr(module, "ensure_rollups", broken)
    swept: list[bool] = []
    tick = Scheduler(demo_copy(tmp_path), FixedClock(AFTER), sweep=lambda *a, **k: swept.append(True)).tick()
    assert swept == [True] and tick.errors == ["rollups: OSError: disk full"] and tick.rolled_up is None
