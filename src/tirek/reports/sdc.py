"""Statistical disclosure control: which cells of a table may be published.

Pure functions over tables; no Django, no database. Everything that leaves the case
view as an aggregate (pages, API, CSV, XLSX, PDF, regional exchange) goes through here.

The model
---------
A *table* is a list of non-negative integer cells and a list of additive *relations*
``total = part_1 + … + part_n``. A 1-D table with its total is one relation; a 2-D table
with margins has one relation per row and one per column, including the margin row and
margin column; a region tree adds "region = its sub-regions"; a year adds "year = its
quarters". Because every published view of an indicator is cut from one table with all
these relations, the cells shown in two different views are protected together
(a secondary suppression in the national table cannot be undone by opening the region).

The rules (``protect``)
-----------------------
1. Primary suppression: a cell counting 1 … threshold-1 people is hidden.
2. Small selections: when the total of a selection (a region, the whole table) is small,
   every cell under it is hidden too, zeros included ("no drill-down that narrows to one
   person": a zero next to a hidden 3 would say who the three are).
3. Complementary suppression, per relation, until nothing changes:
   - a relation with a hidden cell must hide at least two of its cells
     (otherwise the hidden one is its total minus the rest);
   - when its total is published, the hidden parts must together count at least
     ``threshold`` people (otherwise "these two cells hold 3 people" is itself a small
     cell). The complement is the smallest published non-zero part; if there is none,
     the total is hidden.
4. Audit: the hidden cells are checked for exact derivability from *all* published
   cells and relations together (linear algebra over the rationals: a hidden cell is
   derivable when it is fixed by every solution). Rule 3 alone misses patterns such as
   two suppressed rectangles joined by a single cell; each derivable cell gets another
   complement and the rules run again. Zeros told by a published zero total
   (``known_zeros``) are exempt, as in rule 3: anyone knows them whatever is hidden.

5. Perturbation (the cell-key method, ``perturbed``): every published count of
   ``threshold`` people or more gets a small noise, at most ``max_noise`` either way, looked
   up in a fixed table from the cell's value and its *cell key* — the sum, modulo 1, of the
   persistent random keys of the records it counts. The same set of people therefore shows
   the same number in every table, year and output; but no published count is exact, so
   the relations *between* tables (years through the stock-flow identity, populations,
   indicators) no longer pin a hidden cell. Zeros stay zero; published counts are never
   1 … threshold-1. Rules 1–4 protect each table; rule 5 protects their combinations.

docs/disclosure-control.md gives the reasons, the guarantees, the measured losses and what
is not protected.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

DEFAULT_THRESHOLD = 5

K = TypeVar("K")
R = TypeVar("R")
C = TypeVar("C")


@dataclass(frozen=True)
class Relation:
    """``values[total] == sum(values[p] for p in parts)``."""

    total: int
    parts: tuple[int, ...]

    @property
    def cells(self) -> tuple[int, ...]:
        return (self.total, *self.parts)


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def check_table(values: Sequence[int], relations: Sequence[Relation]) -> None:
    """Refuse a table that is not what it claims: negative cells or a broken relation."""
    for index, value in enumerate(values):
        if value < 0:
            raise ValueError(f"cell {index} is negative ({value})")
    for relation in relations:
        if not relation.parts:
            raise ValueError("a relation needs at least one part")
        if values[relation.total] != sum(values[p] for p in relation.parts):
            raise ValueError(f"cell {relation.total} is not the sum of its parts")


def protect(
    values: Sequence[int],
    relations: Sequence[Relation],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    forced: Iterable[int] = (),
    containers: Iterable[int] | None = None,
) -> frozenset[int]:
    """The indexes of the cells to hide. ``forced`` cells are hidden whatever their value.

    ``containers`` are the totals of a *selection* (a region, the whole table): when one
    counts 1 … threshold-1 people, every cell beneath it is hidden too, zeros included —
    a selection narrowed to a few people shows nothing. By default, the totals that are
    part of no other relation (the grand total)."""
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    check_table(values, relations)
    relations_of: dict[int, list[int]] = defaultdict(list)
    totalled_by: dict[int, list[int]] = defaultdict(list)  # cell -> relations it is total of
    for r, relation in enumerate(relations):
        for cell in relation.cells:
            relations_of[cell].append(r)
        totalled_by[relation.total].append(r)

    hidden: set[int] = {i for i, v in enumerate(values) if is_small(v, threshold)}
    hidden.update(forced)
    if containers is None:
        parts = {p for relation in relations for p in relation.parts}
        containers = [t for t in totalled_by if t not in parts]
    _hide_under_small_totals(values, relations, totalled_by, hidden, threshold, containers)
    while True:
        _complete_relations(values, relations, relations_of, hidden, threshold)
        # A zero beneath a published zero total is told by that total whatever is hidden
        # (counts are never negative): it needs no complement, as in rule 3, and is no
        # complement either. Protecting it hid the published zero, then the large cells
        # beside it (issue #15: "interviews per child" hidden for 25 children).
        known = known_zeros(values, relations, hidden)
        exposed = derivable(values, relations, hidden) - known
        added = False
        for cell in sorted(exposed):
            complement = _complement_for(cell, values, relations, relations_of, hidden | known)
            if complement is not None:
                hidden.add(complement)
                added = True
        if not added:
            # Either nothing is derivable, or only cells whose every neighbour is hidden
            # already (whose value then follows from the relations alone, i.e. zero).
            return frozenset(hidden)


def known_zeros(
    values: Sequence[int], relations: Sequence[Relation], hidden: Iterable[int]
) -> set[int]:
    """The cells anyone can tell are zero: the parts of a relation whose total is
    published as zero, and, counts being never negative, the parts of those parts."""
    hidden = set(hidden)
    known: set[int] = set()
    changed = True
    while changed:
        changed = False
        for relation in relations:
            total = relation.total
            if values[total] == 0 and (total not in hidden or total in known):
                fresh = [p for p in relation.parts if p not in known]
                if fresh:
                    known.update(fresh)
                    changed = True
    return known


def _hide_under_small_totals(
    values: Sequence[int],
    relations: Sequence[Relation],
    totalled_by: Mapping[int, list[int]],
    hidden: set[int],
    threshold: int,
    containers: Iterable[int],
) -> None:
    queue = deque(i for i in containers if is_small(values[i], threshold))
    seen: set[int] = set()
    while queue:
        cell = queue.popleft()
        if cell in seen:
            continue
        seen.add(cell)
        for r in totalled_by.get(cell, ()):
            for part in relations[r].parts:
                hidden.add(part)
                if part in totalled_by:
                    queue.append(part)


def _needs_complement(
    relation: Relation, values: Sequence[int], hidden: set[int], threshold: int
) -> bool:
    hidden_cells = [c for c in relation.cells if c in hidden]
    if not hidden_cells:
        return False
    if relation.total not in hidden and values[relation.total] == 0:
        return False  # a published zero total says every part is zero: nothing to protect
    if relation.total in hidden:
        return len(hidden_cells) < 2
    return len(hidden_cells) < 2 or sum(values[c] for c in hidden_cells) < threshold


def _smallest_published(
    cells: Iterable[int], values: Sequence[int], hidden: set[int]
) -> int | None:
    candidates = [c for c in cells if c not in hidden]
    if not candidates:
        return None
    # Non-zero first: hiding a zero adds nothing to the hidden sum and is easy to guess.
    return min(candidates, key=lambda c: (values[c] == 0, values[c], c))


def _complete_relations(
    values: Sequence[int],
    relations: Sequence[Relation],
    relations_of: Mapping[int, list[int]],
    hidden: set[int],
    threshold: int,
) -> None:
    queue = deque(range(len(relations)))
    queued = set(queue)
    while queue:
        r = queue.popleft()
        queued.discard(r)
        relation = relations[r]
        while _needs_complement(relation, values, hidden, threshold):
            choice = _smallest_published(relation.parts, values, hidden)
            if choice is None:
                choice = relation.total  # nothing left to hide among the parts
            hidden.add(choice)
            for other in relations_of[choice]:
                if other not in queued:
                    queue.append(other)
                    queued.add(other)


def _complement_for(
    cell: int,
    values: Sequence[int],
    relations: Sequence[Relation],
    relations_of: Mapping[int, list[int]],
    hidden: set[int],
) -> int | None:
    """The smallest published cell sharing a relation with ``cell``; if all of those are
    hidden, the search widens through the hidden cells it reaches."""
    frontier = [cell]
    seen_cells = {cell}
    seen_relations: set[int] = set()
    while frontier:
        near: set[int] = set()
        for current in frontier:
            for r in relations_of.get(current, ()):
                if r not in seen_relations:
                    seen_relations.add(r)
                    near.update(relations[r].cells)
        choice = _smallest_published(near, values, hidden)
        if choice is not None:
            return choice
        frontier = [c for c in near if c not in seen_cells]
        seen_cells.update(frontier)
    return None


def derivable(
    values: Sequence[int], relations: Sequence[Relation], hidden: Iterable[int]
) -> set[int]:
    """Hidden cells whose exact value follows from the published cells and the relations.

    Solves the linear system of the relations with the hidden cells as unknowns; a hidden
    cell is derivable when every solution gives it the same value, i.e. when its unit
    vector lies in the row space. Done per connected group of hidden cells, by Gauss–Jordan
    elimination modulo the prime 2**61 - 1: the coefficients are 0 and ±1, so the rank
    modulo this prime equals the rational rank unless the prime divides one of the
    system's minors, which for tables of this size does not happen in practice — and the
    tests cross-check against exact rational arithmetic.
    """
    hidden = set(hidden)
    equations: list[dict[int, int]] = []
    for relation in relations:
        row: dict[int, int] = {}
        if relation.total in hidden:
            row[relation.total] = 1
        for part in relation.parts:
            if part in hidden:
                row[part] = row.get(part, 0) - 1
        row = {k: v % PRIME for k, v in row.items() if v % PRIME}
        if row:
            equations.append(row)
    # Group equations by connected hidden cells so elimination stays small.
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in equations:
        cells = list(row)
        for other in cells[1:]:
            a, b = find(cells[0]), find(other)
            if a != b:
                parent[a] = b
    groups: dict[int, list[dict[int, int]]] = defaultdict(list)
    for row in equations:
        groups[find(next(iter(row)))].append(row)
    found: set[int] = set()
    for rows in groups.values():
        found |= _fixed_unknowns(rows)
    return found


PRIME = 2**61 - 1


def _fixed_unknowns(rows: list[dict[int, int]]) -> set[int]:
    """Unknowns fixed by the homogeneous system ``rows``: the pivot rows of the reduced
    row echelon form (modulo ``PRIME``) that hold a single unknown."""
    uses: dict[int, int] = defaultdict(int)
    for row in rows:
        for col in row:
            uses[col] += 1
    # Sparse rows first and pivots on rarely used unknowns: far less fill-in.
    rows = sorted(rows, key=len)
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> its row, kept reduced
    holders: dict[int, set[int]] = defaultdict(set)  # column -> pivot columns whose row has it
    for original in rows:
        row = dict(original)
        # Pivot rows hold no other pivot column, so one pass reduces the row fully.
        for col in [c for c in row if c in pivots]:
            _subtract(row, pivots[col], row[col])
        if not row:
            continue
        col = min(row, key=lambda c: (uses[c], c))
        inverse = pow(row[col], -1, PRIME)
        row = {k: v * inverse % PRIME for k, v in row.items()}
        for other_col in list(holders.get(col, ())):
            other = pivots[other_col]
            before = set(other)
            _subtract(other, row, other[col])
            for k in before - set(other):
                holders[k].discard(other_col)
            for k in set(other) - before:
                holders[k].add(other_col)
        pivots[col] = row
        for k in row:
            holders[k].add(col)
    return {col for col, row in pivots.items() if len(row) == 1}


def _subtract(row: dict[int, int], pivot: Mapping[int, int], factor: int) -> None:
    """``row -= factor * pivot`` modulo ``PRIME``, dropping zeros."""
    for k, v in pivot.items():
        new = (row.get(k, 0) - factor * v) % PRIME
        if new:
            row[k] = new
        else:
            row.pop(k, None)


# --- perturbation: the cell-key method --------------------------------------------------

# Record keys are integers modulo this prime (the SQL computes them in 64-bit integers, see
# ``record_key``); a cell key is the sum of its records' keys modulo it, divided by it.
KEY_MODULUS = 2**31 - 1
# The published bound: every count of ``threshold`` or more is within this many people of
# the truth. The typical noise is a quarter of it (``NOISE_SPREAD``).
DEFAULT_MAX_NOISE = 8


def record_key(pk: int, secret: tuple[int, int, int, int]) -> int:
    """A record's persistent pseudo-random key in ``[0, KEY_MODULUS)``: a keyed quadratic
    mix of its primary key. Written with the same integer operations as ``record_key_sql``
    so that Python and the database agree."""
    a, b, c, d = secret
    return ((pk * a + b) % KEY_MODULUS) * ((pk * c + d) % KEY_MODULUS) % KEY_MODULUS


def record_key_sql(column: str, secret: tuple[int, int, int, int]) -> str:
    """``record_key`` in SQL (SQLite and PostgreSQL: 64-bit integers never overflow here,
    every product is below 2**62). ``column`` is a quoted column name; the constants are
    integers of our own. For a query run with parameters (even an empty list)."""
    a, b, c, d = (int(v) for v in secret)
    m = KEY_MODULUS
    pk = f"CAST({column} AS BIGINT)"
    # "%%": the SQL goes to ``cursor.execute`` with parameters, where "%" is a placeholder.
    return f"((({pk} * {a} + {b}) %% {m}) * (({pk} * {c} + {d}) %% {m}) %% {m})"


# The noise's standard deviation is ``max_noise / NOISE_SPREAD``: the published bound lies
# four standard deviations out. An intruder must assume the worst (every neighbour of a
# hidden cell at ±max_noise), and with the bound this far out the noise of two or three
# published cells is almost never close enough to it to bound a small difference between
# them under the threshold (docs/disclosure-control.md, "Bounded noise and the intruder's worst case").
NOISE_SPREAD = 4
_WEIGHT_SCALE = 2**32  # integer weights: exact sums, whatever the order


@lru_cache(maxsize=1024)
def _noise_row(value: int, threshold: int, max_noise: int) -> tuple[tuple[int, float], ...]:
    """The perturbation table's row for a cell of ``value`` people: (noise, cumulative
    probability) pairs. A discretised normal distribution over ``-max_noise … max_noise``
    (standard deviation about ``max_noise / NOISE_SPREAD``; the maximum-entropy shape for a
    given variance), cut so that the result never falls under the threshold
    (a count of 5 only goes up or stays)."""
    low = max(-max_noise, threshold - value)
    variance = (max_noise / NOISE_SPREAD) ** 2
    weights = [
        (e, max(1, round(_WEIGHT_SCALE * math.exp(-e * e / (2 * variance)))))
        for e in range(low, max_noise + 1)
    ]
    total = sum(w for _e, w in weights)
    row, cumulative = [], 0
    for e, w in weights:
        cumulative += w
        row.append((e, cumulative / total))
    return tuple(row)


def noise(value: int, cell_key: float, threshold: int, max_noise: int) -> int:
    """The noise added to a published cell: 0 for a zero or a hidden small value, else
    drawn from the table's row for ``value`` by the cell key (a number in ``[0, 1)``)."""
    if max_noise <= 0 or value < threshold:
        return 0
    row = _noise_row(min(value, threshold + 2 * max_noise), threshold, max_noise)
    for e, upto in row:
        if cell_key < upto:
            return e
    return row[-1][0]


