"""The what-if as a background job (issue 18, the draft version's page and the API): params in, plain data out.

jobs/kinds.py runs it as the kind "what_if". The params name the procedure, the version to compare with
the one in force (a draft of the catalogue or a deployed version), the year and the roster changes
(role code → holders added or removed). `check` is called before the job is queued, so that a bad
request — an unknown version or role, a draft with a dead end — is refused at once and nothing is stored;
the worker checks again (the draft may have changed meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.xml import load_xml
from processes.db import Database
from processes.errors import InvalidInput, NotFound
from processes.organisation import role_directory
from processes.version_status import OPEN
from processes.versions import list_versions, version_xml

from .fit_db import version_graph
from .whatif import check_draft, what_if

ROSTER_LIMIT = 50  # holders added or removed per role: beyond this a typing mistake is likelier than a plan


def _number(params: dict[str, Any], key: str, field: str, low: int, high: int) -> int:
    try:
        value = int(params[key])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number", {key: f"{field} không hợp lệ"}) from None
    if not low <= value <= high:
        raise InvalidInput(f"{key} out of range", {key: f"{field} phải từ {low} đến {high}"})
    return value


def roster_of(params: dict[str, Any]) -> dict[str, int]:
    """The roster changes of the params, checked as numbers; zero changes left out."""
    raw = params.get("roster") or {}
    if not isinstance(raw, dict):
        raise InvalidInput("roster must map roles to numbers", {"roster": "Thay đổi nhân sự không hợp lệ"})
    changes = {}
    for role, delta in raw.items():
        n = _number({"d": delta}, "d", f"Thay đổi nhân sự của vai trò {role}", -ROSTER_LIMIT, ROSTER_LIMIT)
        if n:
            changes[str(role)] = n
    return changes


def describe(params: dict[str, Any]) -> str:
    """The job's title (Vietnamese); InvalidInput when the params make no sense."""
    missing = [k for k in ("code", "version", "year") if params.get(k) in (None, "")]
    if missing:
        raise InvalidInput(f"thiếu {', '.join(missing)}", {k: "Chưa nhập" for k in missing})
    year = _number(params, "year", "Năm mô phỏng", 2000, 2100)
    version = _number(params, "version", "Phiên bản", 1, 1_000_000)
    return f"Dự báo tác động năm {year}: {params['code']} phiên bản {version} so với phiên bản đang áp dụng"


def _is_open(db: Database, code: str, number: int) -> bool:
    """Whether the version is not in force yet (draft, in review, approved): it is checked like a draft."""
    try:
        states = {v["version"]: v.get("status") for v in list_versions(db, code)}
    except NotFound:  # deployed from a file, not managed in the catalogue
        return False
    return states.get(number) in OPEN


def check(db: Database, params: dict[str, Any]) -> None:
    """Refuse, before anything is queued, what the job would refuse: bad numbers, an unknown version or role,
    a draft with errors (LintFailed with every problem, like when it is sent for approval)."""
    describe(params)
    code, number = str(params["code"]), int(params["version"])
    known = {r["code"] for r in role_directory(db)}
    unknown = sorted(set(roster_of(params)) - known)
    if unknown:
        raise InvalidInput(f"unknown roles {unknown}", {"roster": "Không có vai trò " + ", ".join(unknown)})
    if _is_open(db, code, number):
        check_draft(db, version_xml(db, code, number), code)
    else:
        version_graph(db, code, number)  # NotFound when there is no such version


def element_names(db: Database, code: str, number: int) -> dict[str, str]:
    """Element id → its name in this version, so that a problem names the step people see, not its id."""
    try:
        root = load_xml(version_xml(db, code, number)).getroot()
    except Exception:  # an unreadable draft: the problems say why, without names
        return {}
    return {str(e.get("id")): str(e.get("name")) for e in root.iter() if e.get("id") and e.get("name")}


def roles_of(db: Database, code: str, number: int) -> list[dict[str, str]]:
    """The roles the steps of this version (and of the one it is compared with) wait for: code and name."""
    graph, _ = version_graph(db, code, number)
    used = {r for n in graph.steps.values() for r in n.roles}
    return [r for r in role_directory(db) if r["code"] in used]


def run_what_if(db: Database, params: dict[str, Any], progress: Callable[[int, int, str], None]) -> dict[str, Any]:
    """Simulate the year on the version in force and on the version asked for; the side-by-side result."""
    describe(params)
    code, number, year = str(params["code"]), int(params["version"]), int(params["year"])
    progress(0, 100, "Đang học từ nhật ký hồ sơ các năm trước…")
    roster = roster_of(params) or None
    last = [-1]

    def tell(done: int, total: int) -> None:
        # One write per percent, not per simulated day: the progress page polls, the database need not churn.
        percent = 100 * done // max(1, total)
        if percent != last[0]:
            last[0] = percent
            run = "phiên bản đang áp dụng" if 2 * done <= total else "phiên bản mới"
            progress(percent, 100, f"Đang mô phỏng {run}: {percent} %")

    if _is_open(db, code, number):  # not in force yet: checked like a draft before it is simulated
        result = what_if(db, code, year, draft=version_xml(db, code, number), roster_changes=roster, progress=tell)
    else:
        result = what_if(db, code, year, version=number, roster_changes=roster, progress=tell)
    return result.as_dict()
