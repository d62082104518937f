"""An intruder who combines everything an M&E analyst can fetch, with linear programming.

``fetch`` collects every published count the way the analyst gets it: the dashboards the
API serves (``dashboards.build``, every audience the analyst has, every year, every region
and every breakdown, cross tables included) and the regional exchange file. The same cell
fetched twice must show the same number.

``attack`` then writes down what the intruder knows — the published figures (exact, or
within the published perturbation bound), that hidden counts are ≥ 0, and the identities
that hold between true counts: the margins of each table, region = its sub-regions,
outcome splits (numerator ⊂ denominator, nested splits), and across years the stock-flow
identity ``active(y) = active(y-1) + registered(y) - closed(y)`` per region, sex, phase
and agency — and bounds every truly small cell (1 … threshold-1 people) with scipy's HiGHS
linear-programming solver. A cell is *disclosed* when the intruder can prove it lies in
1 … threshold-1 (integer bounds after rounding the LP's), and *pinned* when its bounds meet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.test import override_settings
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from tirek.reports import conf, dashboards, exchange, permissions, sdc
from tirek.reports.cube import ROOT, TOTAL, N, PublishedCube, Split, cube_table
from tirek.reports.periods import Period
from tirek.reports.registry import INDICATORS, POPULATIONS, Indicator, Scope, _compute
from tirek.reports.tables import Value

CellId = tuple[str, int, str, str, str, str]  # population, year, node, dim, cat, measure
STOCK_FLOW_DIMENSIONS = ("sex", "phase", "agency")


@dataclass
class Publication:
    """What the analyst fetched: published counts (``None``: hidden) and each cube's
    structure (the region tree and categories are visible on every page)."""

    threshold: int
    max_noise: int
    published: dict[CellId, int | None] = field(default_factory=dict)
    cubes: dict[tuple[str, int], PublishedCube] = field(default_factory=dict)
    conflicts: list[tuple[CellId, int | None, int | None]] = field(default_factory=list)
    tables: int = 0

    def see(self, cell: CellId, value: int | None) -> None:
        if cell in self.published and self.published[cell] != value:
            self.conflicts.append((cell, self.published[cell], value))
        self.published[cell] = value


def _counts_of(
    indicator: Indicator, value: Value, cube: PublishedCube
) -> list[tuple[str, int | None]]:
    """The published counts behind one figure, by measure."""
    if indicator.kind == "count":
        measure = N if indicator.measure == N else Split(indicator.measure).yes
        return [(measure, value.count.value)]
    if indicator.kind == "share":
        definition = POPULATIONS[cube.population].splits[indicator.measure]
        within = Split(definition.within).yes if definition.within else N
        assert value.denominator is not None
        return [
            (Split(indicator.measure).yes, value.count.value),
            (within, value.denominator.value),
        ]
    return [(Split(f"has_{indicator.measure}").yes, value.count.value)]


def fetch(analyst: Any, years: Iterable[int]) -> Publication:
    """Every table the analyst can open, as the API builds it."""
    publication: Publication | None = None
    for year in years:
        period = Period(year)
        for audience in permissions.audiences(analyst):
            first = dashboards.build(audience, analyst, period=period)
            regions = [code for code, _label in first.region_choices] or [ROOT]
            for region in regions:
                for by, _label in first.by_choices:
                    board = dashboards.build(audience, analyst, period=period, region=region, by=by)
                    if publication is None:
                        publication = Publication(board.threshold, board.max_noise)
                    _read_board(publication, board, year)
        _read_exchange(publication, analyst, period)
    assert publication is not None
    return publication


def _read_board(publication: Publication, board: dashboards.Dashboard, year: int) -> None:
    for panel in board.panels:
        indicator, cube = panel.indicator, panel.cube
        publication.cubes[(cube.population, year)] = cube

        def see(
            node: str,
            dim: str,
            cat: str,
            value: Value,
            indicator: Indicator = indicator,
            cube: PublishedCube = cube,
        ) -> None:
            for measure, number in _counts_of(indicator, value, cube):
                publication.see((cube.population, year, node, dim, cat, measure), number)

        publication.tables += 1
        see(board.node, TOTAL, TOTAL, panel.headline)
        data = panel.breakdown
        for line in data.lines:
            if data.dimension == "region":
                see(line.code, TOTAL, TOTAL, line.value)
            elif data.dimension != "domain":
                see(board.node, data.dimension, line.code, line.value)
        if panel.cross is not None:
            publication.tables += 1
            for child, _label, cells, row_total in panel.cross.rows:
                see(child, TOTAL, TOTAL, row_total)
                for (code, _name), value in zip(panel.cross.columns, cells, strict=True):
                    see(child, board.by, code, value)
            for (code, _name), value in zip(
                panel.cross.columns, panel.cross.column_totals, strict=True
            ):
                see(board.node, board.by, code, value)


def _read_exchange(publication: Publication | None, analyst: Any, period: Period) -> None:
    if publication is None or not permissions.may_import_exchange(analyst):
        return
    data = exchange.build(period)
    publication.tables += 1
    for item in data["indicators"]:
        indicator = INDICATORS[item["code"]]
        cube = publication.cubes.get((indicator.population, period.year))
        if cube is None:
            continue
        for cell in item["cells"]:
            dim, cat = next(iter(cell["keys"].items()), (TOTAL, TOTAL))
            if indicator.kind == "count":
                counts = [
                    (N if indicator.measure == N else Split(indicator.measure).yes, cell["value"])
                ]
            elif indicator.kind == "share":
                definition = POPULATIONS[cube.population].splits[indicator.measure]
                within = Split(definition.within).yes if definition.within else N
                counts = [
                    (Split(indicator.measure).yes, cell["numerator"]),
                    (within, cell["denominator"]),
                ]
            else:
                counts = [(Split(f"has_{indicator.measure}").yes, cell["n"])]
            for measure, number in counts:
                publication.see((cube.population, period.year, ROOT, dim, cat, measure), number)


def republish(publication: Publication) -> Publication:
    """The same fetched cells as the cubes give them under the current settings — another
    ``TIREK_SDC_KEY``, hence other record keys and other noise. The analyst's tables are cut
    from the country cubes, so this is what ``fetch`` would read, without rebuilding every
    dashboard; which cells are hidden does not depend on the key (asserted)."""
    cubes = {
        (population, year): _compute(
            POPULATIONS[population], Period(year), Scope.country(), conf.sdc_threshold()
        )
        for population, year in publication.cubes
    }
    again = Publication(publication.threshold, conf.sdc_max_noise())
    again.cubes, again.tables = publication.cubes, publication.tables
    for cell, before in publication.published.items():
        population, year, node, dim, cat, measure = cell
        cube = cubes.get((population, year))
        value = cube.values.get((node, dim, cat, measure), 0) if cube else 0
        assert (value is None) == (before is None), f"{cell} hidden under one key only"
        again.published[cell] = value
    return again


# --- the truth, and the identities between true counts -------------------------------------


def _splits(population: str, year: int) -> list[Split]:
    definition = POPULATIONS[population]
    stats = definition.stats_for(Period(year))
    return [
        Split(code, Split(d.within).yes if d.within else N) for code, d in definition.splits.items()
    ] + [Split(f"has_{code}", Split(s.within).yes if s.within else N) for code, s in stats.items()]


def true_counts(publication: Publication) -> dict[CellId, int]:
    """Every cell's true count (threshold 1: nothing hidden; exact counts)."""
    truth: dict[CellId, int] = {}
    for population, year in publication.cubes:
        with override_settings(TIREK_SDC_MAX_NOISE=0):
            exact = _compute(POPULATIONS[population], Period(year), Scope.country(), threshold=1)
        assert exact.max_noise == 0, "the truth is computed without perturbation"
        for (node, dim, cat, measure), value in exact.values.items():
            assert value is not None
            truth[(population, year, node, dim, cat, measure)] = value
    return truth


