"""Working calendars per agency, kept in the database: admin overrides and effective-dated rules.

The shipped default (engine/calendar_rules/default.json: Monday-Friday 07:00-11:30 and 13:30-17:00,
Vietnamese public holidays) is the base. On top of it an admin records

* **overrides** for single dates (an extra day off, an extra working day, optionally with its own
  sessions), for every agency (no agency) or for one agency;
* **rules**: office sessions (and Saturday sessions, and optionally a receipt cut-off) in force
  from a date on, for every agency or for one agency.

The calendar of an agency merges base, then every-agency entries, then the agency's own entries:
rules by effective date (on the same date the narrower scope wins), overrides by date (idem), the
cut-off of the last rule that sets one. Calendars are cached per database and rebuilt when any
rule or override changes.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import weakref
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select
from sqlalchemy.engine import Engine

from engine.calendar import WorkingCalendar, default_calendar
from engine.calendar_config import load_default_config, parse_config

from .clock import Clock
from .db import Database
from .errors import InvalidInput, NotFound
from .fastsql import Fast
from .generations import CALENDAR, bump, on_new_epoch
from .inserted import inserted_id
from .runtime_schema import cache_generations
from .schema import calendar_overrides, calendar_rules, units

OVERRIDE_KINDS = ("day_off", "working_day")

_lock = threading.Lock()
_calendars: weakref.WeakKeyDictionary[Engine, dict[tuple, WorkingCalendar]] = weakref.WeakKeyDictionary()
_agencies: weakref.WeakKeyDictionary[Engine, dict[int, int | None]] = weakref.WeakKeyDictionary()
_FINGERPRINT = Fast(select(
    select(func.count(calendar_rules.c.id)).scalar_subquery(),
    select(func.coalesce(func.max(calendar_rules.c.id), 0)).scalar_subquery(),
    select(func.count(calendar_overrides.c.id)).scalar_subquery(),
    select(func.coalesce(func.max(calendar_overrides.c.id), 0)).scalar_subquery(),
    # Counts and highest ids miss a replaced row (SQLite reuses a deleted row's id): every change writes a
    # new token too (processes.generations), seen by every process in the same query.
    select(cache_generations.c.token).where(cache_generations.c.name == CALENDAR).scalar_subquery(),
))


def _forget(db: Database) -> None:
    """A new epoch (a restored database): unit ids and calendars may mean something else now."""
    with _lock:
        _calendars.pop(db.engine, None)
        _agencies.pop(db.engine, None)


on_new_epoch(_forget)


def _agency_of_code(conn: Connection, code: str | None) -> int | None:
    """The id of the agency named by `code` (None: every agency); a department code is refused."""
    if code is None:
        return None
    row = conn.execute(select(units.c.id, units.c.kind, units.c.path, units.c.agency_path)
                       .where(units.c.code == code)).first()
    if row is None:
        raise NotFound(f"no unit with code '{code}'")
    if row.path != row.agency_path:
        raise InvalidInput(f"'{code}' is a department; calendars are kept per agency")
    return row.id


def agency_id_of(conn: Connection, unit_id: int | None) -> int | None:
    """The id of the agency a unit belongs to (cached: a unit never changes agency)."""
    if unit_id is None:
        return None
    known = _agencies.setdefault(conn.engine, {})
    if unit_id not in known:
        agency = units.alias("agency")
        known[unit_id] = conn.execute(
            select(agency.c.id).select_from(units.join(agency, agency.c.path == units.c.agency_path))
            .where(units.c.id == unit_id)).scalar()
    return known[unit_id]


def _sessions(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def config_for(conn: Connection, agency_id: int | None) -> dict[str, Any]:
    """The merged calendar configuration of an agency (None: the every-agency calendar)."""
    config = load_default_config()
    scopes = [None] if agency_id is None else [None, agency_id]
    rules = {str(r["effective_from"]): r for r in config["rules"]}
    overrides = {str(o["date"]): o for o in config.get("overrides", [])}
    cutoff = config.get("cutoff")
    for scope in scopes:
        cond = calendar_rules.c.unit_id.is_(None) if scope is None else calendar_rules.c.unit_id == scope
        for r in conn.execute(select(calendar_rules).where(cond).order_by(calendar_rules.c.effective_from,
                                                                          calendar_rules.c.id)):
            rules[r.effective_from.isoformat()] = {
                "effective_from": r.effective_from.isoformat(), "sessions": _sessions(r.sessions),
                "saturday_sessions": _sessions(r.saturday_sessions) or [], "note": r.note}
            cutoff = r.cutoff or cutoff
        cond = calendar_overrides.c.unit_id.is_(None) if scope is None else calendar_overrides.c.unit_id == scope
        for o in conn.execute(select(calendar_overrides).where(cond).order_by(calendar_overrides.c.day)):
            entry = {"date": o.day.isoformat(), "kind": o.kind, "note": o.note}
            if o.sessions is not None:
                entry["sessions"] = _sessions(o.sessions)
            overrides[o.day.isoformat()] = entry
    config.update(rules=[rules[k] for k in sorted(rules)], overrides=[overrides[k] for k in sorted(overrides)],
                  cutoff=cutoff, name=config.get("name", "default") + ("" if agency_id is None else f"+{agency_id}"))
    return config


def calendar_for(conn: Connection, unit_id: int | None = None) -> WorkingCalendar:
    """The working calendar of the agency a unit belongs to (the default when nothing is stored)."""
    # One look at the settings per transaction: a use case asks several times for the same unit.
    transaction = conn.get_transaction()
    memo = conn.info.get("quytrinh.calendar")
    if memo is not None and memo[0] is transaction and memo[1] == unit_id:
        return memo[2]
    found = _calendar_for(conn, unit_id)
    conn.info["quytrinh.calendar"] = (transaction, unit_id, found)
    return found


def _calendar_for(conn: Connection, unit_id: int | None) -> WorkingCalendar:
    fingerprint = tuple(_FINGERPRINT.execute(conn).rows[0])  # aggregates: always one row
    if fingerprint[0] == 0 and fingerprint[2] == 0:
        return default_calendar()
    agency_id = agency_id_of(conn, unit_id)
    key = (agency_id, fingerprint)
    with _lock:
        cached = _calendars.setdefault(conn.engine, {})
        found = cached.get(key)
    if found is None:
        found = WorkingCalendar.from_config(config_for(conn, agency_id))
        with _lock:
            stale = [k for k in cached if k[1] != fingerprint]
            for k in stale:
                cached.pop(k, None)
            cached[key] = found
    return found


def calendar_of(db: Database, agency: str | None = None) -> WorkingCalendar:
    """The calendar of an agency given by its code (None: the every-agency calendar)."""
    with db.read() as conn:
        return calendar_for(conn, _agency_of_code(conn, agency))


def _check(conn: Connection, agency_id: int | None, extra: dict[str, Any]) -> None:
    """Refuse an entry that would make the agency's configuration invalid."""
    config = config_for(conn, agency_id)
    if "rule" in extra:
        config["rules"] = [r for r in config["rules"] if r["effective_from"] != extra["rule"]["effective_from"]]
        config["rules"].append(extra["rule"])
    if "override" in extra:
        config["overrides"] = [o for o in config["overrides"] if o["date"] != extra["override"]["date"]]
        config["overrides"].append(extra["override"])
    if extra.get("cutoff"):
        config["cutoff"] = extra["cutoff"]
    try:
        parse_config(config)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def add_override(db: Database, clock: Clock, day: dt.date, kind: str, agency: str | None = None,
                 sessions: list[list[str]] | None = None, note: str = "", actor: str | None = None) -> int:
    """Record an extra day off or working day (for one agency, or for all); return its id."""
    if kind not in OVERRIDE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(OVERRIDE_KINDS)}, not '{kind}'")
    with db.write() as conn:
        agency_id = _agency_of_code(conn, agency)
        scope = _scope(calendar_overrides, agency_id)
        if conn.execute(select(calendar_overrides.c.id).where(scope, calendar_overrides.c.day == day)).first():
            raise InvalidInput(f"{day.isoformat()} already has an override for {agency or 'every agency'}; "
                               "remove it first")
        entry: dict[str, Any] = {"date": day.isoformat(), "kind": kind, "note": note}
        if sessions is not None:
            entry["sessions"] = sessions
        _check(conn, agency_id, {"override": entry})
        bump(conn, CALENDAR)
        return inserted_id(conn.execute(insert(calendar_overrides).values(
            unit_id=agency_id, day=day, kind=kind, note=note, created_by=actor, created_at=clock.now(),
            sessions=None if sessions is None else json.dumps(sessions))))


