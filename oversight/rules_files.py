"""Versioned rules files of oversight/rules/<kind>/: JSON named by the date they take effect; a day is judged by
the newest file in force on it (as audits/rules/qd766 is)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from processes.errors import NotFound

RULES = Path(__file__).resolve().parent / "rules"


def rules_for(kind: str, day: dt.date, root: Path = RULES) -> dict[str, Any]:
    """The rules of `kind` in force on `day`, with "file" naming the file they came from."""
    found = []
    for path in (root / kind).glob("*.json"):
        try:
            found.append((dt.date.fromisoformat(path.stem[:10]), path))
        except ValueError:
            continue
    in_force = sorted(f for f in found if f[0] <= day)
    if not in_force:
        raise NotFound(f"no {kind} rules in force on {day.isoformat()} under {root / kind}")
    path = in_force[-1][1]
    rules: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    rules["file"] = path.name
    return rules
