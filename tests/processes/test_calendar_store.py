"""Calendars kept in the database: overrides per year and agency, effective-dated sessions, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from cli.main import main
from engine.calendar import default_calendar
from processes import calendar_store, dossiers, instances
from processes.db import Database
from processes.errors import InvalidInput, NotFound
from processes.setup import initialise, load_demo_organisation

from .sla_helpers import local, vn


def test_without_settings_every_agency_uses_the_shipped_calendar(org):
    assert calendar_store.calendar_of(org) is default_calendar()
    assert calendar_store.calendar_of(org, "X01") is default_calendar()


def test_an_extra_day_off_for_every_agency_moves_due_dates(org, clock):
    calendar_store.add_override(org, clock, dt.date(2026, 1, 9), "day_off", note="Nghỉ bù (quyết định của tỉnh)")
    cal = calendar_store.calendar_of(org, "H01")
    assert cal.is_working_day(dt.date(2026, 1, 9)) is False
    assert cal.day_info(dt.date(2026, 1, 9)).reason.endswith("Nghỉ bù (quyết định của tỉnh)")
    # Thu 8/1 09:00 + 1 working day skips Friday 9/1 and the weekend: Mon 12/1 09:00.
    assert local(cal.add(vn(2026, 1, 8, 9, 0), "P1D")) == "2026-01-12 09:00"
    assert calendar_store.remove_override(org, dt.date(2026, 1, 9)) is True
    assert calendar_store.calendar_of(org) is default_calendar()


def test_an_agency_override_applies_to_that_agency_only(org, deployed, clock):
    calendar_store.add_override(org, clock, dt.date(2026, 1, 10), "working_day", "X01", [["07:30", "11:30"]],
                                "Làm việc thứ Bảy tiếp nhận hồ sơ")
    commune, district = calendar_store.calendar_of(org, "X01"), calendar_store.calendar_of(org, "H01")
    assert commune.sessions_on(dt.date(2026, 1, 10)) == ((dt.time(7, 30), dt.time(11, 30)),)
    assert district.is_working_day(dt.date(2026, 1, 10)) is False
    # A birth registration (same day, 15:00 cut-off) received at the commune on Friday 9/1 at 16:00 counts
    # from the commune's Saturday morning and is due at its close, 11:30.
    deployed("QT-HT-01.bpmn")
    clock.set(vn(2026, 1, 9, 16, 0))
    moved = instances.start(org, "QT-HT-01", {}, "xa.motcua", clock)
    view = dossiers.get(org, moved.instance_id)
    assert (local(view.counted_from), local(view.appointment_at)) == ("2026-01-10 07:30", "2026-01-10 11:30")
    # Its first step (1 office hour, no cut-off for steps) is due at Friday's close: 16:00-17:00 is the hour.
    assert local(dossiers.steps(org, moved.instance_id)[0].due_at) == "2026-01-09 17:00"
    assert [(o["date"], o["agency"]) for o in calendar_store.list_overrides(org, 2026, "X01")] == [
        (dt.date(2026, 1, 10), "X01")]
    assert calendar_store.list_overrides(org, 2026, "H01") == []
    assert calendar_store.list_overrides(org, 2025, "X01") == []


def test_saturday_sessions_from_an_effective_date(org, clock):
    calendar_store.add_rule(org, clock, dt.date(2026, 3, 1), [["07:00", "11:30"], ["13:30", "17:00"]],
                            [["07:30", "11:30"]], agency="H01", note="Tiếp nhận sáng thứ Bảy từ 1/3/2026")
    cal = calendar_store.calendar_of(org, "H01")
    assert cal.is_working_day(dt.date(2026, 2, 28)) is False  # before the rule
    assert cal.day_minutes(dt.date(2026, 3, 7)) == 240  # Saturday morning, 4 hours
    assert calendar_store.calendar_of(org, "X01").is_working_day(dt.date(2026, 3, 7)) is False


def test_a_cutoff_rule_changes_when_counting_starts(org, clock):
    calendar_store.add_rule(org, clock, dt.date(2026, 1, 1), [["07:00", "11:30"], ["13:30", "17:00"]],
                            agency="H01", cutoff="16:00")
    cal = calendar_store.calendar_of(org, "H01")
    assert local(cal.start_of_count(vn(2026, 1, 5, 15, 30))) == "2026-01-05 15:30"


@pytest.mark.parametrize("call, error, message", [
    (lambda db, c: calendar_store.add_override(db, c, dt.date(2026, 1, 10), "holiday"), InvalidInput, "kind must be"),
    (lambda db, c: calendar_store.add_override(db, c, dt.date(2026, 1, 10), "working_day", None, [["07:00", "25:00"]]),
     InvalidInput, "invalid time '25:00'"),
    (lambda db, c: calendar_store.add_override(db, c, dt.date(2026, 1, 10), "day_off", "H01.KTHT"), InvalidInput,
     "is a department"),
    (lambda db, c: calendar_store.add_override(db, c, dt.date(2026, 1, 10), "day_off", "H99"), NotFound,
     "no unit with code 'H99'"),
    (lambda db, c: calendar_store.add_rule(db, c, dt.date(2026, 1, 1), [["11:00", "08:00"]]), InvalidInput,
     "does not end after it starts"),
])
def test_invalid_settings_are_refused(org, clock, call, error, message):
    with pytest.raises(error, match=message):
        call(org, clock)
    assert calendar_store.calendar_of(org) is default_calendar()


def test_a_date_is_overridden_once_per_scope(org, clock):
    calendar_store.add_override(org, clock, dt.date(2026, 1, 9), "day_off")
    calendar_store.add_override(org, clock, dt.date(2026, 1, 9), "working_day", "X01")  # the commune keeps working
    with pytest.raises(InvalidInput, match="already has an override for every agency"):
        calendar_store.add_override(org, clock, dt.date(2026, 1, 9), "day_off")
    assert calendar_store.calendar_of(org, "X01").is_working_day(dt.date(2026, 1, 9)) is True
    assert calendar_store.calendar_of(org, "H01").is_working_day(dt.date(2026, 1, 9)) is False


# ---- quytrinh calendar … ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_db(tmp_path_factory) -> str:
    """A SQLite database with the demo organisation for the command-line tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cal') / 'cli.sqlite'}"
    db = Database(url)
    from processes.clock import FixedClock

    clock = FixedClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    initialise(db, clock)
    load_demo_organisation(db, clock)
    db.dispose()
    return url