@dataclass
class System:
    """Unknowns (every cell of every fetched cube) and equations ``sum(coef * x) = 0``."""

    cells: list[CellId]
    index: dict[CellId, int]
    equations: list[dict[int, int]]


def identities(publication: Publication) -> System:
    cells: list[CellId] = []
    index: dict[CellId, int] = {}
    equations: list[dict[int, int]] = []
    for (population, year), cube in publication.cubes.items():
        local, _values, relations = cube_table(
            cube.tree,
            list(cube.dimensions.values()),
            cube.measures,
            _splits(population, year),
            {},
        )
        offset = len(cells)
        order = sorted(local, key=local.__getitem__)
        for key in order:
            cell = (population, year, *key)
            index[cell] = len(cells)
            cells.append(cell)
        for relation in relations:
            row = {offset + relation.total: 1}
            for part in relation.parts:
                row[offset + part] = row.get(offset + part, 0) - 1
            equations.append(row)
    years = sorted({year for _population, year in publication.cubes})
    for year in years:
        equations += _stock_flow(publication, index, year)
    return System(cells, index, equations)


def _stock_flow(
    publication: Publication, index: Mapping[CellId, int], year: int
) -> list[dict[int, int]]:
    """``active(y) - active(y-1) - registered(y) + closed(y) = 0`` per node and category of
    the attributes a case keeps over time (region, sex, phase, agency). A node or category
    missing from a fetched table is a known zero."""
    terms = [
        ("active", year, 1),
        ("active", year - 1, -1),
        ("registered", year, -1),
        ("closed", year, 1),
    ]
    if not all((population, y) in publication.cubes for population, y, _sign in terms):
        return []
    groups: set[tuple[str, str, str]] = set()
    for population, y, _sign in terms:
        cube = publication.cubes[(population, y)]
        for node in cube.tree.nodes:
            groups.add((node, TOTAL, TOTAL))
            for dim in STOCK_FLOW_DIMENSIONS:
                if dim in cube.dimensions:
                    for code, _label in cube.dimensions[dim].categories:
                        groups.add((node, dim, code))
    equations = []
    for node, dim, cat in sorted(groups):
        row: dict[int, int] = {}
        for population, y, sign in terms:
            i = index.get((population, y, node, dim, cat, N))
            if i is not None:
                row[i] = row.get(i, 0) + sign
        if row:
            equations.append(row)
    return equations


