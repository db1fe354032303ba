"""Small server-side SVG charts (bar, pie, line) for aggregated query results; no JavaScript.

Every label is escaped; the document has no script, no external reference and no event
attribute, so it is safe to serve as ``image/svg+xml``.
"""

from __future__ import annotations

import math
from html import escape

PALETTE = ("#36c", "#d33", "#fc3", "#00af89", "#a66", "#72777d", "#6b4ba1", "#ff8c00", "#14866d", "#447ff5")
WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 60, 70, 30


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _document(body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>{body}</svg>')


def _axes(top: float) -> tuple[str, float, float]:
    plot_w = WIDTH - MARGIN_LEFT - 20
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    parts = [f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{MARGIN_TOP + plot_h}" stroke="#333"/>',
             f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP + plot_h}" x2="{MARGIN_LEFT + plot_w}" '
             f'y2="{MARGIN_TOP + plot_h}" stroke="#333"/>']
    for step in range(5):
        value = top * step / 4
        y = MARGIN_TOP + plot_h - plot_h * step / 4
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}</text>')
        if step:
            parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{MARGIN_LEFT + plot_w}" y2="{y:.1f}" '
                         'stroke="#eee"/>')
    return "".join(parts), plot_w, plot_h


def _label(x: float, text: str) -> str:
    short = text if len(text) <= 14 else text[:13] + "…"
    y = HEIGHT - MARGIN_BOTTOM + 14
    return (f'<text x="{x:.1f}" y="{y}" text-anchor="end" transform="rotate(-35 {x:.1f} {y})">'
            f'{escape(short)}</text>')


def bar_chart(groups: list[tuple[str, float]], title: str) -> str:
    if not groups:
        return _document('<text x="20" y="40">No data</text>', title)
    top = max(max(v for _, v in groups), 1)
    axes, plot_w, plot_h = _axes(top)
    slot = plot_w / len(groups)
    parts = [axes]
    for i, (label, value) in enumerate(groups):
        h = plot_h * value / top
        x = MARGIN_LEFT + i * slot + slot * 0.15
        y = MARGIN_TOP + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: {_number(value)}</title></rect>')
        parts.append(_label(x + slot * 0.35, label))
    return _document("".join(parts), title)


def line_chart(groups: list[tuple[str, float]], title: str) -> str:
    if not groups:
        return _document('<text x="20" y="40">No data</text>', title)
    top = max(max(v for _, v in groups), 1)
    axes, plot_w, plot_h = _axes(top)
    step = plot_w / max(len(groups) - 1, 1)
    points = [(MARGIN_LEFT + i * step, MARGIN_TOP + plot_h - plot_h * v / top) for i, (_, v) in enumerate(groups)]
    parts = [axes, '<polyline fill="none" stroke="#36c" stroke-width="2" points="'
             + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>']
    every = max(1, len(groups) // 12)
    for i, ((label, value), (x, y)) in enumerate(zip(groups, points)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#36c"><title>{escape(label)}: '
                     f'{_number(value)}</title></circle>')
        if i % every == 0:
            parts.append(_label(x, label))
    return _document("".join(parts), title)


def pie_chart(groups: list[tuple[str, float]], title: str) -> str:
    total = sum(v for _, v in groups if v > 0)
    if not total:
        return _document('<text x="20" y="40">No data</text>', title)
    cx, cy, r = 180, HEIGHT / 2, 140
    parts, angle = [], -math.pi / 2
    for i, (label, value) in enumerate(g for g in groups if g[1] > 0):
        color = PALETTE[i % len(PALETTE)]
        share = value / total
        tip = f"<title>{escape(label)}: {_number(value)} ({share:.0%})</title>"
        if share >= 0.9999:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{color}">{tip}</circle>')
        else:
            end = angle + share * 2 * math.pi
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(end), cy + r * math.sin(end)
            large = 1 if share > 0.5 else 0
            parts.append(f'<path d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{r},{r} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                         f'fill="{color}" stroke="#fff">{tip}</path>')
            angle = end
        y = 40 + i * 20
        if y < HEIGHT - 10:
            parts.append(f'<rect x="360" y="{y - 10}" width="12" height="12" fill="{color}"/>'
                         f'<text x="378" y="{y}">{escape(label[:30])}: {_number(value)} ({share:.0%})</text>')
    return _document("".join(parts), title)


CHARTS = {"bar": bar_chart, "pie": pie_chart, "line": line_chart}


def chart(kind: str, groups: list[tuple[str, float]], title: str) -> str:
    return CHARTS[kind](groups, title)
