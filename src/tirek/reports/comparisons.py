"""Countries side by side: this country's exchange figures next to imported ones.

Both sides go through the same exchange format, so what is compared is exactly what
countries share — anonymous, protected aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import conf, exchange
from .dimensions import (
    LABELS,
    SHARED,
    age_dimension,
    phase_dimension,
    quarter_dimension,
    sex_dimension,
)
from .models import ExchangeImport
from .periods import Period
from .registry import INDICATORS


@dataclass
class ComparisonRow:
    indicator: str
    category: str
    values: list[str]


@dataclass
class Comparison:
    period: Period
    countries: list[str]
    by: str
    by_choices: list[tuple[str, str]]
    rows: list[ComparisonRow] = field(default_factory=list)
    imports: list[ExchangeImport] = field(default_factory=list)


def _category_labels(dim: str) -> list[tuple[str, str]]:
    makers = {
        "sex": sex_dimension,
        "age_band": age_dimension,
        "phase": phase_dimension,
        "quarter": quarter_dimension,
    }
    return [(code, str(label)) for code, label in makers[dim]().categories]


def compare(period: Period, by: str = "") -> Comparison:
    imports = exchange.latest_imports(period.year)
    ours = exchange.build(period)
    payloads: list[dict[str, Any]] = [ours, *[i.payload for i in imports]]
    by = by if by in SHARED else ""
    comparison = Comparison(
        period=period,
        countries=[conf.country_code(), *[i.country for i in imports]],
        by=by,
        by_choices=[("", "—")] + [(d, str(LABELS[d])) for d in SHARED],
        imports=imports,
    )
    for indicator in INDICATORS.values():
        if not any(exchange.cell_of(p, indicator.code) for p in payloads):
            continue
        name = str(indicator.name)
        comparison.rows.append(
            ComparisonRow(
                name,
                "",
                [
                    exchange.display(exchange.cell_of(p, indicator.code), indicator.kind)
                    for p in payloads
                ],
            )
        )
        if by and by in indicator.disaggregations:
            for code, label in _category_labels(by):
                comparison.rows.append(
                    ComparisonRow(
                        "",
                        label,
                        [
                            exchange.display(
                                exchange.cell_of(p, indicator.code, {by: code}), indicator.kind
                            )
                            for p in payloads
                        ],
                    )
                )
    return comparison
