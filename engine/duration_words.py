"""Time limits as people write them: "15 ngày làm việc", "0,5 ngày", "4 giờ" ⇄ the dialect's ISO 8601 ("P15D").

The BPMN keeps ISO (Camunda reads it); forms and pictures speak words. `to_iso` accepts what an officer
would type (ISO is passed through); `in_words` is the Vietnamese text the pictures and documents print.
Web pages translate through web/labels.duration_text instead, which says the same in the reader's language.
"""

from __future__ import annotations

import re

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_UNITS = {"tuần": "W", "tuan": "W", "ngày": "D", "ngay": "D", "giờ": "H", "gio": "H", "phút": "M", "phut": "M"}
_PART = re.compile(rf"{_NUMBER}\s*(tuần|tuan|ngày|ngay|giờ|gio|phút|phut)\b")
_FILLER = re.compile(r"\b(làm việc|lam viec|và|va)\b|[,;]\s")
_ISO = re.compile(r"^P(?=\d|T\d)(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?"
                  r"(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?)?$")
SAME_DAY = ("trong ngày", "trong ngay", "same_day")


def to_iso(text: str | None) -> str | None:
    """ISO 8601 for "15 ngày làm việc", "0,5 ngày", "1 ngày 4 giờ", "trong ngày" (→ same_day) or ISO itself;
    None when the text is neither."""
    if text is None:
        return None
    raw = " ".join(text.strip().split())
    if not raw:
        return None
    if raw.upper().startswith("P") and _ISO.match(raw.upper()):
        return raw.upper()
    low = raw.lower()
    if low in SAME_DAY:
        return "same_day"
    found = {_UNITS[unit]: number.replace(",", ".") for number, unit in _PART.findall(low)}
    rest = _FILLER.sub(" ", _PART.sub(" ", low)).strip(" ,;")
    if not found or rest:
        return None
    date = "".join(f"{found[u]}{u}" for u in ("W", "D") if u in found)
    time = "".join(f"{found[u]}{u}" for u in ("H", "M") if u in found)
    return f"P{date}" + (f"T{time}" if time else "")


def in_words(iso: str | None) -> str:
    """ "P15D" → "15 ngày làm việc", "PT4H" → "4 giờ làm việc", "P0.5D" → "0,5 ngày làm việc"; other text as it is."""
    if not iso:
        return ""
    if iso.strip().lower() == "same_day":
        return "trong ngày"
    match = _ISO.match(iso.strip().upper())
    if not match:
        return iso
    names = ("tuần", "ngày", "giờ", "phút")
    parts = [f"{value.replace('.', ',')} {name}" for value, name in zip(match.groups(), names, strict=True) if value]
    return " ".join(parts) + " làm việc"
