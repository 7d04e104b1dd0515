"""Inline SVG charts for the HTML report: drawn here, no script, no network.

Every bar carries its number as text and a `<title>` (the tooltip browsers
show on hover); colours are a blue/orange pair that colour-blind readers can
tell apart, and every chart says in words what it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from switch.reports._model import TimePoint

PERMITTED = "#2f6db5"
REFUSED = "#e07b1f"
INK = "#1f2933"
GRID = "#d5dbe1"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'

LABEL_CHARS = 30
# Up to this many columns (a month of days) each carries its count as text.
LABELLED_COLUMNS = 31


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _key(x: int, y: int, colour: str, label: str) -> str:
    return (
        f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
        f'<text x="{x + 17}" y="{y}" font-size="12" fill="{INK}">{label}</text>'
    )


def _legend(y: int, x: int = 0, refused_only: bool = False) -> str:
    if refused_only:
        return _key(x, y, REFUSED, "refused")
    return _key(x, y, PERMITTED, "permitted") + _key(x + 95, y, REFUSED, "refused")


def _open(width: int, height: int, title: str) -> str:
    # No xmlns: inline SVG in HTML needs none, and the report holds no URL at all.
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>"
    )


def bar_chart(
    rows: Sequence[tuple[str, int, int]], title: str, *, refused_only: bool = False
) -> str:
    """Horizontal bars, one per (label, permitted, refused) row, permitted
    then refused stacked, the total written at the end of each bar."""
    label_w, bar_w, value_w, row_h, top = 210, 330, 200, 24, 26
    width, height = label_w + bar_w + value_w, top + row_h * len(rows) + 4
    largest = max((p + d for _, p, d in rows), default=0) or 1
    parts = [_open(width, height, title), _legend(14, label_w, refused_only)]
    for index, (label, permitted, refused) in enumerate(rows):
        y = top + index * row_h
        p_w = _length(permitted, largest, bar_w)
        d_w = _length(refused, largest, bar_w)
        total = permitted + refused
        value = f"{total:,}" + (f" ({refused:,} refused)" if refused else "")
        tip = f"{label}: {total:,} queries, {permitted:,} permitted, {refused:,} refused"
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{escape(_short(label))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{p_w:.1f}" height="16" fill="{PERMITTED}"/>'
            f'<rect x="{label_w + p_w:.1f}" y="{y + 3}" width="{d_w:.1f}" height="16" '
            f'fill="{REFUSED}"/>'
            f'<text x="{label_w + p_w + d_w + 6:.1f}" y="{y + 15}" font-size="12" '
            f'fill="{INK}">{escape(value)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _length(value: int, largest: int, full: int) -> float:
    if value <= 0:
        return 0.0
    # A bar for a non-zero count is never too thin to see.
    return max(full * value / largest, 1.5)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def time_chart(points: Sequence[TimePoint], bucket: str, title: str) -> str:
    """Columns per day, week or month, permitted below refused, with the
    count scale on the left and dates beneath."""
    width, height = 760, 260
    left, right, top, bottom = 64, 40, 30, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ceiling = nice_ceiling(max((p.queries for p in points), default=0))
    parts = [_open(width, height, title), _legend(16, left)]
    # A middle line only where it falls on a whole number.
    fractions = (0.0, 0.5, 1.0) if ceiling % 2 == 0 else (0.0, 1.0)
    for fraction in fractions:
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{round(ceiling * fraction):,}</text>'
        )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="11" fill="{INK}" '
        f'text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2:.1f})">'
        f"queries per {escape(bucket)}</text>"
    )
    slot = plot_w / max(len(points), 1)
    bar = max(slot * 0.8, 1.0)
    for index, point in enumerate(points):
        x = left + index * slot + (slot - bar) / 2
        p_h = plot_h * point.permitted / ceiling
        d_h = plot_h * point.denied / ceiling
        base = top + plot_h
        tip = (
            f"{bucket} of {point.start.isoformat()}: {point.queries:,} queries, "
            f"{point.permitted:,} permitted, {point.denied:,} refused"
        )
        count = ""
        if len(points) <= LABELLED_COLUMNS and point.queries:
            count = (
                f'<text x="{x + bar / 2:.1f}" y="{base - p_h - d_h - 4:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{point.queries:,}</text>'
            )
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<rect x="{x:.1f}" y="{base - p_h:.1f}" width="{bar:.1f}" height="{p_h:.1f}" '
            f'fill="{PERMITTED}"/>'
            f'<rect x="{x:.1f}" y="{base - p_h - d_h:.1f}" width="{bar:.1f}" '
            f'height="{d_h:.1f}" fill="{REFUSED}"/>{count}</g>'
        )
    for index in _tick_indexes(len(points)):
        x = left + index * slot + slot / 2
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{points[index].start.isoformat()}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _tick_indexes(count: int, most: int = 6) -> list[int]:
    """Evenly spaced columns to put a date under, at most `most` of them."""
    return list(range(0, count, math.ceil(count / most))) if count else []
