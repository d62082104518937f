"""Charts as inline SVG built in Python: no JavaScript library, nothing from outside.

Accessible: the SVG is an image with a title and a description, and every chart is
shown next to its data table (the table is the alternative, and what a screen reader
reads). No ``style`` attributes (the Content-Security-Policy forbids them): colours come
from classes in reports.css, which also print.
"""

from __future__ import annotations

from itertools import count
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .tables import HIDDEN, Breakdown

_ids = count(1)

WIDTH = 640
LABEL_WIDTH = 270
VALUE_WIDTH = 70
BAR_HEIGHT = 18
GAP = 8
MAX_LABEL = 32


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def bar_chart(
    title: str,
    items: list[tuple[str, float | None, str]],
    *,
    percent: bool = False,
    description: str = "",
) -> SafeString:
    """Horizontal bars: ``items`` are (label, number or None when hidden, text shown)."""
    chart_id = f"chart-{next(_ids)}"
    height = max(len(items), 1) * (BAR_HEIGHT + GAP) + GAP
    numbers = [n for _label, n, _text in items if n is not None]
    top = 100.0 if percent else max(numbers, default=0.0)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    desc = description or _("The same figures are in the table.")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, (label, number, text) in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{middle:.0f}" '
            f'text-anchor="end"><title>{escape(label)}</title>{escape(_short(label))}</text>'
        )
        if number is None:
            parts.append(
                f'<text class="chart-hidden" x="{LABEL_WIDTH + 4}" y="{middle:.0f}">{escape(HIDDEN)}</text>'
            )
            continue
        width = 0.0 if top <= 0 else max(plot * number / top, 0.0)
        if number > 0:
            width = max(width, 2.0)
        parts.append(
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" rx="2"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{LABEL_WIDTH + width + 6:.1f}" y="{middle:.0f}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped


def breakdown_chart(data: Breakdown) -> SafeString:
    items = [(line.label, line.value.number, line.value.display()) for line in data.lines]
    return bar_chart(
        f"{data.indicator.name} — {data.dimension_label}",
        items,
        percent=data.indicator.kind == "share",
    )
