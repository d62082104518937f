"""The indicator framework: populations (who is counted) and indicators (what is published).

An *indicator* is data: a code, a name, a definition, its numerator and denominator in
words, the disaggregations it is published by and its period — plus a reference to a
*population* (a queryset of rows, e.g. cases opened in the year) and the measure on it.

A population is computed once per period and scope as one SQL aggregation
(``values(...).annotate(Count, Sum, Max)``: counts grouped by region, disaggregation and
quarter, never a person loaded into Python) and protected as one cube, so all indicators
of that population — "registered", "of whom assessed on time" — share one suppression
pattern and cannot be subtracted from each other.

The indicator definitions themselves live in ``tirek.reports.indicators``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.cache import cache
from django.db.models import Count, Expression, Max, Q, QuerySet, Sum
from django.utils.translation import get_language

from tirek.organisations.models import Agency, Region

from . import conf
from .cube import ROOT, Dimension, N, PublishedCube, RegionTree, Row, Split, StatSpec, build_cube
from .dimensions import (
    UNKNOWN,
    age_dimension,
    agency_dimension,
    phase_dimension,
    quarter_dimension,
    sex_dimension,
)
from .periods import Period

Kind = Literal["count", "share", "mean", "sum"]
Audience = Literal["ministry", "supervisor", "training"]


@dataclass(frozen=True)
class Scope:
    """Whose rows are counted: the whole country, or one unit (a supervisor's)."""

    code: str  # "country" or "unit:<id>"
    unit_id: int | None = None
    label: str = ""

    @classmethod
    def country(cls) -> Scope:
        return cls("country")

    @classmethod
    def unit(cls, unit: Any) -> Scope:
        return cls(f"unit:{unit.pk}", unit.pk, str(unit))


@dataclass(frozen=True)
class Stat:
    """A number per row (e.g. interviews of one child), published as mean and maximum
    over the rows that have it (they are counted by the split ``has_<code>``)."""

    expression: Callable[[Period], Expression]
    top_code: float | None = None
    within: str | None = None  # only rows in this split's "yes" side
    label: Any = None  # for a family of stats shown as one breakdown (e.g. by domain)


@dataclass(frozen=True)
class SplitDef:
    """Those of the group (the population, or the "yes" side of the split ``within``)
    for whom ``condition`` holds."""

    condition: Callable[[Period], Q]
    within: str | None = None


@dataclass(frozen=True)
class CustomRows:
    """Rows computed by a population's own function (grouped in SQL, then placed on the
    tree in Python), for counts that need logic SQL cannot express (the training cascade)."""

    rows: list[Row]
    dimensions: list[Dimension]


@dataclass(frozen=True)
class Population:
    code: str
    label: Any
    queryset: Callable[[Period], QuerySet[Any]] | None = None
    region: str | Callable[[], Any] = "region_id"  # field path (or expression) of the region id
    unit: str | None = None  # field path of the supervising unit id (None: no unit scope)
    dimensions: Callable[[Period], dict[str, Expression]] = field(default=lambda period: {})
    quarter: Callable[[Period], Expression] | None = None  # flows: quarter of the event
    splits: dict[str, SplitDef] = field(default_factory=dict)  # parents first
    stats: dict[str, Stat] | Callable[[Period], dict[str, Stat]] = field(default_factory=dict)
    counted: Any = None  # what one row is, in words ("cases", "staff")
    distinct: str | None = None  # count distinct values of this field instead of rows
    custom_rows: Callable[[Period, Scope], CustomRows] | None = None

    def stats_for(self, period: Period) -> dict[str, Stat]:
        return self.stats(period) if callable(self.stats) else self.stats


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any
    definition: Any
    numerator: Any
    denominator: Any | None
    kind: Kind
    population: str
    measure: str = N  # count: N or a split; share: the split; mean, sum: the stat
    family: str | None = None  # mean: a prefix of stats shown side by side ("by domain")
    disaggregations: tuple[str, ...] = ("region", "phase", "sex", "age_band", "agency")
    period: Any = None  # how the period applies, in words
    audiences: frozenset[str] = frozenset({"ministry", "supervisor"})
    unit_label: Any = None

    @property
    def split(self) -> Split | None:
        return Split(self.measure) if self.kind == "share" or self.measure != N else None


POPULATIONS: dict[str, Population] = {}
INDICATORS: dict[str, Indicator] = {}


def register_population(population: Population) -> Population:
    POPULATIONS[population.code] = population
    return population


def register(indicator: Indicator) -> Indicator:
    if indicator.population not in POPULATIONS:
        raise ValueError(f"{indicator.code}: unknown population {indicator.population}")
    INDICATORS[indicator.code] = indicator
    return indicator


def indicators_for(audience: str) -> list[Indicator]:
    return [i for i in INDICATORS.values() if audience in i.audiences]


# --- computing a population's cube -----------------------------------------------------


def _dimension_objects(population: Population, rows: list[dict[str, Any]]) -> list[Dimension]:
    makers: dict[str, Callable[[], Dimension]] = {
        "phase": phase_dimension,
        "sex": sex_dimension,
        "age_band": age_dimension,
        "quarter": quarter_dimension,
    }
    dims: list[Dimension] = []
    for code in _dimension_codes(population):
        if code == "agency":
            ids = {r["d_agency"] for r in rows if r["d_agency"] is not None}
            names = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))
            dims.append(agency_dimension(names))
        elif code in makers:
            dims.append(makers[code]())
        else:
            dims.append(POPULATION_DIMENSIONS[code](rows))
    return dims