def remove_override(db: Database, day: dt.date, agency: str | None = None) -> bool:
    """Delete the override of a date (for one agency, or for all); True when there was one."""
    with db.write() as conn:
        agency_id = _agency_of_code(conn, agency)
        result = conn.execute(delete(calendar_overrides).where(_scope(calendar_overrides, agency_id),
                                                               calendar_overrides.c.day == day))
        bump(conn, CALENDAR)
        return result.rowcount > 0


def list_overrides(db: Database, year: int, agency: str | None = None) -> list[dict[str, Any]]:
    """The overrides of a year that apply to an agency (its own and the every-agency ones)."""
    with db.read() as conn:
        agency_id = _agency_of_code(conn, agency)
        cond: ColumnElement[bool] = calendar_overrides.c.unit_id.is_(None)
        if agency_id is not None:
            cond = cond | (calendar_overrides.c.unit_id == agency_id)
        joined = calendar_overrides.outerjoin(units, units.c.id == calendar_overrides.c.unit_id)
        rows = conn.execute(select(calendar_overrides, units.c.code).select_from(joined)
                            .where(cond, calendar_overrides.c.day >= dt.date(year, 1, 1),
                                   calendar_overrides.c.day <= dt.date(year, 12, 31))
                            .order_by(calendar_overrides.c.day))
        return [{"date": r.day, "kind": r.kind, "agency": r.code, "sessions": _sessions(r.sessions), "note": r.note}
                for r in rows]


def add_rule(db: Database, clock: Clock, effective_from: dt.date, sessions: list[list[str]],
             saturday_sessions: list[list[str]] | None = None, agency: str | None = None,
             cutoff: str | None = None, note: str = "", actor: str | None = None) -> int:
    """Office sessions in force from a date on (for one agency, or for all); return its id."""
    with db.write() as conn:
        agency_id = _agency_of_code(conn, agency)
        rule = {"effective_from": effective_from.isoformat(), "sessions": sessions,
                "saturday_sessions": saturday_sessions or [], "note": note}
        _check(conn, agency_id, {"rule": rule, "cutoff": cutoff})
        conn.execute(delete(calendar_rules).where(_scope(calendar_rules, agency_id),
                                                  calendar_rules.c.effective_from == effective_from))
        bump(conn, CALENDAR)
        return inserted_id(conn.execute(insert(calendar_rules).values(
            unit_id=agency_id, effective_from=effective_from, sessions=json.dumps(sessions),
            saturday_sessions=json.dumps(saturday_sessions or []), cutoff=cutoff, note=note,
            created_by=actor, created_at=clock.now())))


def _scope(table, agency_id: int | None):
    return table.c.unit_id.is_(None) if agency_id is None else table.c.unit_id == agency_id