def perturbed(value: int, key_sum: int, threshold: int, max_noise: int) -> int:
    """The published value of a cell counting ``value`` people whose record keys sum to
    ``key_sum``."""
    cell_key = (key_sum % KEY_MODULUS) / KEY_MODULUS
    return value + noise(value, cell_key, threshold, max_noise)


def bounds_of_published(value: int, threshold: int, max_noise: int) -> tuple[int, int]:
    """What a published count tells about the true one (what an intruder knows): zero is
    exact; any other published value ``v`` comes from a true count in
    ``[max(threshold, v - max_noise), v + max_noise]``."""
    if value == 0 or max_noise <= 0:
        return value, value
    return max(threshold, value - max_noise), value + max_noise


# --- tables with labels -------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A published cell: the value, or ``None`` and ``suppressed=True``."""

    value: int | None
    suppressed: bool

    @classmethod
    def of(cls, value: int, hidden: bool) -> Cell:
        return cls(None, True) if hidden else cls(value, False)


@dataclass(frozen=True)
class Table1D(Generic[K]):
    cells: dict[K, Cell]
    total: Cell


@dataclass(frozen=True)
class Table2D(Generic[R, C]):
    cells: dict[tuple[R, C], Cell]
    row_totals: dict[R, Cell]
    col_totals: dict[C, Cell]
    total: Cell


