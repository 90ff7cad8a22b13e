"""Server-rendered SVG charts: no JavaScript, no inline style (CSP-safe), each with a <title> and
<desc>, labelled axes, and a data table beside it in the page as the text alternative.

Charts are drawn from the published (suppressed) figures only: a suppressed value is left out of
the line (a gap), never plotted.  Colours are GOV.UK palette colours with a 3:1 contrast against
white, and lines also differ in marker shape so colour is not the only cue.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#6f3c97", "#b58840", "#505a5f"]
MARKERS = ["circle", "square", "diamond", "triangle", "circle", "square"]
_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _open(width: int, height: int, title: str, desc: str, prefix: str) -> tuple[str, str]:
    tid, did = _id(f"{prefix}-title"), _id(f"{prefix}-desc")
    head = (
        f'<svg class="coopgov-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{tid} {did}" focusable="false">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )
    return head, "</svg>"


_INK = 'fill="#0b0c0c"'


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {_INK}{extra}>{escape(text)}</text>'
    )


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "diamond":
        d = f"M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} L{x - 5:.1f} {y:.1f} Z"
        return f'<path d="{d}" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 4:.1f} L{x - 5:.1f} {y + 4:.1f} Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _nice_max(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × a power of ten that is at least ``v``."""
    if v <= 0:
        return 1.0
    mag = 10.0 ** (len(str(int(v))) - 1)
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if v <= step * mag:
            return step * mag
    return 10.0 * mag


def line_chart(
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_label: str,
    percent: bool = False,
) -> SafeString:
    """A trend chart: one line per series, gaps where a value is missing or suppressed."""
    width, height, left, right, top, bottom = 640, 300, 70, 20, 20, 60
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = 1.0 if percent and values and max(values) > 0.5 else _nice_max(max(values) if values else 1.0)
    if percent and (not values or max(values) <= 0.5):
        top_value = 0.5 if values and max(values) > 0.25 else 0.25 if values and max(values) > 0.1 else 0.1
    if not percent:
        top_value = max(top_value, 4.0)  # whole-number ticks for small counts
    head, tail = _open(width, height + (len(series) * 18 if len(series) > 1 else 0), title, desc, "line")
    parts = [head]
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(x_labels))

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    for k in range(5):
        v = top_value * k / 4
        yy = y(v)
        label = f"{100 * v:.0f}%" if percent else f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#b1b4b6" stroke-width="1"/>'
        )
        parts.append(_text(left - 8, yy + 4, label, anchor="end"))
    for i, lab in enumerate(x_labels):
        parts.append(_text(x(i), top + plot_h + 18, lab, anchor="middle"))
    parts.append(_text(left + plot_w / 2, top + plot_h + 40, "Year", anchor="middle", size=13))
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="13" fill="#0b0c0c" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    for s, (name, vs) in enumerate(series):
        colour, marker = COLOURS[s % len(COLOURS)], MARKERS[s % len(MARKERS)]
        run: list[str] = []
        for i, point in enumerate([*vs, None]):
            if point is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
                    )
                run = []
            else:
                run.append(f"{x(i):.1f},{y(point):.1f}")
        for i, point in enumerate(vs):
            if point is not None:
                parts.append(_marker(marker, x(i), y(point), colour))
        if len(series) > 1:
            ly = height + s * 18 - 4
            parts.append(_marker(marker, left + 6, ly - 4, colour))
            parts.append(_text(left + 18, ly, name, size=13))
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def bar_chart(title: str, desc: str, bars: Sequence[tuple[str, float | None, str]]) -> SafeString:
    """Horizontal bars (a funnel): (label, value or None when suppressed, the printed figure)."""
    label_w, bar_w, row_h = 290, 260, 30
    width, height = label_w + bar_w + 90, row_h * len(bars) + 10
    head, tail = _open(width, height, title, desc, "bar")
    parts = [head]
    top_value = max([v for _, v, _ in bars if v is not None] + [1.0])
    for i, (label, value, shown) in enumerate(bars):
        yy = 5 + i * row_h
        parts.append(_text(label_w - 8, yy + 19, label, anchor="end", size=13))
        w = 0.0 if value is None else bar_w * value / top_value
        parts.append(f'<rect x="{label_w}" y="{yy + 4}" width="{w:.1f}" height="{row_h - 10}" fill="{COLOURS[0]}"/>')
        parts.append(_text(label_w + w + 6, yy + 19, shown, size=13))
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def gap_chart(
    title: str, desc: str, rows: Sequence[tuple[str, float | None, float | None, float | None]]
) -> SafeString:
    """Representation gaps: per group the ratio (member share ÷ population share) with its interval,
    against the line of proportionate representation at 1.  Log scale from ⅛ to 8."""
    import math

    label_w, plot_w, row_h = 230, 360, 26
    width, height = label_w + plot_w + 30, row_h * len(rows) + 50
    head, tail = _open(width, height, title, desc, "gap")
    parts = [head]
    lo, hi = math.log(1 / 8), math.log(8)

    def x(v: float) -> float:
        v = min(max(v, 1 / 8), 8)
        return label_w + plot_w * (math.log(v) - lo) / (hi - lo)

    for tick, lab in ((0.125, "⅛"), (0.25, "¼"), (0.5, "½"), (1, "1"), (2, "2"), (4, "4"), (8, "8")):
        xx = x(tick)
        stroke = "#0b0c0c" if tick == 1 else "#b1b4b6"
        parts.append(
            f'<line x1="{xx:.1f}" y1="4" x2="{xx:.1f}" y2="{height - 40}" stroke="{stroke}" stroke-width="1"/>'
        )
        parts.append(_text(xx, height - 26, lab, anchor="middle"))
    parts.append(
        _text(
            label_w + plot_w / 2,
            height - 8,
            "Member share ÷ population share (1 = proportionate)",
            anchor="middle",
            size=13,
        )
    )
    for i, (label, ratio, lower, upper) in enumerate(rows):
        yy = 4 + i * row_h + row_h / 2
        parts.append(_text(label_w - 8, yy + 4, label, anchor="end", size=13))
        if ratio is None or ratio <= 0:
            parts.append(_text(label_w + 6, yy + 4, "not shown (too few)" if ratio is None else "no members"))
            continue
        if lower is not None and upper is not None:
            parts.append(
                f'<line x1="{x(lower):.1f}" y1="{yy:.1f}" x2="{x(upper):.1f}" y2="{yy:.1f}" '
                f'stroke="{COLOURS[0]}" stroke-width="2"/>'
            )
        colour = COLOURS[0] if lower is not None and upper is not None and lower <= 1 <= upper else COLOURS[1]
        parts.append(_marker("circle" if colour == COLOURS[0] else "diamond", x(ratio), yy, colour))
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
