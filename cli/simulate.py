"""`quytrinh simulate`: what a draft, another version or another roster would do to a year (issue 18).

The text is for a quality manager: plain Vietnamese, working days and role names, never the BPMN's
duration codes (P15D) or role codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from processes.db import Database
from processes.errors import InvalidInput

from .output import emit, handled, json_option


def simulate_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach the `simulate` command to the main group."""

    @main.command()
    @click.option("--procedure", "code", required=True, help="Procedure code (mã hiệu), e.g. QT-XD-01.")
    @click.option("--version", type=int, default=None, help="Compare with this version of the procedure.")
    @click.option("--draft", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="Compare with this BPMN file (refused when it has errors, as when sent for approval).")
    @click.option("--year", type=int, required=True, help="The year to simulate.")
    @click.option("--roster", "roster_file", type=click.Path(exists=True, dir_okay=False), default=None,
                  help='Roster changes: JSON {"role": +1, "other_role": -1} or lines "role +1".')
    @click.option("--agency", default=None, help="Agency unit code (default: the one with most dossiers).")
    @click.option("--seed", type=int, default=1, show_default=True)
    @json_option
    @click.pass_context
    @handled
    def simulate(ctx: click.Context, code: str, version: int | None, draft: str | None, year: int,
                 roster_file: str | None, agency: str | None, seed: int, as_json: bool) -> None:
        """Predict a year of a procedure: on-time rate, processing time, queues, bottleneck, side by side."""
        from simulation.whatif import what_if

        if version is not None and draft is not None:
            raise InvalidInput("chọn --version hoặc --draft, không dùng cả hai")
        changes = read_roster(Path(roster_file).read_text(encoding="utf-8")) if roster_file else None
        result = what_if(get_db(ctx), code, year, version=version,
                         draft=Path(draft).read_bytes() if draft else None, roster_changes=changes,
                         agency=agency, seed=seed)
        data = result.as_dict()
        emit(as_json, data, lambda: report(data))


def read_roster(text: str) -> dict[str, int]:
    """Roster changes from JSON or from lines such as `chuyen_vien_tp +1` (# starts a comment)."""
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"tệp phân công không đọc được: {exc}") from None
        if not all(isinstance(v, int) for v in data.values()):
            raise InvalidInput("mỗi vai trò cần một số nguyên, ví dụ +1 hoặc -1")
        return {str(k): int(v) for k, v in data.items()}
    changes: dict[str, int] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        found = re.fullmatch(r"([^\s:=]+)\s*[:=]?\s*([+-]?\d+)", line)
        if found is None:
            raise InvalidInput(f"dòng không hiểu được trong tệp phân công: {line!r}")
        changes[found.group(1)] = changes.get(found.group(1), 0) + int(found.group(2))
    return changes


def number(value: float, decimals: int = 1) -> str:
    """A number the Vietnamese way: decimal comma, dot between thousands."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def duration_text(text: str | None) -> str:
    """A deadline or step limit in words: 'trong ngày', '15 ngày làm việc', '4 giờ làm việc'."""
    if not text:
        return "không quy định"
    if text == "same_day":
        return "trong ngày làm việc"
    from engine.durations import parse_duration

    try:
        d = parse_duration(text)
    except ValueError:
        return text
    parts = []
    if d.days:
        parts.append(f"{number(float(d.days), 0 if d.days == int(d.days) else 1)} ngày làm việc")
    hours, minutes = divmod(float(d.minutes), 60)
    if hours:
        parts.append(f"{number(hours, 0)} giờ")
    if minutes:
        parts.append(f"{number(minutes, 0)} phút")
    return " ".join(parts) + ("" if d.days else " làm việc")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{number(value * 100)} %"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{number(value)} ngày làm việc"


def _roles(pool: str, names: dict[str, str]) -> str:
    return ", ".join(names.get(r, r) for r in pool.split(",") if r) or "(không giao vai trò)"


def report(data: dict[str, Any]) -> str:
    """The comparison as a quality manager reads it."""
    names = data["role_names"]
    current, changed = data["current"], data["changed"]
    columns = [("Hiện hành", current)] + ([("Sau thay đổi", changed)] if changed else [])
    lines = [f"Mô phỏng năm {data['year']}: {data['name']} ({data['procedure']})",
             f"Thời hạn giải quyết: {duration_text(current['deadline'])}",
             f"Học từ {data['fitted_cases']} hồ sơ "
             f"({'các năm trước' if data['change'].get('fitted_on') == 'before' else 'chính năm này'}); "
             f"khoảng {number(data['arrivals_per_year'], 0)} hồ sơ mỗi năm; "
             f"{number(data['supplement_rate'] * 100)} yêu cầu bổ sung trên 100 hồ sơ"
             + (f", người nộp bổ sung trong khoảng {_days(data['response_days'])}" if data["response_days"] else "")]
    if changed:
        lines.append(f"Thay đổi: {_change_label(data['change'], names)}"
                     + (f" (thời hạn {duration_text(changed['deadline'])})"
                        if changed["deadline"] != current["deadline"] else ""))
    lines.append("")
    rows = [("Số hồ sơ mô phỏng", lambda s: number(s["dossiers"], 0)),
            ("Tỷ lệ đúng hạn dự kiến", lambda s: _percent(s["on_time_rate"])),
            ("Số hồ sơ trễ hạn dự kiến", lambda s: number(s["late"], 0)),
            ("Thời gian xử lý (trung vị)", lambda s: _days(s["median_days"])),
            ("Thời gian xử lý (90 % hồ sơ)", lambda s: _days(s["p90_days"])),
            ("Bước nghẽn", lambda s: s["bottleneck"]["name"] if s["bottleneck"] else "—")]
    pools = sorted({p for _, s in columns for p in s["queues"]})
    width = max([len(label) for label, _ in rows] + [len(_roles(p, names)) + 2 for p in pools]) + 2
    cell_width = max([len(title) for title, _ in columns] + [len(cell(s)) for _, cell in rows for _, s in columns]) + 3
    lines.append(" " * width + "".join(f"{title:<{cell_width}}" for title, _ in columns).rstrip())
    for label, cell in rows:
        lines.append((f"{label:<{width}}" + "".join(f"{cell(s):<{cell_width}}" for _, s in columns)).rstrip())
    lines.append("")
    lines.append("Hồ sơ chờ theo vai trò (bình quân / cao nhất mỗi đầu ngày làm việc):")
    for pool in pools:
        cells = "".join(f"{_queue(s['queues'].get(pool)):<{cell_width}}" for _, s in columns)
        lines.append(f"  {_roles(pool, names):<{width - 2}}{cells}".rstrip())
    for title, s in columns:
        for pool, stuck in s["unstaffed"].items():
            lines.append(f"Cảnh báo ({title.lower()}): không còn ai giữ vai trò {_roles(pool, names)}; "
                         f"{number(stuck, 0)} hồ sơ dừng lại ở đó.")
    return "\n".join(lines)


def _queue(found: dict[str, Any] | None) -> str:
    return "—" if found is None else f"{number(found['mean'])} / {number(found['max'], 0)}"


def _change_label(change: dict[str, Any], names: dict[str, str]) -> str:
    parts = []
    if change.get("draft"):
        parts.append("bản dự thảo")
    if change.get("version") is not None:
        parts.append(f"phiên bản {change['version']}")
    if change.get("roster"):
        parts.append("nhân sự " + ", ".join(f"{v:+d} {names.get(k, k)}" for k, v in change["roster"].items()))
    return "; ".join(parts) or "—"