# --- the attack -------------------------------------------------------------------------------


@dataclass
class Finding:
    cell: CellId
    true: int
    low: int
    high: int

    @property
    def pinned(self) -> bool:
        return self.low == self.high

    def kind(self, threshold: int) -> str:
        """pinned; "1-4": known to be small; "<5": known to be under the threshold (maybe 0);
        ">0": known not to be zero (maybe t or more). Each breaks the protection interval."""
        if self.pinned:
            return "pinned"
        if self.low >= 1 and self.high < threshold:
            return "small"
        return "below" if self.high < threshold else "nonzero"


@dataclass
class Result:
    targets: int  # truly small cells bounded
    hidden: int
    published: int
    perturbed: int  # published counts that differ from the true count
    findings: list[Finding]
    lps: int
    nonzero: int = 0  # published counts other than 0
    mean_noise: float = 0.0  # mean absolute difference from the truth over those

    def of_kind(self, kind: str, threshold: int) -> list[Finding]:
        return [f for f in self.findings if f.kind(threshold) == kind]

    def summary(self, threshold: int) -> str:
        return (
            f"{len(self.of_kind('pinned', threshold))} pinned, "
            f"{len(self.of_kind('small', threshold))} more known to be 1-{threshold - 1}, "
            f"{len(self.of_kind('below', threshold))} known to be under {threshold}, "
            f"{len(self.of_kind('nonzero', threshold))} known not to be 0"
        )