def protect_1d(counts: Mapping[K, int], threshold: int = DEFAULT_THRESHOLD) -> Table1D[K]:
    """A one-way table with its total."""
    keys = list(counts)
    values = [counts[k] for k in keys] + [sum(counts.values())]
    total = len(keys)
    relations = [Relation(total, tuple(range(len(keys))))] if keys else []
    hidden = protect(values, relations, threshold)
    return Table1D(
        cells={k: Cell.of(values[i], i in hidden) for i, k in enumerate(keys)},
        total=Cell.of(values[total], total in hidden),
    )


def protect_2d(
    counts: Mapping[tuple[R, C], int],
    rows: Sequence[R],
    cols: Sequence[C],
    threshold: int = DEFAULT_THRESHOLD,
) -> Table2D[R, C]:
    """A two-way table with row totals, column totals and the grand total."""
    values, relations, index = table_2d_structure(counts, rows, cols)
    hidden = protect(values, relations, threshold)
    return Table2D(
        cells={
            (r, c): Cell.of(values[index[(r, c)]], index[(r, c)] in hidden)
            for r in rows
            for c in cols
        },
        row_totals={r: Cell.of(values[index[(r, None)]], index[(r, None)] in hidden) for r in rows},
        col_totals={c: Cell.of(values[index[(None, c)]], index[(None, c)] in hidden) for c in cols},
        total=Cell.of(values[index[(None, None)]], index[(None, None)] in hidden),
    )