def quytrinh(url: str, *args: str):
    return CliRunner().invoke(main, ["--database", url, "calendar", *args])


def test_cli_add_prints_the_due_instant_with_offset(cli_db):
    # Fri 13/2/2026 16:30 + 15 working days: 16-20/2 are Tết, so the 15th working day is Fri 13/3, same hour.
    result = quytrinh(cli_db, "add", "2026-02-13T16:30:00+07:00", "P15D", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"start": "2026-02-13T16:30:00+07:00", "duration": "P15D",
                                         "due": "2026-03-13T16:30:00+07:00", "agency": None}
    # Without an offset the start is Vietnam time; 4 office hours from Monday 08:00 skip the lunch break.
    text = quytrinh(cli_db, "add", "2026-01-05 08:00", "PT4H")
    assert (text.exit_code, text.output) == (0, "2026-01-05T14:00:00+07:00\n")
    utc = quytrinh(cli_db, "add", "2026-01-05T01:00:00+00:00", "P1D")
    assert utc.output == "2026-01-06T08:00:00+07:00\n"


def test_cli_elapsed_gives_working_time(cli_db):
    result = quytrinh(cli_db, "elapsed", "2026-02-13T16:30+07:00", "2026-02-24T09:00+07:00", "--json")
    assert result.exit_code == 0, result.output
    # Fri 16:30-17:00 (0.5 h), Tết week off, Mon 23/2 (8 h), Tue 07:00-09:00 (2 h).
    assert json.loads(result.output) == {"a": "2026-02-13T16:30:00+07:00", "b": "2026-02-24T09:00:00+07:00",
                                         "duration": "PT10H30M", "working_minutes": 630.0, "working_days": 1.3125,
                                         "agency": None}
    back = quytrinh(cli_db, "elapsed", "2026-01-06 09:00", "2026-01-05 16:00")
    assert back.output == "-PT3H (-0.375 working days)\n"


def test_cli_agency_calendar_and_overrides(cli_db):
    assert quytrinh(cli_db, "override", "2026-01-10", "working_day", "--agency", "X01", "--json").exit_code == 0
    commune = quytrinh(cli_db, "add", "2026-01-09T16:00+07:00", "PT2H", "--agency", "X01")
    district = quytrinh(cli_db, "add", "2026-01-09T16:00+07:00", "PT2H", "--agency", "H01")
    assert (commune.output, district.output) == ("2026-01-10T08:00:00+07:00\n", "2026-01-12T08:00:00+07:00\n")
    listed = json.loads(quytrinh(cli_db, "overrides", "2026", "--agency", "X01", "--json").output)
    assert [(o["date"], o["kind"], o["agency"]) for o in listed] == [("2026-01-10", "working_day", "X01")]


@pytest.mark.parametrize("args, code, message", [
    (("add", "2026-01-05T08:00", "P1M"), 6, "years and months are not supported"),
    (("add", "05/01/2026", "P1D"), 6, "is not an ISO 8601 date-time"),
    (("add", "2026-01-05T08:00", "P1D", "--agency", "H99"), 3, "no unit with code 'H99'"),
    (("elapsed", "2026-01-05T08:00", "tomorrow"), 6, "B 'tomorrow' is not an ISO 8601"),
])
def test_cli_errors_are_clear(cli_db, args, code, message):
    result = quytrinh(cli_db, *args)
    assert result.exit_code == code
    assert message in result.output
