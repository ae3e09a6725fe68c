"""Small inline SVG charts drawn on the server (no script, no CDN): stacked bars and plain bars."""

from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = {"early": "#1b7f3b", "on_time": "#5fb37c", "late": "#b91c1c", "open": "#1d4f91", "received": "#a31d1d",
           "done": "#5fb37c", "overdue": "#b91c1c"}


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
        short = label if len(label) <= 34 else label[:33] + "…"
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
