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

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Expression, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language

from tirek.organisations.models import Agency, Region

from . import conf, sdc
from .cube import ROOT, Dimension, N, PublishedCube, RegionTree, Row, Split, StatSpec, build_cube
from .dimensions import (
    LABELS,
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

    expression: Callable[[Period], Expression] | None = None
    top_code: float | None = None
    within: str | None = None  # only rows in this split's "yes" side
    label: Any = None  # for a family of stats shown as one breakdown (e.g. by domain)
    # Instead of ``expression``: SQL over the row's columns (``Population.row_columns``),
    # given the identifier-quoting function; returns (sql, params). Evaluated once per row.
    sql: Callable[[Callable[[str], str]], tuple[str, list[Any]]] | None = None


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
    dimensions: Callable[[Period], dict[str, Expression | F]] = field(default=lambda period: {})
    quarter: Callable[[Period], Expression] | None = None  # flows: quarter of the event
    splits: dict[str, SplitDef] = field(default_factory=dict)  # parents first
    stats: dict[str, Stat] | Callable[[Period], dict[str, Stat]] = field(default_factory=dict)
    counted: Any = None  # what one row is, in words ("cases", "staff")
    custom_rows: Callable[[Period, Scope], CustomRows] | None = None
    stat_labels: Callable[[Period], dict[str, str]] | None = None  # labels of a stat family
    # Extra per-row columns (computed once per row) for stats written in SQL, and a
    # condition on them, in SQL, that a row must meet to belong to the population.
    row_columns: Callable[[Period], dict[str, Expression | F]] | None = None
    row_filter: Callable[[Callable[[str], str]], str] | None = None

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


# Cubes already labelled in this process, by (snapshot key, language): no database, no
# decoding on the next request. Each entry lives as long as its snapshot is fresh; at most
# _MEMO_LIMIT entries (a 100k-case cube is a few MB; a dashboard needs at most nine), the
# oldest going first, so the web process stays within its memory budget.
_MEMO: dict[tuple[str, str], tuple[float, PublishedCube]] = {}
_MEMO_LIMIT = 24


def cube_key(population: Population, period: Period, scope: Scope, threshold: int) -> str:
    # The perturbation setting and the secret are part of the key: changing either must
    # not serve figures made under the old one.
    return (
        f"{population.code}:{period.code}:{scope.code}:{threshold}"
        f":{conf.sdc_max_noise()}:{conf.sdc_key_fingerprint()}"
    )


def compute(population: Population, period: Period, scope: Scope) -> PublishedCube:
    """The protected cube of ``population`` in ``period`` and ``scope``.

    Computing a cube is the expensive part (one aggregation in SQL, then the protection);
    its result — codes and published numbers only, never a hidden value — is kept as a
    ``CubeSnapshot`` row for ``TIREK_REPORTS_CACHE_SECONDS`` and shared by every process.
    ``tirek worker`` (the schedule) refreshes the snapshots of the current and
    the previous year, so dashboards read snapshots. Labels are added per language when a
    snapshot is loaded.
    """
    from .models import CubeSnapshot

    threshold = conf.sdc_threshold()
    seconds = conf.cache_seconds()
    if seconds <= 0:
        return label(
            population, period, scope, _compute(population, period, scope, threshold).to_json()
        )
    key = cube_key(population, period, scope, threshold)
    language = get_language() or "ru"
    now = time.monotonic()
    hit = _MEMO.get((key, language))
    if hit is not None and hit[0] > now:
        return hit[1]
    fresh_after = timezone.now() - timedelta(seconds=seconds)
    found = (
        CubeSnapshot.objects.filter(key=key, computed_at__gt=fresh_after)
        .values_list("payload", flat=True)
        .first()
    )
    payload = found if found is not None else store(population, period, scope, threshold)
    cube = label(population, period, scope, payload)
    age = (timezone.now() - cube.computed_at).total_seconds()
    while len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.pop(next(iter(_MEMO)))  # dicts keep insertion order: the oldest first
    _MEMO[(key, language)] = (now + max(seconds - age, 0), cube)
    return cube


def store(population: Population, period: Period, scope: Scope, threshold: int) -> dict[str, Any]:
    """Compute the cube afresh and keep it as the snapshot; returns its payload."""
    from .models import CubeSnapshot

    payload = _compute(population, period, scope, threshold).to_json()
    CubeSnapshot.objects.update_or_create(
        key=cube_key(population, period, scope, threshold),
        defaults={
            "computed_at": datetime.fromisoformat(payload["computed_at"]),
            "payload": payload,
        },
    )
    return payload


def refresh(periods: list[Period] | None = None) -> int:
    """Recompute the national snapshots (by default of this year and the last); returns
    how many. Run by the worker so that no visitor waits for a cube."""
    periods = periods or [Period.current(), Period(Period.current().year - 1)]
    threshold = conf.sdc_threshold()
    count = 0
    for period in periods:
        for population in POPULATIONS.values():
            store(population, period, Scope.country(), threshold)
            count += 1
    _MEMO.clear()
    return count


# Labels of categories, by dimension: a function from category codes to labels.
DIMENSION_LABELERS: dict[str, Callable[[list[str]], dict[str, Any]]] = {
    "phase": lambda codes: dict(phase_dimension().categories),
    "sex": lambda codes: dict(sex_dimension().categories),
    "age_band": lambda codes: dict(age_dimension().categories),
    "quarter": lambda codes: dict(quarter_dimension().categories),
    "agency": lambda codes: dict(
        agency_dimension(
            dict(
                Agency.objects.filter(pk__in=[int(c) for c in codes if c.isdigit()]).values_list(
                    "pk", "name"
                )
            )
        ).categories
    ),
}


def label(
    population: Population, period: Period, scope: Scope, payload: dict[str, Any]
) -> PublishedCube:
    """The snapshot with names and labels in the active language."""
    region_ids = {n[2] for n in payload["nodes"] if n[2]}
    names = {r.pk: r.name for r in Region.objects.filter(pk__in=region_ids)}
    node_names = {
        key: names.get(region_id, "") for key, _parent, region_id, _u, _c in payload["nodes"]
    }
    root = scope.label if scope.unit_id is not None else node_names.get(ROOT) or conf.country_code()
    node_names[ROOT] = root
    node_names.setdefault(f"{ROOT}+", root)
    if not node_names[f"{ROOT}+"]:
        node_names[f"{ROOT}+"] = root
    dimension_labels = {
        code: (
            LABELS.get(code, code),
            DIMENSION_LABELERS[code](categories) if code in DIMENSION_LABELERS else {},
        )
        for code, categories in payload["dimensions"]
    }
    stat_labels = population.stat_labels(period) if population.stat_labels else {}
    return PublishedCube.from_json(
        payload, node_names=node_names, dimension_labels=dimension_labels, stat_labels=stat_labels
    )


def _compute(population: Population, period: Period, scope: Scope, threshold: int) -> PublishedCube:
    tree = RegionTree.single(scope.label) if scope.unit_id is not None else region_tree()
    stats = population.stats_for(period)
    if population.custom_rows is not None:
        custom = population.custom_rows(period, scope)
        rows, dimensions = custom.rows, custom.dimensions
        if scope.unit_id is not None:
            rows = [Row(ROOT, r.categories, r.counts, r.sums, r.maxima, r.keys) for r in rows]
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
            keys = {N: int(r["k_n"] or 0)}
            keys.update({code: int(r[f"k_{code}"] or 0) for code in population.splits})
            keys.update({f"has_{code}": int(r[f"k_has_{code}"] or 0) for code in stats})
            rows.append(
                Row(
                    leaf=leaf,
                    categories=categories,
                    counts=counts,
                    keys=keys,
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
        max_noise=conf.sdc_max_noise(),
    )


def _aggregate(
    population: Population, period: Period, scope: Scope, stats: dict[str, Stat]
) -> list[dict[str, Any]]:
    """Counts, sums and maxima per region and category, grouped in SQL.

    Two levels: the population's queryset computes each row's region, categories, split
    flags and stat values once (an inner SELECT built by the ORM); the outer SELECT groups
    and aggregates them. Aggregating directly with ``values().annotate()`` would repeat
    every per-row subquery in each aggregate that uses it (COUNT, SUM and MAX of a stat).
    """
    assert population.queryset is not None
    qs = population.queryset(period)
    if scope.unit_id is not None:
        qs = qs.none() if population.unit is None else qs.filter(**{population.unit: scope.unit_id})
    if qs.query.is_empty():
        return []
    dims = dict(population.dimensions(period))
    if population.quarter is not None:
        dims["quarter"] = population.quarter(period)
    columns: dict[str, Any] = {"r_region": _field(population.region), "r_pk": F("pk")}
    columns.update({f"d_{k}": v for k, v in dims.items()})
    for code in population.splits:
        # Cast: PostgreSQL would type the bare parameters of a materialized column as text.
        columns[f"f_{code}"] = Cast(
            SqlCase(
                When(_condition(population, code, period), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            IntegerField(),
        )
    columns.update(
        {f"v_{code}": st.expression(period) for code, st in stats.items() if st.expression}
    )
    if population.row_columns is not None:
        columns.update(population.row_columns(period))
    inner_sql, params = qs.annotate(**columns).values(*columns).order_by().query.sql_with_params()
    q = connection.ops.quote_name
    params = list(params)
    # Each level is a MATERIALIZED common table expression: SQLite and PostgreSQL would
    # otherwise inline it and evaluate a row's subqueries again in every expression that
    # uses the column (COUNT, SUM and MAX of a stat; the SQL-written stats below).
    written = {code: st for code, st in stats.items() if st.sql is not None}
    extra, extra_params = [], []
    for code, st in written.items():
        assert st.sql is not None
        sql_part, sql_params = st.sql(q)
        extra.append(f", ({sql_part}) AS {q(f'v_{code}')}")
        extra_params.extend(sql_params)
    # Each row's record key (the cell-key method): summed per group like the counts.
    secret = conf.record_key_secret(qs.model._meta.label_lower)
    extra.append(f", {sdc.record_key_sql(q('r_pk'), secret)} AS {q('k_row')}")
    where = f" WHERE {population.row_filter(q)}" if population.row_filter else ""
    group = ["r_region", *[f"d_{k}" for k in dims]]
    key = q("k_row")
    select = [q(g) for g in group] + ["COUNT(*)"]
    select += [f"SUM({q(f'f_{code}')})" for code in population.splits]
    for code, stat in stats.items():
        value = q(f"v_{code}")
        # A stat inside a split counts only the rows in it (the others' value is ignored).
        inside = f"{q(f'f_{stat.within}')} = 1 AND " if stat.within else ""
        when = f"CASE WHEN {inside}{value} IS NOT NULL THEN"
        select += [f"COUNT({when} 1 END)", f"SUM({when} {value} END)", f"MAX({when} {value} END)"]
    select += [f"SUM({key})"]
    select += [
        f"SUM(CASE WHEN {q(f'f_{code}')} = 1 THEN {key} ELSE 0 END)" for code in population.splits
    ]
    for code, stat in stats.items():
        inside = f"{q(f'f_{stat.within}')} = 1 AND " if stat.within else ""
        select += [f"SUM(CASE WHEN {inside}{q(f'v_{code}')} IS NOT NULL THEN {key} ELSE 0 END)"]
    # Only quoted identifiers of our own and the ORM's parameterised SQL go in here.
    sql = (
        f"WITH {q('rows')} AS MATERIALIZED ({inner_sql}), "  # noqa: S608
        f"{q('population')} AS MATERIALIZED "
        f"(SELECT {q('rows')}.*{''.join(extra)} FROM {q('rows')}{where}) "
        f"SELECT {', '.join(select)} FROM {q('population')} "
        f"GROUP BY {', '.join(q(g) for g in group)}"
    )
    params = [*params, *extra_params]
    names = [*group, "c_n", *[f"c_{code}" for code in population.splits]]
    for code in stats:
        names += [f"c_has_{code}", f"s_{code}", f"m_{code}"]
    names += ["k_n", *[f"k_{code}" for code in population.splits]]
    names += [f"k_has_{code}" for code in stats]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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