# Population-specific dimensions (e.g. a course) register a maker taking the raw rows.
POPULATION_DIMENSIONS: dict[str, Callable[[list[dict[str, Any]]], Dimension]] = {}


def _dimension_codes(population: Population) -> list[str]:
    codes = list(population.dimensions(Period.current()))
    if population.quarter is not None:
        codes.append("quarter")
    return codes


def region_tree() -> RegionTree:
    """The installation's country and the regions under it (regions.json holds several
    countries; one installation serves one)."""
    country = Region.objects.filter(code=conf.country_code().lower(), parent__isnull=True).first()
    if country is None:
        return RegionTree.build(Region.objects.all(), conf.country_code())
    return RegionTree.build(
        Region.objects.filter(path__startswith=country.path), country.name, country.pk
    )


def compute(population: Population, period: Period, scope: Scope) -> PublishedCube:
    """The protected cube of ``population`` in ``period`` and ``scope`` (cached)."""
    threshold = conf.sdc_threshold()
    key = f"tirek:reports:{population.code}:{period.code}:{scope.code}:{threshold}:{get_language()}"
    seconds = conf.cache_seconds()
    if seconds > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    cube = _compute(population, period, scope, threshold)
    if seconds > 0:
        cache.set(key, cube, seconds)
    return cube


def _compute(population: Population, period: Period, scope: Scope, threshold: int) -> PublishedCube:
    tree = RegionTree.single(scope.label) if scope.unit_id is not None else region_tree()
    stats = population.stats_for(period)
    if population.custom_rows is not None:
        custom = population.custom_rows(period, scope)
        rows, dimensions = custom.rows, custom.dimensions
        if scope.unit_id is not None:
            rows = [Row(ROOT, r.categories, r.counts, r.sums, r.maxima) for r in rows]
    else:
        raw = _aggregate(population, period, scope, stats)
        dimensions = _dimension_objects(population, raw)
        rows = []
        for r in raw:
            leaf = ROOT if scope.unit_id is not None else tree.leaf_of_region.get(r["r_region"])
            if leaf is None:
                continue
            categories = {}
            for d in dimensions:
                value = r[f"d_{d.code}"]
                categories[d.code] = UNKNOWN if value in (None, "") else str(value)
            counts = {N: r["c_n"]}
            counts.update({code: r[f"c_{code}"] for code in population.splits})
            counts.update({f"has_{code}": r[f"c_has_{code}"] for code in stats})
            rows.append(
                Row(
                    leaf=leaf,
                    categories=categories,
                    counts=counts,
                    sums={c: float(r[f"s_{c}"]) for c in stats if r[f"s_{c}"] is not None},
                    maxima={c: float(r[f"m_{c}"]) for c in stats if r[f"m_{c}"] is not None},
                )
            )
    splits = [
        Split(code, Split(d.within).yes if d.within else N) for code, d in population.splits.items()
    ] + [Split(f"has_{code}", Split(s.within).yes if s.within else N) for code, s in stats.items()]
    return build_cube(
        population=population.code,
        period=period.code,
        scope=scope.code,
        tree=tree,
        dimensions=dimensions,
        splits=splits,
        stats=[StatSpec(code, f"has_{code}", st.top_code) for code, st in stats.items()],
        rows=rows,
        threshold=threshold,
        stat_labels={code: str(st.label) for code, st in stats.items() if st.label is not None},
    )


def _aggregate(
    population: Population, period: Period, scope: Scope, stats: dict[str, Stat]
) -> list[dict[str, Any]]:
    """One GROUP BY in SQL: counts, sums and maxima per region and category."""
    assert population.queryset is not None
    qs = population.queryset(period)
    if scope.unit_id is not None:
        qs = qs.none() if population.unit is None else qs.filter(**{population.unit: scope.unit_id})
    dims = dict(population.dimensions(period))
    if population.quarter is not None:
        dims["quarter"] = population.quarter(period)
    annotations: dict[str, Any] = {f"d_{k}": v for k, v in dims.items()}
    annotations.update({f"v_{code}": stat.expression(period) for code, stat in stats.items()})
    counted = population.distinct or "pk"
    distinct = population.distinct is not None
    aggregates: dict[str, Any] = {"c_n": Count(counted, distinct=distinct)}
    for code in population.splits:
        aggregates[f"c_{code}"] = Count(
            counted, filter=_condition(population, code, period), distinct=distinct
        )
    for code, stat in stats.items():
        # A stat inside a split: rows outside it must not count (their value is ignored).
        inside = _condition(population, stat.within, period) if stat.within else Q()
        has_value = inside & Q(**{f"v_{code}__isnull": False})
        aggregates[f"c_has_{code}"] = Count(counted, filter=has_value, distinct=distinct)
        aggregates[f"s_{code}"] = Sum(f"v_{code}", filter=has_value)
        aggregates[f"m_{code}"] = Max(f"v_{code}", filter=has_value)
    group = ["r_region", *[f"d_{k}" for k in dims]]
    return list(
        qs.annotate(r_region=_field(population.region), **annotations)
        .values(*group)
        .annotate(**aggregates)
        .order_by()
    )


def _condition(population: Population, code: str, period: Period) -> Q:
    """The split's condition and those of the splits it lies within."""
    split = population.splits[code]
    condition = split.condition(period)
    if split.within:
        condition &= _condition(population, split.within, period)
    return condition


def _field(path: str | Callable[[], Any]) -> Any:
    from django.db.models import F

    return path() if callable(path) else F(path)
