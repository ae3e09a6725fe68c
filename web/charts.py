"""Small inline SVG charts drawn on the server (no script, no CDN): stacked bars and plain bars."""

from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = {"early": "#1b7f3b", "on_time": "#5fb37c", "late": "#b91c1c", "open": "#1d4f91", "received": "#a31d1d",
           "done": "#5fb37c", "overdue": "#b91c1c"}


CHAR_WIDTH = 7.4  # an upper estimate of a 12px DejaVu Sans character with Vietnamese marks, in SVG units


def fit(label: str, room: float) -> str:
    """The label cut (with …) to fit `room` units: a right-aligned label longer than that ran off the SVG's left
    edge ("iểm soát sự…", issue 13); the whole label stays in the <title> tooltip."""
    most = max(4, int(room / CHAR_WIDTH))
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def stacked_bars(rows: list[tuple[str, dict[str, int]]], keys: tuple[str, ...], title: str,
                 width: int = 640, bar: int = 22, label_width: int = 230,
                 labels: dict[str, str] | None = None) -> Markup:
    """Horizontal bars, one per row, split into `keys` (counts), scaled to the largest total."""
    gap, top = 10, 8
    height = top + len(rows) * (bar + gap) + 4
    biggest = max([sum(v.get(k, 0) for k in keys) for _, v in rows] or [0]) or 1
    span = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 30)}" role="img" '
             f'aria-label="{escape(title)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
             f"<title>{escape(title)}</title>"]
    for i, (label, values) in enumerate(rows):
        y = top + i * (bar + gap)
        short = fit(label, label_width - 14)
        parts.append(f'<text x="{label_width - 8}" y="{y + bar * 0.68:.1f}" text-anchor="end" fill="#1f2937">'
                     f"<title>{escape(label)}</title>{escape(short)}</text>")
        x = float(label_width)
        for key in keys:
            count = values.get(key, 0)
            if count <= 0:
                continue
            w = span * count / biggest
            colour = COLOURS.get(key, "#888")
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{bar}" fill="{colour}">'
                         f"<title>{escape((labels or {}).get(key, key))}: {count}</title></rect>")
            if w >= 18:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar * 0.68:.1f}" text-anchor="middle" '
                             f'fill="#fff" font-weight="600">{count}</text>')
            x += w
        total = sum(values.get(k, 0) for k in keys)
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar * 0.68:.1f}" fill="#6b7280">{total}</text>')
    if not rows:
        parts.append(f'<text x="{width / 2}" y="20" text-anchor="middle" fill="#6b7280">–</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def columns(rows: list[tuple[str, dict[str, int]]], keys: tuple[str, ...], title: str, width: int = 1000,
            height: int = 220, labels: dict[str, str] | None = None, line: str | None = None) -> Markup:
    """Vertical stacked columns, one per row (a month), with an optional dotted line over them (`line`: a key
    whose count is drawn as a line, e.g. dossiers received, to compare with those done)."""
    left, bottom, top = 40, 24, 12
    plot = height - bottom - top
    step = (width - left - 10) / max(len(rows), 1)
    bar = min(36.0, step * 0.6)
    biggest = max([max(sum(v.get(k, 0) for k in keys), v.get(line, 0) if line else 0) for _, v in rows] or [0]) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{top + plot}" x2="{width - 10}" y2="{top + plot}" stroke="#9ca3af"/>',
             f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="#6b7280">{biggest}</text>',
             f'<text x="{left - 6}" y="{top + plot}" text-anchor="end" fill="#6b7280">0</text>']
    points = []
    for i, (label, values) in enumerate(rows):
        x = left + i * step + (step - bar) / 2
        y = float(top + plot)
        for key in keys:
            count = values.get(key, 0)
            if count <= 0:
                continue
            h = plot * count / biggest
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 1):.1f}" '
                         f'fill="{COLOURS.get(key, "#888")}"><title>{escape(label)} – '
                         f"{escape((labels or {}).get(key, key))}: {count}</title></rect>")
        if len(rows) <= 12 or i % 2 == 0:  # every other month's name when two years are shown
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="#1f2937">'
                         f"{escape(label)}</text>")
        if line:
            points.append((x + bar / 2, top + plot - plot * values.get(line, 0) / biggest, values.get(line, 0)))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS.get(line or "", "#a31d1d")}" '
                     f'stroke-width="2" stroke-dasharray="4 3"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS.get(line or "", "#a31d1d")}">'
                     f"<title>{escape((labels or {}).get(line or '', line or ''))}: {n}</title></circle>"
                     for x, y, n in points)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()