def table_2d_structure(
    counts: Mapping[tuple[R, C], int], rows: Sequence[R], cols: Sequence[C]
) -> tuple[list[int], list[Relation], dict[tuple[object, object], int]]:
    """Cells and relations of a two-way table with margins (``None`` marks a margin)."""
    index: dict[tuple[object, object], int] = {}
    values: list[int] = []

    def add(key: tuple[object, object], value: int) -> None:
        index[key] = len(values)
        values.append(value)

    for r in rows:
        for c in cols:
            add((r, c), int(counts.get((r, c), 0)))
    for r in rows:
        add((r, None), sum(values[index[(r, c)]] for c in cols))
    for c in cols:
        add((None, c), sum(values[index[(r, c)]] for r in rows))
    add((None, None), sum(values[index[(r, None)]] for r in rows))
    relations: list[Relation] = []
    if cols:
        relations += [Relation(index[(r, None)], tuple(index[(r, c)] for c in cols)) for r in rows]
    if rows:
        relations += [Relation(index[(None, c)], tuple(index[(r, c)] for r in rows)) for c in cols]
    if rows:
        relations.append(Relation(index[(None, None)], tuple(index[(r, None)] for r in rows)))
    if cols:
        relations.append(Relation(index[(None, None)], tuple(index[(None, c)] for c in cols)))
    return values, relations, index


