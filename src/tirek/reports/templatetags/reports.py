from __future__ import annotations

from django import template

from tirek.reports import tables

register = template.Library()


@register.inclusion_tag("reports/_value_head.html")
def value_head(kind: str) -> dict[str, str]:
    return {"kind": kind}


@register.inclusion_tag("reports/_value_cells.html")
def value_cells(value: tables.Value) -> dict[str, object]:
    return {
        "value": value,
        "count": tables.cell_text(value.count),
        "denominator": tables.cell_text(value.denominator) if value.denominator else "",
        "mean": tables.stat_text(value.mean, value.count),
        "maximum": tables.stat_text(value.maximum, value.count),
        "display": value.display(),
    }
