"""Charts drawn as inline SVG, so the HTML report needs no script and no external request.

Labels are escaped (they are our own vocabulary, but escaping costs nothing); the chart is
returned as markup ready to place in the page.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

SEVERITY_COLOURS = {
    "critical": "#8b0000",
    "high": "#d9480f",
    "medium": "#e8a317",
    "low": "#4a7ab5",
    "info": "#7d8b99",
}
BAR = "#3b6ea5"


def bar_chart(title: str, rows: list[tuple[str, int, str]], width: int = 560) -> Markup:
    """A horizontal bar chart: one ``(label, value, colour)`` per row."""
    label_w, row_h, pad = 240, 22, 6
    height = max(1, len(rows)) * row_h + 2 * pad
    top = max((v for _, v, _ in rows), default=1) or 1
    scale = (width - label_w - 60) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (name, value, colour) in enumerate(rows):
        y = pad + i * row_h
        w = max(1.0, value * scale)
        parts += [
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(name)}</text>",
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{escape(colour)}"/>',
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="chart-value">{value}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated string is escaped above
