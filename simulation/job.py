"""The what-if as a background job (issue 18 on the draft version's page): params in, plain data out.

jobs/kinds.py can run it as a kind (`"what_if": run_what_if` wrapped in its Made(result=...)): the
params name the procedure, the version to compare (a draft of the catalogue or a deployed version),
the year and the roster changes; progress counts the simulated working days of both runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from processes.db import Database
from processes.errors import InvalidInput, NotFound
from processes.version_status import OPEN
from processes.versions import list_versions, version_xml

from .whatif import what_if


def describe(params: dict[str, Any]) -> str:
    """The job's title (Vietnamese); InvalidInput when the params make no sense."""
    missing = [k for k in ("code", "version", "year") if params.get(k) in (None, "")]
    if missing:
        raise InvalidInput(f"thiếu {', '.join(missing)}")
    return f"Mô phỏng năm {params['year']}: {params['code']} phiên bản {params['version']} so với bản hiện hành"


def run_what_if(db: Database, params: dict[str, Any], progress: Callable[[int, int, str], None]) -> dict[str, Any]:
    """Simulate the year on the version in force and on the version asked for; the side-by-side result."""
    describe(params)
    code, number, year = str(params["code"]), int(params["version"]), int(params["year"])
    progress(0, 1, "Đang học từ nhật ký các năm trước…")
    try:
        states = {v["version"]: v.get("status") for v in list_versions(db, code)}
    except NotFound:  # deployed from a file, not managed in the catalogue
        states = {}
    roster = {str(k): int(v) for k, v in (params.get("roster") or {}).items()} or None
    tell = lambda done, total: progress(done, total, f"Đang mô phỏng ngày làm việc {done}/{total}…")  # noqa: E731
    # A version not yet in force (draft, in review, approved) is checked like a draft before it is simulated.
    if states.get(number) in OPEN:
        result = what_if(db, code, year, draft=version_xml(db, code, number), roster_changes=roster, progress=tell)
    else:
        result = what_if(db, code, year, version=number, roster_changes=roster, progress=tell)
    return result.as_dict()
