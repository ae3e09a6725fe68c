"""Working-calendar commands: due instants, working time between instants, admin overrides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

import click

from engine.calendar import WorkingCalendar
from engine.durations import WorkingDuration, parse_duration
from processes import calendar_store
from processes.clock import SystemClock
from processes.db import Database
from processes.errors import InvalidInput

from .output import emit, handled, json_option


def _instant(text: str, calendar: WorkingCalendar, name: str) -> dt.datetime:
    """An ISO 8601 instant; without an offset it is read in the calendar's zone (Vietnam time)."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise InvalidInput(f"{name} '{text}' is not an ISO 8601 date-time such as 2026-02-13T16:30+07:00") from None
    return value.replace(tzinfo=calendar.timezone) if value.tzinfo is None else value


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date YYYY-MM-DD") from None


def _iso_minutes(minutes: Fraction) -> str:
    """Office time as an ISO duration in hours and minutes (PT20H30M)."""
    return str(WorkingDuration(minutes=minutes)) if minutes else "PT0M"


def calendar_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach the `calendar` command group to the main group."""

    @main.group()
    def calendar() -> None:
        """Working-time calendar: due instants, elapsed working time, overrides."""

    @calendar.command("add")
    @click.argument("start")
    @click.argument("duration")
    @click.option("--agency", default=None, help="Agency code (default: the calendar of every agency).")
    @json_option
    @click.pass_context
    @handled
    def calendar_add(ctx, start, duration, agency, as_json):
        """Print the due instant of DURATION (P15D, P0.5D, PT4H) counted from START."""
        cal = calendar_store.calendar_of(get_db(ctx), agency)
        begin = _instant(start, cal, "START")
        try:
            amount = parse_duration(duration)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        due = cal.add(begin, amount)
        emit(as_json, {"start": begin.isoformat(), "duration": str(amount), "due": due.isoformat(),
                       "agency": agency}, due.isoformat())

    @calendar.command("elapsed")
    @click.argument("a")
    @click.argument("b")
    @click.option("--agency", default=None, help="Agency code (default: the calendar of every agency).")
    @json_option
    @click.pass_context
    @handled
    def calendar_elapsed(ctx, a, b, agency, as_json):
        """Print the working time between instants A and B (negative when B is before A)."""
        cal = calendar_store.calendar_of(get_db(ctx), agency)
        first, second = _instant(a, cal, "A"), _instant(b, cal, "B")
        office = cal.elapsed(first, second)
        minutes = Fraction(int(office.total_seconds()), 60)
        days = cal.elapsed_days(first, second)
        text = ("-" if minutes < 0 else "") + _iso_minutes(abs(minutes))
        emit(as_json, {"a": first.isoformat(), "b": second.isoformat(), "duration": text,
                       "working_minutes": float(minutes), "working_days": float(days), "agency": agency},
             f"{text} ({float(days):g} working days)")

    @calendar.command("override")
    @click.argument("day")
    @click.argument("kind", type=click.Choice(calendar_store.OVERRIDE_KINDS))
    @click.option("--agency", default=None, help="Agency code (default: every agency).")
    @click.option("--note", default="")
    @click.option("--as", "actor", default=None)
    @json_option
    @click.pass_context
    @handled
    def calendar_override(ctx, day, kind, agency, note, actor, as_json):
        """Make DAY an extra day off or working day."""
        calendar_store.add_override(get_db(ctx), SystemClock(), _day(day), kind, agency, None, note, actor)
        emit(as_json, {"date": day, "kind": kind, "agency": agency}, f"{day}: {kind} ({agency or 'every agency'})")

    @calendar.command("overrides")
    @click.argument("year", type=int)
    @click.option("--agency", default=None)
    @json_option
    @click.pass_context
    @handled
    def calendar_overrides(ctx, year, agency, as_json):
        """List the overrides of YEAR."""
        rows = calendar_store.list_overrides(get_db(ctx), year, agency)
        emit(as_json, rows, lambda: "\n".join(
            f"{r['date']}  {r['kind']:<12} {r['agency'] or '*':<8} {r['note']}" for r in rows) or "no overrides")