# --- statistics of a group: means and maxima ----------------------------------------


@dataclass(frozen=True)
class Statistic:
    """A mean or a maximum of a group, published only for groups large enough."""

    value: float | None
    suppressed: bool
    top_coded: bool = False


def publish_mean(
    n: int, mean: float | None, *, n_hidden: bool, threshold: int = DEFAULT_THRESHOLD
) -> Statistic:
    """A group's mean, only when the group counts at least ``threshold`` people and its
    count is itself published (otherwise two means and two counts give one person away)."""
    if mean is None or n_hidden or n < threshold:
        return Statistic(None, True)
    return Statistic(round(float(mean), 1), False)


def publish_sum(
    n: int, total: float | None, *, n_hidden: bool, threshold: int = DEFAULT_THRESHOLD
) -> Statistic:
    """A group's total of a per-person number (e.g. referrals made), under the same rule
    as a mean: only for a published group of at least ``threshold`` people."""
    if total is None or n_hidden or n < threshold:
        return Statistic(None, True)
    return Statistic(float(total), False)


def publish_max(
    n: int,
    maximum: float | None,
    *,
    n_hidden: bool,
    top_code: float | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Statistic:
    """A group's maximum — the value of one individual — only for a group of at least
    ``threshold`` people with a published count, and capped at ``top_code`` ("≥ top")
    so that an outlier cannot be recognised by its value."""
    if maximum is None or n_hidden or n < threshold:
        return Statistic(None, True)
    if top_code is not None and maximum >= top_code:
        return Statistic(float(top_code), False, top_coded=True)
    return Statistic(float(maximum), False)
