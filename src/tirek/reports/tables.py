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
PERTURBED_NOTE = gettext_lazy(
    "To protect the people counted, every count is shifted by a small random amount (at most "
    "%(noise)s either way), the same wherever the same group appears, so that tables cannot be "
    "combined to reveal a small group. Totals may therefore differ slightly from the sum of "
    "their parts; shares and means are computed from these counts."
)


def protection_note(threshold: int, max_noise: int) -> str:
    """The legend saying how the figures are protected (pages and every export)."""
    note = str(HIDDEN_NOTE) % {"threshold": threshold}
    if max_noise > 0:
        note += " " + str(PERTURBED_NOTE) % {"noise": max_noise}
    return note


@dataclass(frozen=True)
class Value:
    """One published figure of an indicator for one group."""

    kind: str
    count: sdc.Cell  # count: the count; share: the numerator; mean: people with a value
    denominator: sdc.Cell | None = None
    percent: float | None = None
    mean: sdc.Statistic | None = None
    maximum: sdc.Statistic | None = None
    total: sdc.Statistic | None = None  # sum: the group's total

    @property
    def suppressed(self) -> bool:
        if self.kind == "count":
            return self.count.suppressed
        if self.kind == "share":
            return self.percent is None and not self._empty
        if self.count.value == 0:
            return False  # nobody in the group: nothing to hide
        if self.kind == "sum":
            return self.total is None or self.total.suppressed
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
        if self.kind == "sum":
            return None if self.total is None else self.total.value
        return None if self.mean is None else self.mean.value

    def display(self) -> str:
        if self.kind == "count":
            return cell_text(self.count)
        if self.kind == "share":
            if self.percent is not None:
                return f"{format_number(self.percent)} %"
            return "—" if self._empty else HIDDEN
        if self.kind == "sum":
            if self.total is None or self.total.value is None:
                return "0" if self.count.value == 0 else HIDDEN
            return format_number(self.total.value)
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


def stat_text(stat: sdc.Statistic | None, group: sdc.Cell | None = None) -> str:
    """A mean or maximum; "—" when the group is empty (nothing hidden, nothing to show)."""
    if group is not None and group.value == 0:
        return "—"
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
            # Perturbed counts can put a numerator a little above its denominator.
            percent = min(round(100.0 * numerator.value / denominator.value, 1), 100.0)
        return Value("share", numerator, denominator, percent)
    return stat_value(indicator.kind, cube, node, indicator.measure, dim, cat)


def stat_value(
    kind: str, cube: PublishedCube, node: str, stat: str, dim: str = TOTAL, cat: str = TOTAL
) -> Value:
    has = cube.cell(node, dim, cat, Split(f"has_{stat}").yes)
    if kind == "sum":
        return Value("sum", has, total=cube.total(node, stat, dim, cat))
    return Value(
        "mean",
        has,
        mean=cube.mean(node, stat, dim, cat),
        maximum=cube.maximum(node, stat, dim, cat),
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
    if dim == "domain" and indicator.family:
        lines = [
            Line(code, label, stat_value(indicator.kind, cube, node, code))
            for code, label in cube.stat_labels.items()
            if code.startswith(indicator.family) and code != indicator.measure
        ]
        return Breakdown(indicator, dim, LABELS["domain"], lines, total)
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
