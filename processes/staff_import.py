"""Bulk import of staff and their roles from the staff list an agency keeps (XLSX or CSV).

Columns (Vietnamese headers, any case, with or without diacritics, in any order, under optional title rows):
họ tên, tên đăng nhập, email, điện thoại, đơn vị, vai trò. One row per person and unit; "vai trò" may name
several roles separated by "," or ";"; units and roles by code or by name. A person on several rows gets
every role listed. `preview` says what would be created and changed and lists each wrong row in Vietnamese;
`apply` does it in one unit of work, and stores nothing at all when any row is wrong. Nobody's roles are
taken away: a person missing from the list keeps what they hold (revoking is an administrator's decision).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import Connection, select

from .admin import Actor, Administrator, administrator, user_unit_paths
from .admin import grant_in as grant_membership_in
from .admin_users import Created, clean_contact, create_user_in, edit_user_in
from .clock import Clock
from .db import Database
from .errors import InvalidInput, ServiceError
from .schema import memberships, roles, units, users
from .uow import UnitOfWork, unit_of_work

MAX_BYTES = 5_000_000
MAX_ROWS = 5000
COLUMNS = {  # field -> accepted headers, folded (lower case, no diacritics)
    "full_name": ("ho ten", "ho va ten"),
    "username": ("ten dang nhap", "tai khoan"),
    "email": ("email", "e-mail", "thu dien tu"),
    "phone": ("dien thoai", "so dien thoai"),
    "unit": ("don vi", "ma don vi"),
    "role": ("vai tro", "ma vai tro"),
}
REQUIRED = ("full_name", "username", "unit", "role")
_USERNAME = re.compile(r"^[a-z0-9_.-]{2,80}$")
# What is wrong with a row, in the words the agency's staff read (code -> Vietnamese text).
TEXTS = {
    "required": "thiếu {column}",
    "username_invalid": "tên đăng nhập «{value}» chỉ được gồm chữ thường không dấu, chữ số và . _ - (2–80 ký tự)",
    "email_invalid": "email «{value}» không hợp lệ",
    "phone_invalid": "số điện thoại «{value}» không hợp lệ",
    "unit_unknown": "không có đơn vị «{value}»",
    "unit_outside": "đơn vị «{value}» nằm ngoài phạm vi bạn quản trị",
    "role_unknown": "không có vai trò «{value}»",
    "role_retired": "vai trò «{value}» đã ngừng sử dụng",
    "user_outside": "tài khoản {value} đang giữ vai trò ở đơn vị ngoài phạm vi bạn quản trị",
    "user_inactive": "tài khoản {value} đã bị khóa; mở khóa trước khi nhập",
    "user_differs": "tài khoản {value} có {column} khác với dòng {other}",
}
LABELS = {"full_name": "họ tên", "username": "tên đăng nhập", "email": "email", "phone": "điện thoại",
          "unit": "đơn vị", "role": "vai trò"}


@dataclass(frozen=True)
class RowProblem:
    """One wrong cell of the file: its row number (as the spreadsheet shows it), a code and the Vietnamese text."""

    row: int
    code: str
    params: dict[str, Any]

    @property
    def message(self) -> str:
        return TEXTS[self.code].format(**self.params)

    @property
    def text(self) -> str:
        return f"Dòng {self.row}: {self.message}"


def report(problems: list[RowProblem]) -> dict[str, str]:
    """One Vietnamese line per wrong row ("row N" → "Dòng N: this; that"), in row order."""
    rows: dict[int, list[str]] = {}
    for p in problems:
        rows.setdefault(p.row, []).append(p.message)
    return {f"row {n}": f"Dòng {n}: " + "; ".join(texts) for n, texts in sorted(rows.items())}


@dataclass
class ImportPlan:
    """What an import would do (preview) or did (apply)."""

    create: list[str] = field(default_factory=list)
    update: dict[str, dict[str, str | None]] = field(default_factory=dict)
    grant: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, unit code
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    created: list[Created] = field(default_factory=list)  # after apply: new accounts and their temporary passwords


def fold(text: Any) -> str:
    """Lower case, without diacritics (đ → d), single spaces: how headers and names are compared."""
    plain = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).lower().split())


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (row number, {field: text}) below the header row; InvalidInput when unreadable."""
    if len(data) > MAX_BYTES:
        raise InvalidInput.of("import_unreadable", {"file": "too large"}, reason="file larger than 5 MB")
    cells = _xlsx(data) if filename.lower().endswith((".xlsx", ".xlsm")) else _csv(data)
    for index, header in enumerate(cells[:20]):
        found = {f: i for i, h in enumerate(header) for f, names in COLUMNS.items() if fold(h) in names}
        if len(found) >= 3:
            missing = [LABELS[f] for f in REQUIRED if f not in found]
            if missing:
                raise InvalidInput.of("import_columns_missing", {"file": "columns"}, columns=", ".join(missing))
            out = []
            for number, values in enumerate(cells[index + 1:], start=index + 2):
                row = {f: str(values[i]).replace("\x00", "").strip() if i < len(values) and values[i] is not None
                       else "" for f, i in found.items()}
                if any(row.values()):
                    out.append((number, row))
            if len(out) > MAX_ROWS:
                raise InvalidInput.of("import_unreadable", {"file": "too long"}, reason=f"more than {MAX_ROWS} rows")
            return out
    raise InvalidInput.of("import_columns_missing", {"file": "columns"},
                          columns=", ".join(LABELS[f] for f in REQUIRED))


