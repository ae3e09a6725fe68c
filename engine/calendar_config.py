"""Working-calendar configuration: effective-dated session rules and per-date overrides.

The configuration is plain data (a dict, usually loaded from JSON) so that the shipped default,
an admin's override table and per-agency settings can all be combined by the layers above::

    {
      "name": "default",
      "timezone": "Asia/Ho_Chi_Minh",
      "public_holidays": "VN",            # country code for the `holidays` package, or null
      "cutoff": "15:00",                  # receipts after this count from the next working day
      "rules": [                          # sessions for a date: latest rule with effective_from <= date
        {"effective_from": "2000-01-01",
         "sessions": [["07:00", "11:30"], ["13:30", "17:00"]],   # Monday-Friday
         "saturday_sessions": [],                                # e.g. [["07:30", "11:30"]]
         "note": "..."}
      ],
      "overrides": [                      # beat both the rules and the public holidays
        {"date": "2025-12-31", "kind": "day_off", "note": "..."},
        {"date": "2025-12-27", "kind": "working_day", "note": "...",
         "sessions": [["07:00", "11:30"]]}                       # optional, default: weekday sessions
      ]
    }
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CalendarConfig",
    "DayOverride",
    "OverrideKind",
    "Sessions",
    "SessionRule",
    "load_default_config",
    "parse_config",
]

# Office sessions of one day as (start, end) minutes after local midnight, sorted and disjoint.
Sessions = tuple[tuple[int, int], ...]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_CUTOFF = "15:00"
_TOP_KEYS = {"name", "timezone", "public_holidays", "cutoff", "rules", "overrides", "note"}
_RULE_KEYS = {"effective_from", "sessions", "saturday_sessions", "note"}
_OVERRIDE_KEYS = {"date", "kind", "sessions", "note"}


class OverrideKind(StrEnum):
    """What an admin override does to its date."""

    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


@dataclass(frozen=True)
class SessionRule:
    """Office sessions in force from ``effective_from`` until the next rule starts."""

    effective_from: date
    sessions: Sessions
    saturday_sessions: Sessions = ()
    note: str = ""


@dataclass(frozen=True)
class DayOverride:
    """An admin decision for one date: an extra day off or an extra working day."""

    date: date
    kind: OverrideKind
    sessions: Sessions | None = None
    note: str = ""


@dataclass(frozen=True)
class CalendarConfig:
    """Validated calendar configuration (see the module docstring for the dict format)."""

    name: str
    timezone: ZoneInfo
    public_holidays: str | None
    cutoff: time
    rules: tuple[SessionRule, ...]
    overrides: Mapping[date, DayOverride]

    def rule_for(self, day: date) -> SessionRule | None:
        """The latest rule whose effective_from is on or before ``day`` (None before the first)."""
        found = None
        for rule in self.rules:  # sorted ascending; a handful of entries, so a scan is enough
            if rule.effective_from > day:
                break
            found = rule
        return found


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"calendar config {where}: {message}")


def _check_keys(data: object, allowed: set[str], where: str) -> Mapping:
    if not isinstance(data, Mapping):
        raise _fail(where, f"expected an object, got {type(data).__name__}")
    unknown = set(data) - allowed
    if unknown:
        # A typo such as "effective_form" must not silently fall back to defaults.
        raise _fail(where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    return data


def parse_clock(text: object, where: str) -> time:
    """Parse ``HH:MM`` (24-hour) into a time."""
    if isinstance(text, time):
        return text
    if not isinstance(text, str):
        raise _fail(where, f"expected a time 'HH:MM', got {text!r}")
    try:
        hours, minutes = text.split(":")
        if len(minutes) != 2:
            raise ValueError(text)
        return time(int(hours), int(minutes))
    except ValueError:
        raise _fail(where, f"invalid time {text!r}, expected 'HH:MM' such as '07:30'") from None


def _parse_date(text: object, where: str) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise _fail(where, f"invalid date {text!r}, expected 'YYYY-MM-DD'") from None


def _parse_sessions(raw: object, where: str) -> Sessions:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise _fail(where, f"sessions must be a list of ['HH:MM', 'HH:MM'] pairs, got {raw!r}")
    sessions = []
    for index, pair in enumerate(raw):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise _fail(where, f"session #{index} must be a ['start', 'end'] pair, got {pair!r}")
        opens, closes = (parse_clock(value, where) for value in pair)
        sessions.append((opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute))
    sessions.sort()
    for start, end in sessions:
        if start >= end:
            raise _fail(where, f"session {_clock(start)}-{_clock(end)} does not end after it starts")
    for (_, end), (following, _) in zip(sessions, sessions[1:], strict=False):
        if following < end:
            raise _fail(where, f"sessions overlap at {_clock(following)}")
    return tuple(sessions)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_rule(raw: object, index: int) -> SessionRule:
    where = f"rules[{index}]"
    data = _check_keys(raw, _RULE_KEYS, where)
    if "effective_from" not in data or "sessions" not in data:
        raise _fail(where, "needs 'effective_from' and 'sessions'")
    return SessionRule(
        effective_from=_parse_date(data["effective_from"], where),
        sessions=_parse_sessions(data["sessions"], where),
        saturday_sessions=_parse_sessions(data.get("saturday_sessions", []), where),
        note=str(data.get("note", "")),
    )


def _parse_override(raw: object, index: int) -> DayOverride:
    where = f"overrides[{index}]"
    data = _check_keys(raw, _OVERRIDE_KEYS, where)
    if "date" not in data or "kind" not in data:
        raise _fail(where, "needs 'date' and 'kind'")
    try:
        kind = OverrideKind(data["kind"])
    except ValueError:
        raise _fail(where, f"kind must be 'day_off' or 'working_day', got {data['kind']!r}") from None
    sessions = data.get("sessions")
    if sessions is not None and kind is OverrideKind.DAY_OFF:
        raise _fail(where, "a day_off override cannot have sessions")
    return DayOverride(
        date=_parse_date(data["date"], where),
        kind=kind,
        sessions=None if sessions is None else _parse_sessions(sessions, where),
        note=str(data.get("note", "")),
    )


def _parse_timezone(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("timezone", f"unknown time zone {name!r}") from None


def parse_config(data: Mapping) -> CalendarConfig:
    """Validate a configuration dict and return it in typed form."""
    data = _check_keys(data, _TOP_KEYS, "top level")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, Sequence) or isinstance(raw_rules, str) or not raw_rules:
        raise _fail("rules", "at least one rule with 'effective_from' and 'sessions' is required")
    rules = sorted((_parse_rule(raw, i) for i, raw in enumerate(raw_rules)), key=lambda r: r.effective_from)
    starts = [rule.effective_from for rule in rules]
    if len(set(starts)) != len(starts):
        raise _fail("rules", "two rules share the same effective_from")
    overrides: dict[date, DayOverride] = {}
    for index, raw in enumerate(data.get("overrides") or []):
        override = _parse_override(raw, index)
        if override.date in overrides:
            raise _fail(f"overrides[{index}]", f"{override.date} is overridden twice")
        overrides[override.date] = override
    holidays_code = data.get("public_holidays", "VN")
    return CalendarConfig(
        name=str(data.get("name", "custom")),
        timezone=_parse_timezone(data.get("timezone", DEFAULT_TIMEZONE)),
        public_holidays=None if holidays_code is None else str(holidays_code),
        cutoff=parse_clock(data.get("cutoff", DEFAULT_CUTOFF), "cutoff"),
        rules=tuple(rules),
        overrides=overrides,
    )


@cache
def _default_text() -> str:
    return resources.files("engine").joinpath("calendar_rules/default.json").read_text(encoding="utf-8")


def load_default_config() -> dict:
    """A fresh (mutable) copy of the shipped ``engine/calendar_rules/default.json``."""
    return json.loads(_default_text())