def attack(
    publication: Publication,
    truth: Mapping[CellId, int],
    system: System,
    noise_of: Callable[[CellId], int] | None = None,
) -> Result:
    """Bound every truly small cell; report those proven to be 1 … threshold-1.
    ``noise_of`` gives the published noise bound of a cell (default: the publication's)."""
    t, noise = publication.threshold, publication.max_noise
    n = len(system.cells)
    low = np.zeros(n)
    high = np.full(n, np.inf)
    hidden = published = perturbed = nonzero = noise_total = 0
    for cell, value in publication.published.items():
        i = system.index.get(cell)
        if i is None:
            assert not value, f"a published cell outside every table: {cell}"
            continue
        if value is None:
            hidden += 1
            continue
        published += 1
        perturbed += value != truth.get(cell, 0)
        if value:
            nonzero += 1
            noise_total += abs(value - truth.get(cell, 0))
        bound = noise if noise_of is None else noise_of(cell)
        low[i], high[i] = sdc.bounds_of_published(value, t, bound)
    # The true counts satisfy every identity and every bound: the system is the truth's.
    true_vector = np.array([truth.get(cell, 0) for cell in system.cells], dtype=float)
    assert np.all(true_vector >= low) and np.all(true_vector <= high), "a bound excludes the truth"
    rows, cols, data = [], [], []
    for r, equation in enumerate(system.equations):
        for c, coef in equation.items():
            rows.append(r)
            cols.append(c)
            data.append(coef)
    matrix = csr_matrix((data, (rows, cols)), shape=(len(system.equations), n))
    assert not np.any(matrix @ true_vector), "an identity does not hold for the true counts"
    # Fixed unknowns (exact published counts) go to the right-hand side: a smaller LP.
    fixed = low == high
    free = np.flatnonzero(~fixed)
    position = {int(c): k for k, c in enumerate(free)}
    a_free = matrix[:, free]
    rhs = -(matrix[:, np.flatnonzero(fixed)] @ low[fixed])
    keep = np.diff(a_free.indptr) > 0  # equations left with an unknown
    a_free, rhs = a_free[keep], rhs[keep]
    bounds = list(zip(low[free], [None if math.isinf(h) else h for h in high[free]], strict=True))
    targets = [system.index[cell] for cell, value in truth.items() if 0 < value < t]
    findings = [
        Finding(system.cells[i], int(true_vector[i]), int(low[i]), int(high[i]))
        for i in targets
        if fixed[i]
    ]
    solve = _Solver(a_free, rhs, bounds)
    # 1. Which small cells can be 0? Minimising the sum of those not yet shown to be
    # zeroes many at once (any feasible point with a cell at 0 shows that cell can be 0);
    # then one LP per cell that the sum leaves positive.
    open_cells = [position[i] for i in targets if not fixed[i]]
    positive = solve.clear(open_cells, lambda x: x <= 1e-6, maximise=False)
    lows = {c: solve.one(c, maximise=False) for c in positive}
    positive = [c for c, lo in lows.items() if lo > 1e-6]
    # 2. Which small cells can be t or more? The same, maximising the sum with every open
    # cell capped at t (a restriction: a cell reaching t there reaches it without the caps);
    # then one LP per cell left, capped alone.
    capped = solve.capped(open_cells, t)
    below = capped.clear(open_cells, lambda x: x >= t - 1e-6, maximise=True)
    highs = {c: solve.capped([c], t).one(c, maximise=True) for c in below}
    solve.count += len(highs)
    below = [c for c, high_value in highs.items() if high_value < t - 1e-6]
    for c in sorted(set(positive) | set(below)):
        i = int(free[c])
        findings.append(
            Finding(
                system.cells[i],
                int(true_vector[i]),
                math.ceil(lows.get(c, 0.0) - 1e-6),
                math.floor(highs.get(c, float(t)) + 1e-6),
            )
        )
    return Result(
        len(targets),
        hidden,
        published,
        perturbed,
        findings,
        solve.count + capped.count,
        nonzero,
        noise_total / max(nonzero, 1),
    )


class _Solver:
    """LPs over one system: ``a_eq x = b_eq`` within ``bounds``."""

    def __init__(self, a_eq: Any, b_eq: np.ndarray, bounds: list[Any]) -> None:
        self.a_eq, self.b_eq, self.bounds = a_eq, b_eq, bounds
        self.count = 0

    def capped(self, cells: list[int], cap: float) -> _Solver:
        bounds = list(self.bounds)
        for c in cells:
            low, high = bounds[c]
            bounds[c] = (low, cap if high is None else min(high, cap))
        return _Solver(self.a_eq, self.b_eq, bounds)

    def solve(self, objective: np.ndarray) -> Any:
        self.count += 1
        result = linprog(
            objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds, method="highs"
        )
        assert result.status == 0, result.message
        return result

    def one(self, cell: int, *, maximise: bool) -> float:
        objective = np.zeros(self.a_eq.shape[1])
        objective[cell] = -1.0 if maximise else 1.0
        value = float(self.solve(objective).fun)
        return -value if maximise else value

    def clear(self, cells: list[int], done: Any, *, maximise: bool) -> list[int]:
        """Optimise the sum of ``cells`` until no optimum settles another one; returns
        the cells never settled (``done`` on their value in some feasible point)."""
        left = list(cells)
        while left:
            objective = np.zeros(self.a_eq.shape[1])
            objective[left] = -1.0 if maximise else 1.0
            x = self.solve(objective).x
            settled = [c for c in left if done(x[c])]
            if not settled:
                break
            left = [c for c in left if not done(x[c])]
        return left