def _xlsx(data: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise InvalidInput.of("import_unreadable", {"file": "unreadable"}, reason=type(exc).__name__) from None
    sheet = book.worksheets[0]
    rows = [list(r) for _, r in zip(range(MAX_ROWS + 30), sheet.iter_rows(values_only=True), strict=False)]
    book.close()
    return rows


def _csv(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly any byte string
        raise InvalidInput.of("import_unreadable", {"file": "encoding"}, reason="unknown text encoding")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _lookup(conn: Connection, table, code_col, name_col) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for r in conn.execute(select(table)):
        found.setdefault(fold(getattr(r, name_col)), r)
    for r in conn.execute(select(table)):
        found[fold(getattr(r, code_col))] = r  # a code wins over a name that folds the same
    return found


def plan(conn: Connection, admin: Administrator, rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """What importing these rows would do, and every wrong row (nothing is written)."""
    result = ImportPlan()
    unit_of = _lookup(conn, units, "code", "name")
    role_of = _lookup(conn, roles, "code", "name")
    existing = {r.username: r for r in conn.execute(select(users))}
    held = {(u, r, c) for u, r, c in conn.execute(
        select(users.c.username, memberships.c.role_code, units.c.code)
        .join(memberships, memberships.c.user_id == users.c.id).join(units, units.c.id == memberships.c.unit_id))}
    first_row: dict[str, tuple[int, dict[str, str]]] = {}
    for number, row in rows:
        problems = [RowProblem(number, "required", {"column": LABELS[f]}) for f in REQUIRED if not row.get(f)]
        username = row.get("username", "").lower()
        if username and not _USERNAME.match(username):
            problems.append(RowProblem(number, "username_invalid", {"value": row["username"]}))
        for key in ("email", "phone"):
            try:
                clean_contact(**{key: row.get(key), "email" if key == "phone" else "phone": None})
            except ServiceError:
                problems.append(RowProblem(number, f"{key}_invalid", {"value": row.get(key, "")}))
        unit = unit_of.get(fold(row.get("unit"))) if row.get("unit") else None
        if row.get("unit") and unit is None:
            problems.append(RowProblem(number, "unit_unknown", {"value": row["unit"]}))
        elif unit is not None and not admin.covers(unit.path):
            problems.append(RowProblem(number, "unit_outside", {"value": row["unit"]}))
        wanted = []
        for name in filter(None, (p.strip() for p in re.split(r"[,;]", row.get("role", "")))):
            role = role_of.get(fold(name))
            if role is None:
                problems.append(RowProblem(number, "role_unknown", {"value": name}))
            elif role.retired_at is not None:
                problems.append(RowProblem(number, "role_retired", {"value": name}))
            else:
                wanted.append(role.code)
        current = existing.get(username)
        if current is not None and not current.active:
            problems.append(RowProblem(number, "user_inactive", {"value": username}))
        elif current is not None and not all(admin.covers(p) for p in user_unit_paths(conn, username)):
            problems.append(RowProblem(number, "user_outside", {"value": username}))
        if username in first_row:
            other_number, other = first_row[username]
            for key in ("full_name", "email", "phone"):
                if row.get(key) and other.get(key) and row[key] != other[key]:
                    problems.append(RowProblem(number, "user_differs", {"value": username, "column": LABELS[key],
                                                                         "other": other_number}))
        else:
            first_row[username] = (number, row)
        result.problems.extend(problems)
        if problems or unit is None:
            continue
        if current is None and username not in result.create:
            result.create.append(username)
        elif current is not None:
            changes = {k: row[k] for k in ("full_name", "email", "phone")
                       if row.get(k) and getattr(current, k) != row[k]}
            if changes:
                result.update.setdefault(username, {}).update(changes)
        for code in wanted:
            if (username, code, unit.code) in held or (username, code, unit.code) in result.grant:
                result.unchanged += 1
            else:
                result.grant.append((username, code, unit.code))
    return result


def preview(db: Database, actor: Actor, filename: str, data: bytes) -> ImportPlan:
    """What the file would create and change, and its wrong rows; nothing is written."""
    rows = read_rows(filename, data)
    with db.read() as conn:
        return plan(conn, administrator(conn, actor), rows)


def apply_in(uow: UnitOfWork, actor: Actor, rows: list[tuple[int, dict[str, str]]], clock: Clock) -> ImportPlan:
    """Core of apply: InvalidInput listing every wrong row (in Vietnamese) before anything is written."""
    now = clock.now()
    result = plan(uow.conn, administrator(uow.conn, actor), rows)
    if result.problems:
        errors = report(result.problems)
        raise InvalidInput.of("import_rows_invalid", errors, count=len(errors))
    first: dict[str, dict[str, str]] = {}
    for _, row in rows:
        first.setdefault(row["username"].lower(), row)
    for username in result.create:
        row = first[username]
        result.created.append(create_user_in(uow, actor, username, row["full_name"], now, row.get("email"),
                                             row.get("phone")))
    for username, changes in result.update.items():
        edit_user_in(uow, actor, username, now, changes.get("full_name"), changes.get("email"), changes.get("phone"))
    for username, role, unit in result.grant:
        grant_membership_in(uow, actor, username, role, unit, now)
    return result


def apply(db: Database, actor: Actor, filename: str, data: bytes, clock: Clock) -> ImportPlan:
    """Create the accounts, update the contacts and grant the roles of the file, all or nothing."""
    rows = read_rows(filename, data)
    with unit_of_work(db) as uow:
        return apply_in(uow, actor, rows, clock)
