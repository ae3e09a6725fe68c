"""What an agency prints on its forms: the place of "……, ngày … tháng … năm …" and its receipt number series
(issue 13 item 10: the receipt left both blank).

Without a settings row the place is read from the agency's name ("UBND huyện An Phú" → "An Phú") and the
receipt suffix is TNHS (tiếp nhận hồ sơ). A receipt's number is the dossier's rank among the agency's
citizens' dossiers received in the same calendar year — "Số: 15/TNHS" — so every reprint shows the same
number and internal cases take none of the citizens' numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from .citizen_scope import citizens_only, internal_codes
from .clock import Clock, SystemClock
from .db import Database
from .keys import VN
from .notice_schema import agency_settings
from .schema import dossiers, units

DEFAULT_SUFFIX = "TNHS"
# "UBND huyện An Phú (demo)", "Ủy ban nhân dân xã An Hòa": the place is what follows the level word
_LEVEL = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường)\s+(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    """An agency's form settings (stored, or derived from its name)."""

    place: str
    receipt_suffix: str


def place_from_name(name: str) -> str:
    """The place named in an agency's name, without a trailing "(…)" note; '' when none is named."""
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()
    found = _LEVEL.search(bare)
    return found.group(2).strip() if found else ""


def settings_of(conn: Connection, unit_id: int) -> Settings:
    """The settings of the agency `unit_id` (a case's unit)."""
    row = conn.execute(select(agency_settings.c.place, agency_settings.c.receipt_suffix)
                       .where(agency_settings.c.unit_id == unit_id)).first()
    if row is not None:
        return Settings(row.place, row.receipt_suffix)
    name = conn.execute(select(units.c.name).where(units.c.id == unit_id)).scalar() or ""
    return Settings(place_from_name(name), DEFAULT_SUFFIX)


def set_settings(db: Database, unit_code: str, place: str, receipt_suffix: str = DEFAULT_SUFFIX,
                 clock: Clock | None = None) -> Settings:
    """Store an agency's place and receipt suffix."""
    now = (clock or SystemClock()).now()
    chosen = Settings(place.strip()[:200], receipt_suffix.strip()[:40] or DEFAULT_SUFFIX)
    values = {"place": chosen.place, "receipt_suffix": chosen.receipt_suffix, "updated_at": now}
    with db.write() as conn:
        unit_id = conn.execute(select(units.c.id).where(units.c.code == unit_code)).scalar_one()
        if not conn.execute(update(agency_settings).where(agency_settings.c.unit_id == unit_id)
                            .values(**values)).rowcount:
            conn.execute(insert(agency_settings).values(unit_id=unit_id, **values))
    return chosen


def receipt_number(conn: Connection, instance_id: int, suffix: str) -> str:
    """"15/TNHS": the dossier's rank in its agency's citizens' dossiers of its year ('' for an internal case)."""
    me = conn.execute(select(dossiers.c.id, dossiers.c.unit_id, dossiers.c.received_at, dossiers.c.procedure)
                      .where(dossiers.c.instance_id == instance_id)).first()
    if me is None:
        return ""
    if me.procedure in internal_codes(conn):
        return ""
    scope = citizens_only(conn, dossiers.c.procedure)
    year = me.received_at.astimezone(VN).year
    start = dt.datetime(year, 1, 1, tzinfo=VN).astimezone(dt.UTC)
    rank = conn.execute(select(func.count()).select_from(dossiers).where(
        dossiers.c.unit_id == me.unit_id, dossiers.c.received_at >= start, scope,
        or_(dossiers.c.received_at < me.received_at,
            and_(dossiers.c.received_at == me.received_at, dossiers.c.id <= me.id)))).scalar_one()
    return f"{rank}/{suffix}"
