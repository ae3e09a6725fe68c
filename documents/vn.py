"""Vietnamese text conventions for administrative documents: dates, times, durations, labels."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import overload
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

RESULT_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
CHANNEL_LABELS = {
    "truc_tiep": "Trực tiếp",
    "truc_tuyen": "Trực tuyến",
    "buu_chinh": "Dịch vụ bưu chính công ích",
}
COPY_LABELS = {
    "original": "Bản chính",
    "certified": "Bản sao có chứng thực",
    "photocopy": "Bản sao",
    "electronic": "Bản điện tử",
}
_ISO = re.compile(r"^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?"
                  r"(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$")


def nfc(text: object) -> str:
    """Text in Unicode NFC (precomposed Vietnamese letters), '' for None."""
    return unicodedata.normalize("NFC", "" if text is None else str(text))


@overload
def local(value: dt.datetime) -> dt.datetime: ...
@overload
def local(value: dt.date) -> dt.date: ...
def local(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    """An aware datetime moved to Vietnam time (naive ones are taken as Vietnam time already)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(VN_TZ)
    return value


def as_date(value: dt.datetime | dt.date) -> dt.date:
    """The Vietnam calendar date of a date or datetime."""
    value = local(value)
    return value.date() if isinstance(value, dt.datetime) else value


def short_date(value: dt.datetime | dt.date | None) -> str:
    """'05/01/2026' ('' for None)."""
    return "" if value is None else as_date(value).strftime("%d/%m/%Y")


def long_date(value: dt.datetime | dt.date | None) -> str:
    """'ngày 05 tháng 01 năm 2026' — the form required in the place-and-date line."""
    if value is None:
        return "ngày …… tháng …… năm ……"
    d = as_date(value)
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def place_date(place: str | None, value: dt.datetime | dt.date | None) -> str:
    """'Đông Anh, ngày 05 tháng 01 năm 2026'."""
    return f"{nfc(place) or '……'}, {long_date(value)}"


def clock_time(value: dt.datetime | None) -> str:
    """'14 giờ 30 phút' in Vietnam time ('' for None)."""
    if value is None:
        return ""
    t = local(value)
    return f"{t.hour:02d} giờ {t.minute:02d} phút"


def date_time(value: dt.datetime | dt.date | None) -> str:
    """'14 giờ 30 phút, ngày 05/01/2026' (just the date for a date)."""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return f"ngày {short_date(value)}"
    return f"{clock_time(value)}, ngày {short_date(value)}"


def _number(text: str) -> str:
    text = text.replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def duration_vn(iso: str | None, calendar_days: bool = False) -> str:
    """An ISO 8601 step limit in Vietnamese: 'P0.5D' → '0,5 ngày làm việc', 'PT4H' → '4 giờ làm việc'."""
    if not iso:
        return "Không quy định"
    text = iso.strip().strip("'\"")
    if text.lower() == "same_day":
        return "Trong ngày làm việc"
    match = _ISO.match(text.upper())
    if not match or not any(match.groups()):
        return text
    weeks, days, hours, minutes, seconds = match.groups()
    parts = []
    if weeks:
        parts.append(f"{_number(weeks)} tuần")
    if days:
        parts.append(f"{_number(days)} ngày")
    if hours:
        parts.append(f"{_number(hours)} giờ")
    if minutes:
        parts.append(f"{_number(minutes)} phút")
    if seconds:
        parts.append(f"{_number(seconds)} giây")
    return " ".join(parts) + ("" if calendar_days else " làm việc")


def result_label(result: str | None) -> str:
    """'Trước hạn' / 'Đúng hạn' / 'Quá hạn' for early / on_time / late ('' otherwise)."""
    return RESULT_LABELS.get(result or "", nfc(result or ""))


def channel_label(channel: str | None) -> str:
    """The Vietnamese name of a submission channel code."""
    return CHANNEL_LABELS.get(channel or "", nfc(channel or ""))


def copy_label(kind: str | None) -> str:
    """The Vietnamese name of a document copy kind (original, certified copy, photocopy)."""
    return COPY_LABELS.get(kind or "", nfc(kind or ""))
