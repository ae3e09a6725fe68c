"""The administration pages in plain words: the history's details with Vietnamese labels and people, roles and
units by their names (not usernames and codes), role kinds in words, a membership as "role (unit)"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from processes.admin_views import Names
from processes.adminlog import AdminEvent

from .i18n import N_
from .labels import vn_date, vn_time

ROLE_KINDS = {"officer": N_("Cán bộ xử lý"), "leader": N_("Lãnh đạo"), "quality": N_("Quản lý chất lượng"),
              "auditor": N_("Chuyên gia đánh giá"), "admin": N_("Quản trị")}

# The history's detail keys as an administrator reads them, in the order they are shown.
DETAIL_LABELS = {"before": N_("Tên cũ"), "name": N_("Tên"), "kind": N_("Loại"), "role": N_("Vai trò"),
                 "unit": N_("Đơn vị"), "full_name": N_("Họ tên"), "email": N_("Email"), "phone": N_("Điện thoại"),
                 "token": N_("Số hiệu mã"), "expires_at": N_("Hết hạn ngày"), "chains": N_("Số chuỗi nhật ký đã ký"),
                 "made_at": N_("Ký lúc"), "sha256": N_("Dấu vân tay tệp xác nhận (SHA-256)")}
# The target of each kind of action: a person, a role, or the key that signed a checkpoint.
_ROLE_ACTIONS = ("role.add", "role.rename", "role.retire")


@dataclass(frozen=True)
class Named:
    """A thing as a person reads it, with its code beside it in small print (an administrator may need it)."""

    name: str
    code: str = ""


@dataclass(frozen=True)
class HistoryRow:
    """One line of the administration history page."""

    seq: int
    at: dt.datetime
    actor: Named
    action: str
    target: Named
    details: list[tuple[str, str]]


def role_kind(kind: str) -> str:
    """A role's kind in words (an unknown kind as it is)."""
    return _(ROLE_KINDS[kind]) if kind in ROLE_KINDS else kind


def membership(held: str, names: Names) -> str:
    """A membership "role@UNIT" as "role name (unit name)" (names may hold dashes themselves)."""
    role, _at, unit = held.partition("@")
    return f"{names.roles.get(role, role)} ({names.units.get(unit, unit)})"


def person(username: str | None, names: Names) -> Named:
    """A person by their full name, their username in small print; nobody: the system itself."""
    if not username:
        return Named(_("Hệ thống"))
    full = names.people.get(username, "")
    return Named(full, username) if full and full != username else Named(username)


def _value(key: str, value: Any, names: Names) -> str:
    if key == "kind":
        return role_kind(str(value))
    if key == "role":
        return names.roles.get(str(value), str(value))
    if key == "unit":
        return names.units.get(str(value), str(value))
    if key == "expires_at":
        return vn_date(str(value))
    if key == "made_at":
        return vn_time(str(value))
    return "" if value is None else str(value)


def details(payload: dict[str, Any], names: Names) -> list[tuple[str, str]]:
    """The payload of a logged action as (label, value) pairs in words; the units touched are not repeated."""
    shown = [(_(label), _value(key, payload[key], names)) for key, label in DETAIL_LABELS.items()
             if payload.get(key) not in (None, "")]
    shown += [(key, str(value)) for key, value in payload.items() if key not in DETAIL_LABELS and key != "units"]
    return shown


def history_rows(events: list[AdminEvent], actions: dict[str, str], names: Names) -> list[HistoryRow]:
    """The administration log's actions as the history page lists them."""
    rows = []
    for e in events:
        if e.action in _ROLE_ACTIONS:
            target = Named(names.roles.get(e.target) or str(e.payload.get("name") or e.target), e.target)
        elif e.action == "log.anchor":
            target = Named(_("Khóa ký %(key)s", key=e.target[:16]))
        else:
            target = person(e.target, names)
        rows.append(HistoryRow(e.seq, e.at, person(e.actor, names), _(actions[e.action]) if e.action in actions
                               else e.action, target, details(e.payload, names)))
    return rows
