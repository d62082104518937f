"""Published figures of an indicator, cut from its protected cube.

Every output — page, chart, API, CSV, XLSX, PDF, regional exchange — takes its numbers
from these functions and nowhere else, so they all show the same protected values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import sdc
from .cube import ROOT, TOTAL, N, PublishedCube, Split
from .dimensions import LABELS
from .registry import INDICATORS, Indicator

# One mark for every hidden cell, primary or complementary: a different mark for the
# complements would tell which cells are the small ones (Rosstat prints "…" likewise).
HIDDEN = "…"
HIDDEN_NOTE = gettext_lazy(
    "… — hidden: fewer than %(threshold)s people, or a figure that would let a hidden one be "
    "worked out from the totals."
)


@dataclass(frozen=True)
class Value:
    """One published figure of an indicator for one group."""

    kind: str
    count: sdc.Cell  # count: the count; share: the numerator; mean: people with a value
    denominator: sdc.Cell | None = None
    percent: float | None = None
    mean: sdc.Statistic | None = None
    maximum: sdc.Statistic | None = None

    @property
    def suppressed(self) -> bool:
        if self.kind == "count":
            return self.count.suppressed
        if self.kind == "share":
            return self.percent is None and not self._empty
        return self.mean is None or self.mean.suppressed

    @property
    def _empty(self) -> bool:
        return self.denominator is not None and self.denominator.value == 0

    @property
    def number(self) -> float | None:
        """What a chart plots: the count, the percentage or the mean."""
        if self.kind == "count":
            return None if self.count.value is None else float(self.count.value)
        if self.kind == "share":
            return self.percent
        return None if self.mean is None else self.mean.value

    def display(self) -> str:
        if self.kind == "count":
            return cell_text(self.count)
        if self.kind == "share":
            if self.percent is not None:
                return f"{format_number(self.percent)} %"
            return "—" if self._empty else HIDDEN
        if self.mean is None or self.mean.value is None:
            return "—" if self.count.value == 0 else HIDDEN
        return format_number(self.mean.value)


def format_number(value: float | int | None) -> str:
    if value is None:
        return HIDDEN
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:,.1f}".replace(",", "\u00a0")


def cell_text(cell: sdc.Cell) -> str:
    return HIDDEN if cell.suppressed or cell.value is None else format_number(cell.value)


def stat_text(stat: sdc.Statistic | None) -> str:
    if stat is None or stat.value is None:
        return HIDDEN
    text = format_number(stat.value)
    return f"≥ {text}" if stat.top_coded else text


def value(
    indicator: Indicator, cube: PublishedCube, node: str, dim: str = TOTAL, cat: str = TOTAL
) -> Value:
    if indicator.kind == "count":
        measure = N if indicator.measure == N else Split(indicator.measure).yes
        return Value("count", cube.cell(node, dim, cat, measure))
    if indicator.kind == "share":
        split = _split_of(indicator, cube)
        numerator = cube.cell(node, dim, cat, split.yes)
        denominator = cube.cell(node, dim, cat, split.within)
        percent = None
        if (
            numerator.value is not None
            and denominator.value
            and denominator.value >= cube.threshold
        ):
            percent = round(100.0 * numerator.value / denominator.value, 1)
        return Value("share", numerator, denominator, percent)
    has = Split(f"has_{indicator.measure}")
    return Value(
        "mean",
        cube.cell(node, dim, cat, has.yes),
        mean=cube.mean(node, indicator.measure, dim, cat),
        maximum=cube.maximum(node, indicator.measure, dim, cat),
    )


def _split_of(indicator: Indicator, cube: PublishedCube) -> Split:
    """The split with its ``within`` as the cube knows it."""
    from .registry import POPULATIONS

    definition = POPULATIONS[cube.population].splits[indicator.measure]
    within = Split(definition.within).yes if definition.within else N
    return Split(indicator.measure, within)


# --- breakdowns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    value: Value


@dataclass(frozen=True)
class Breakdown:
    """One indicator by the categories of one dimension (or by sub-region) in one node."""

    indicator: Indicator
    dimension: str
    dimension_label: Any
    lines: list[Line]
    total: Value


def node_label(cube: PublishedCube, key: str) -> str:
    node = cube.tree.nodes.get(key)
    if node is None:
        return key
    if node.unallocated:
        return _("%(region)s — no district given") % {"region": node.name}
    return node.name


def breakdown(indicator: Indicator, cube: PublishedCube, node: str, dim: str) -> Breakdown:
    total = value(indicator, cube, node)
    if dim == "region":
        lines = [
            Line(child.key, node_label(cube, child.key), value(indicator, cube, child.key))
            for child in cube.children(node)
        ]
        return Breakdown(indicator, dim, LABELS["region"], lines, total)
    dimension = cube.dimensions.get(dim)
    if dimension is None:
        return Breakdown(indicator, dim, LABELS.get(dim, dim), [], total)
    lines = [
        Line(code, str(label), value(indicator, cube, node, dim, code))
        for code, label in dimension.categories
    ]
    return Breakdown(indicator, dim, dimension.label, lines, total)


@dataclass(frozen=True)
class CrossTable:
    """Sub-regions × the categories of one dimension, with both margins."""

    indicator: Indicator
    dimension_label: Any
    columns: list[tuple[str, str]]
    rows: list[tuple[str, str, list[Value], Value]]  # code, label, cells, row total
    column_totals: list[Value]
    total: Value


def cross_table(
    indicator: Indicator, cube: PublishedCube, node: str, dim: str
) -> CrossTable | None:
    dimension = cube.dimensions.get(dim)
    children = cube.children(node)
    if dimension is None or not children:
        return None
    columns = [(code, str(label)) for code, label in dimension.categories]
    rows = [
        (
            child.key,
            node_label(cube, child.key),
            [value(indicator, cube, child.key, dim, code) for code, _label in columns],
            value(indicator, cube, child.key),
        )
        for child in children
    ]
    return CrossTable(
        indicator,
        dimension.label,
        columns,
        rows,
        [value(indicator, cube, node, dim, code) for code, _label in columns],
        value(indicator, cube, node),
    )


def default_node(cube: PublishedCube) -> str:
    return ROOT


def indicator(code: str) -> Indicator | None:
    return INDICATORS.get(code)
