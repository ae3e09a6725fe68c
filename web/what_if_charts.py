"""The what-if result in numbers and pictures: Vietnamese number formats, the on-time bars, queues by month.

Inline SVG drawn on the server (no script), like web/charts.py; every text goes through escape().
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from .charts import stacked_bars
from .labels import vn_number

CURRENT, CHANGED = "#1d4f91", "#d97706"  # the version in force, the change: the same colours in every chart


class numbers:  # noqa: N801 - used in templates as fmt.percent(…), a namespace of formatters
    """Numbers the Vietnamese way: decimal comma, dot between thousands; a dash when unknown."""

    @staticmethod
    def number(value: float | int | None, decimals: int = 1) -> str:
        """12345.67 → '12.345,7'."""
        return "—" if value is None else vn_number(value, decimals)

    @staticmethod
    def percent(share: float | None) -> str:
        """0.924 → '92,4 %'."""
        return "—" if share is None else f"{numbers.number(share * 100)} %"

    @staticmethod
    def days(value: float | None) -> str:
        """Working days in words: 6.75 → '6,8 ngày làm việc'; under a day, in office hours."""
        if value is None:
            return "—"
        if value < 1:
            return f"{numbers.number(value * 8)} giờ làm việc"
        return f"{numbers.number(value)} ngày làm việc"

    @staticmethod
    def delta_points(before: float | None, after: float | None) -> str:
        """The change of a share in percentage points: '+3,1 điểm'."""
        if before is None or after is None:
            return ""
        change = (after - before) * 100
        shown = numbers.number(abs(change))
        # a fall too small to show reads "+0,0", not "−0,0"
        return f"{'−' if change < 0 and shown != numbers.number(0) else '+'}{shown} điểm %"


def _names(result: dict[str, Any], pool: str) -> str:
    return ", ".join(result.get("role_names", {}).get(r, r) for r in pool.split(","))


def outcome_bars(result: dict[str, Any]) -> Markup:
    """Dossiers expected on time and late, one bar per column (in force, changed)."""
    rows = [(title, {"on_time": s["dossiers"] - s["late"], "late": s["late"]})
            for title, s in (("Phiên bản đang áp dụng", result["current"]), ("Sau thay đổi", result["changed"])) if s]
    return stacked_bars(rows, ("on_time", "late"), "Hồ sơ đúng hạn và trễ hạn dự kiến", label_width=190,
                        labels={"on_time": "đúng hạn", "late": "trễ hạn"})


QUEUE_WORTH_A_CHART = 0.5  # a month's mean queue below half a dossier is no queue worth drawing


def queue_columns(result: dict[str, Any]) -> list[tuple[str, Markup]]:
    """For each role with a queue worth seeing: dossiers waiting at the day's opening, mean per month, in force
    beside changed (a wall of empty charts hid the one that mattered)."""
    current, changed = result["current"], result.get("changed") or {}
    charts = []
    for pool, queue in current.get("queues", {}).items():
        other = changed.get("queues", {}).get(pool)
        months = sorted(set(queue["by_month"]) | set((other or {}).get("by_month", {})))
        peak = max([*queue["by_month"].values(), *(other or {}).get("by_month", {}).values(), 0.0])
        if not months or peak < QUEUE_WORTH_A_CHART:
            continue
        title = f"Hồ sơ chờ {_names(result, pool)} (trung bình đầu mỗi ngày, theo tháng)"
        charts.append((title, _paired(months, queue["by_month"], (other or {}).get("by_month"), title)))
    return charts


def spread_columns(result: dict[str, Any]) -> Markup | None:
    """How long dossiers take: share finished in each working day, in force beside changed (the deadline marked)."""
    current, changed = result["current"].get("spread") or {}, (result.get("changed") or {}).get("spread")
    if not current and not changed:
        return None
    days = sorted(set(current) | set(changed or {}), key=int)
    last = days[-1]
    keys = [str(d) for d in range(int(days[0]), int(last) + 1)]
    percent = {k: v * 100 for k, v in current.items()}
    other = None if changed is None else {k: v * 100 for k, v in changed.items()}
    names = {k: (f"{k} ngày trở lên" if k == last and int(k) >= 30 else f"từ {k} đến dưới {int(k) + 1} ngày")
             for k in keys}
    return _paired(keys, percent, other, "Tỷ lệ hồ sơ theo thời gian giải quyết (ngày làm việc)",
                   label=lambda k: k, tip=lambda k: names[k], unit="% hồ sơ")


def _paired(months: list[str], left: dict[str, float], right: dict[str, float] | None, title: str,
            width: int = 720, height: int = 160, label: Any = None, tip: Any = None, unit: str = "hồ sơ") -> Markup:
    """Two columns a month (in force, changed) over a zero line, the highest value marked on the axis."""
    lo, bottom, top = 44, 22, 10
    plot = height - bottom - top
    step = (width - lo - 8) / max(len(months), 1)
    bar = min(18.0, step * 0.38)
    biggest = max([*left.values(), *(right or {}).values(), 0.0]) or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{lo}" y1="{top + plot}" x2="{width - 8}" y2="{top + plot}" stroke="#9ca3af"/>',
             f'<text x="{lo - 6}" y="{top + 8}" text-anchor="end" fill="#6b7280">{numbers.number(biggest)}</text>',
             f'<text x="{lo - 6}" y="{top + plot}" text-anchor="end" fill="#6b7280">0</text>']
    for i, month in enumerate(months):
        x = lo + i * step + step / 2 - bar
        for k, (values, colour, who) in enumerate(((left, CURRENT, "đang áp dụng"), (right, CHANGED, "sau thay đổi"))):
            if values is None:
                continue
            v = values.get(month, 0.0)
            h = plot * v / biggest
            parts.append(f'<rect x="{x + k * bar:.1f}" y="{top + plot - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{max(h, 0.5):.1f}" fill="{colour}"><title>'
                         f"{escape(tip(month) if tip else 'Tháng ' + _month(month))}, "
                         f"{who}: {numbers.number(v)} {escape(unit)}</title></rect>")
        parts.append(f'<text x="{lo + i * step + step / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                     f'fill="#1f2937">{escape(label(month) if label else _month(month, short=True))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _month(key: str, short: bool = False) -> str:
    """'2026-03' → '3/2026' ('T3' on the axis)."""
    year, month = key.split("-")
    return f"T{int(month)}" if short else f"{int(month)}/{year}"
