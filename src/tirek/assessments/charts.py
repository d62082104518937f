"""Per-domain trend charts as inline SVG, drawn on the server.

No JavaScript, no library, no CDN; presentation attributes only (the strict CSP forbids
inline styles). Every chart carries a title and a description for screen readers, and
the page shows the same numbers as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SEVERITY_COLOURS = {
    "none": "#1e6b3a",
    "low": "#3d7f95",
    "moderate": "#b07800",
    "high": "#a32020",
}


@dataclass(frozen=True)
class Point:
    day: date
    percent: int | None  # share of the domain's maximum score; None = not assessed
    severity: str
    label: str  # e.g. "6/9 — moderate"


@lru_cache(maxsize=2048)
def _day_labels(day: date, language: str) -> tuple[str, str]:
    """(axis label, full date) — many charts on a page share the same dates."""
    return date_format(day, "d.m.y"), date_format(day, "SHORT_DATE_FORMAT")


def trend_svg(points: list[Point], *, title: str, chart_id: str) -> SafeString:
    width, height = 320, 130
    left, right, top, bottom = 34, 26, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(percent: int) -> float:
        return top + plot_h * (1 - percent / 100)

    language = get_language() or ""
    labels = [_day_labels(p.day, language) for p in points]
    not_assessed = str(_("not assessed"))
    described = "; ".join(
        f"{full}: " + (p.label if p.percent is not None else not_assessed)
        for p, (_short, full) in zip(points, labels, strict=True)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(described)}</desc>',
    ]
    for percent in (0, 50, 100):
        gy = y(percent)
        parts.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" '
            f'stroke="#d6dee2" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{gy + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#5b6b73">{percent}%</text>'
        )
    line = [(x(i), y(p.percent)) for i, p in enumerate(points) if p.percent is not None]
    if len(line) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5f74" stroke-width="2"/>')
    for i, p in enumerate(points):
        label, full = labels[i]
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" font-size="10" '
            f'fill="#5b6b73">{escape(label)}</text>'
        )
        if p.percent is None:
            continue
        colour = SEVERITY_COLOURS.get(p.severity, "#1f5f74")
        tip = quoteattr(f"{full}: {p.label}")
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p.percent):.1f}" r="5" fill="{colour}" '
            f'stroke="#fff" stroke-width="1.5" data-label={tip}>'
            f"<title>{escape(full)}: {escape(p.label)}</title>"
            "</circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)


def sparkline_svg(points: list[Point], *, title: str, chart_id: str) -> SafeString:
    """A small line for a table cell (the case page): same data, no axes; the row around
    it gives the numbers in text."""
    width, height, pad = 96, 24, 4
    n = len(points)
    language = get_language() or ""
    described = "; ".join(
        f"{_day_labels(p.day, language)[1]}: {p.label}" for p in points if p.percent is not None
    )

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (0.5 if n == 1 else i / (n - 1))

    def y(percent: int) -> float:
        return pad + (height - 2 * pad) * (1 - percent / 100)

    line = [(x(i), y(p.percent), p) for i, p in enumerate(points) if p.percent is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(described)}</desc>',
    ]
    if len(line) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _p in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5f74" stroke-width="1.5"/>')
    if line:
        px, py, last = line[-1]
        colour = SEVERITY_COLOURS.get(last.severity, "#1f5f74")
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
