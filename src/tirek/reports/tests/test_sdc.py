"""The disclosure-control engine: pure functions over tables."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tirek.reports import sdc
from tirek.reports.sdc import Relation, protect, protect_1d, protect_2d, table_2d_structure

# --- an independent exact solver, to check the engine's own ------------------------------


def exactly_derivable(values: list[int], relations: list[Relation], hidden: set[int]) -> set[int]:
    """Hidden cells fixed by the published cells: dense Gauss–Jordan over the rationals."""
    unknowns = sorted(hidden)
    col = {cell: i for i, cell in enumerate(unknowns)}
    matrix: list[list[Fraction]] = []
    for relation in relations:
        row = [Fraction(0)] * len(unknowns)
        if relation.total in hidden:
            row[col[relation.total]] += 1
        for part in relation.parts:
            if part in hidden:
                row[col[part]] -= 1
        if any(row):
            matrix.append(row)
    pivots: list[int] = []
    r = 0
    for c in range(len(unknowns)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [v / lead for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                factor = matrix[i][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
    fixed = set()
    for i, c in enumerate(pivots):
        if sum(1 for v in matrix[i] if v != 0) == 1:
            fixed.add(unknowns[c])
    return fixed


def published_values(values: list[int], hidden: frozenset[int]) -> list[int]:
    return [v for i, v in enumerate(values) if i not in hidden]


# --- worked examples ---------------------------------------------------------------------


def test_it_hides_a_small_cell_and_the_next_smallest_in_a_one_way_table() -> None:
    table = protect_1d({"female": 3, "male": 10, "unknown": 20})
    assert table.cells["female"] == sdc.Cell(None, True)
    assert table.cells["male"] == sdc.Cell(None, True)  # else 33 - 20 - 10 = 3
    assert table.cells["unknown"] == sdc.Cell(20, False)
    assert table.total == sdc.Cell(33, False)


def test_it_prefers_a_non_zero_complement() -> None:
    table = protect_1d({"a": 3, "b": 0, "c": 20, "d": 30})
    assert table.cells["b"] == sdc.Cell(0, False)
    assert table.cells["c"].suppressed  # 3 + 0 would still say "three people"
    assert table.cells["d"] == sdc.Cell(30, False)


def test_it_hides_the_total_when_nothing_else_can_protect_the_cell() -> None:
    table = protect_1d({"only": 3})
    assert table.cells["only"].suppressed
    assert table.total.suppressed


def test_it_keeps_adding_complements_until_the_hidden_cells_hold_enough_people() -> None:
    # Two small cells hide each other in count, but 1 + 2 = 3 is itself a small group.
    table = protect_1d({"a": 1, "b": 2, "c": 40, "d": 50})
    hidden = {k for k, c in table.cells.items() if c.suppressed}
    assert hidden == {"a", "b", "c"}
    assert table.total == sdc.Cell(93, False)


def test_it_publishes_a_table_without_small_cells_unchanged() -> None:
    table = protect_1d({"a": 5, "b": 0, "c": 12})
    assert not any(c.suppressed for c in table.cells.values())
    assert table.total == sdc.Cell(17, False)


def test_it_hides_everything_under_a_small_total_zeros_included() -> None:
    # "Three people, all girls" is told by the zeros: the whole table goes.
    table = protect_1d({"female": 3, "male": 0, "unknown": 0})
    assert all(c.suppressed for c in table.cells.values())
    assert table.total.suppressed


def test_it_protects_rows_and_columns_of_a_two_way_table() -> None:
    counts = {("r1", "x"): 3, ("r1", "y"): 10, ("r2", "x"): 8, ("r2", "y"): 9}
    table = protect_2d(counts, ["r1", "r2"], ["x", "y"])
    assert all(c.suppressed for c in table.cells.values())  # the smallest rectangle
    assert table.row_totals == {"r1": sdc.Cell(13, False), "r2": sdc.Cell(17, False)}
    assert table.col_totals == {"x": sdc.Cell(11, False), "y": sdc.Cell(19, False)}
    assert table.total == sdc.Cell(30, False)


def test_it_hides_everything_under_a_small_selection() -> None:
    # Row r1 is a selection a user can make (a region): with two people in it, not even
    # its zero is shown.
    counts = {("r1", "x"): 2, ("r1", "y"): 0, ("r2", "x"): 30, ("r2", "y"): 40}
    values, relations, index = table_2d_structure(counts, ["r1", "r2"], ["x", "y"])
    hidden = protect(values, relations, 5, containers=[index[("r1", None)]])
    assert {index[("r1", "x")], index[("r1", "y")], index[("r1", None)]} <= hidden
    assert exactly_derivable(values, relations, set(hidden)) == set()


def test_it_hides_a_small_margin_and_the_cells_that_would_reveal_it() -> None:
    counts = {("r1", "x"): 2, ("r1", "y"): 0, ("r2", "x"): 30, ("r2", "y"): 40}
    table = protect_2d(counts, ["r1", "r2"], ["x", "y"])
    assert table.row_totals["r1"].suppressed
    assert table.cells[("r1", "x")].suppressed
    assert table.total == sdc.Cell(72, False)
    values, relations, index = table_2d_structure(counts, ["r1", "r2"], ["x", "y"])
    hidden = {
        index[key]
        for key, cell in [
            *[((r, c), table.cells[(r, c)]) for r in ["r1", "r2"] for c in ["x", "y"]],
            *[((r, None), table.row_totals[r]) for r in ["r1", "r2"]],
            *[((None, c), table.col_totals[c]) for c in ["x", "y"]],
        ]
        if cell.suppressed
    }
    assert exactly_derivable(values, relations, hidden) == set()


def test_it_finds_a_cell_linking_two_hidden_rectangles() -> None:
    # Every row and column has two hidden cells, yet the bridge (1, 2) is its row total
    # minus published cells once the rectangles' sums are known: the audit must see it.
    counts = {(r, c): 10 for r in range(4) for c in range(4)}
    values, relations, index = table_2d_structure(counts, list(range(4)), list(range(4)))
    rect = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)]
    hidden = {index[k] for k in [*rect, (1, 2)]}
    assert sdc.derivable(values, relations, hidden) == {index[(1, 2)]}
    assert exactly_derivable(values, relations, hidden) == {index[(1, 2)]}


def test_it_protects_a_derivable_bridge_with_another_complement() -> None:
    counts = {(r, c): 10 for r in range(4) for c in range(4)}
    values, relations, index = table_2d_structure(counts, list(range(4)), list(range(4)))
    rect = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]
    hidden = protect(values, relations, 5, forced=[index[k] for k in rect])
    assert exactly_derivable(values, relations, set(hidden)) == set()
    assert hidden > {index[k] for k in rect}


def test_a_zero_that_a_published_zero_total_tells_does_not_hide_the_large_cells() -> None:
    """Issue #15: "interviews per child" showed "…" for 25 children. Everyone counted has
    a value, so the split's "no" side is zero everywhere; a small region's zero, hidden
    with the region, is told by the published national zero anyway — protecting it hid
    that zero and then the national 25 next to it."""
    # The country, then its regions A (4 people: a small selection) and B (21), as a
    # cube orders its cells; each "n = yes + no".
    names = ["n", "yes", "no", "A.n", "A.yes", "A.no", "B.n", "B.yes", "B.no"]
    values = [25, 25, 0, 4, 4, 0, 21, 21, 0]
    at = {name: i for i, name in enumerate(names)}

    def rel(total: str, *parts: str) -> Relation:
        return Relation(at[total], tuple(at[p] for p in parts))

    relations = [
        rel("A.n", "A.yes", "A.no"),
        rel("B.n", "B.yes", "B.no"),
        rel("n", "yes", "no"),
        *[rel(m, f"A.{m}", f"B.{m}") for m in ("n", "yes", "no")],
    ]
    hidden = protect(values, relations, 5, containers=[at["n"], at["A.n"], at["B.n"]])
    assert {at["A.n"], at["A.yes"], at["A.no"]} <= hidden  # the small region shows nothing
    assert at["n"] not in hidden and at["yes"] not in hidden  # 25 and 25: not small
    assert at["no"] not in hidden  # "nobody in the country" reveals nobody
    published = [names[i] for i in range(len(values)) if i not in hidden]
    assert not any(0 < values[at[n]] < 5 for n in published), published
    # Nothing hidden can be worked out, but the zeros the published zero tells anyway.
    assert exactly_derivable(values, relations, set(hidden)) <= {at["A.no"], at["B.no"]}


def test_it_refuses_a_table_whose_total_is_not_its_sum() -> None:
    with pytest.raises(ValueError, match="not the sum"):
        protect([1, 2, 4], [Relation(2, (0, 1))])


def test_it_refuses_negative_cells_and_a_threshold_below_one() -> None:
    with pytest.raises(ValueError, match="negative"):
        protect([-1, 1, 0], [Relation(2, (0, 1))])
    with pytest.raises(ValueError, match="threshold"):
        protect([1], [], 0)


def test_it_publishes_a_mean_only_for_a_large_enough_published_group() -> None:
    assert sdc.publish_mean(5, 2.345, n_hidden=False) == sdc.Statistic(2.3, False)
    assert sdc.publish_mean(4, 2.0, n_hidden=False) == sdc.Statistic(None, True)
    assert sdc.publish_mean(50, 2.0, n_hidden=True) == sdc.Statistic(None, True)


def test_it_never_shows_the_maximum_of_a_small_group_and_caps_outliers() -> None:
    assert sdc.publish_max(4, 9, n_hidden=False).suppressed
    assert sdc.publish_max(30, 9, n_hidden=True).suppressed
    assert sdc.publish_max(30, 9, n_hidden=False, top_code=10) == sdc.Statistic(9.0, False)
    capped = sdc.publish_max(30, 14, n_hidden=False, top_code=10)
    assert capped == sdc.Statistic(10.0, False, top_coded=True)


# --- properties over random small tables --------------------------------------------------

counts = st.integers(min_value=0, max_value=14)


def check_protected(
    values: list[int], relations: list[Relation], hidden: frozenset[int], t: int
) -> None:
    # 1. No published cell counts 1 … t-1 people.
    assert all(not 0 < v < t for v in published_values(values, hidden))
    for relation in relations:
        cells = relation.cells
        hidden_cells = [c for c in cells if c in hidden]
        if relation.total not in hidden and values[relation.total] == 0:
            continue  # a published zero total tells every part: nothing to protect
        # 2. A relation with a published total never has exactly one hidden cell.
        if relation.total not in hidden:
            assert len(hidden_cells) != 1
            # 3. ... and its hidden parts together are not a small group.
            assert (
                sum(values[c] for c in hidden_cells) == 0
                or sum(values[c] for c in hidden_cells) >= t
                or not hidden_cells
            )
        else:
            assert len(hidden_cells) >= 2
    # 4. No hidden cell can be solved for exactly from the published cells and totals,
    # but the zeros a published zero total tells anyway.
    known = sdc.known_zeros(values, relations, hidden)
    assert exactly_derivable(values, relations, set(hidden)) <= known


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(counts, min_size=1, max_size=7), st.sampled_from([3, 5]))
def test_property_one_way_tables_publish_no_small_or_derivable_cell(row: list[int], t: int) -> None:
    values = [*row, sum(row)]
    relations = [Relation(len(row), tuple(range(len(row))))]
    check_protected(values, relations, protect(values, relations, t), t)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.data(),
    st.sampled_from([3, 5]),
)
def test_property_two_way_tables_publish_no_small_or_derivable_cell(
    n_rows: int, n_cols: int, data: st.DataObject, t: int
) -> None:
    grid = data.draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    table = {(r, c): grid[r * n_cols + c] for r in range(n_rows) for c in range(n_cols)}
    values, relations, _index = table_2d_structure(table, list(range(n_rows)), list(range(n_cols)))
    check_protected(values, relations, protect(values, relations, t), t)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=4),
    st.data(),
)
def test_property_the_engines_solver_agrees_with_exact_arithmetic(
    n_rows: int, n_cols: int, data: st.DataObject
) -> None:
    grid = data.draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    table = {(r, c): grid[r * n_cols + c] for r in range(n_rows) for c in range(n_cols)}
    values, relations, _index = table_2d_structure(table, list(range(n_rows)), list(range(n_cols)))
    hidden = set(data.draw(st.sets(st.integers(0, len(values) - 1))))
    assert sdc.derivable(values, relations, hidden) == exactly_derivable(values, relations, hidden)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([3, 5]))
def test_property_a_region_tree_with_categories_is_protected_as_a_whole(
    data: st.DataObject, t: int
) -> None:
    """Two sub-regions × three categories, with the parent region: hierarchical relations."""
    leaves = [data.draw(st.lists(counts, min_size=3, max_size=3)) for _ in range(2)]
    values: list[int] = []
    index: dict[tuple[str, int | None], int] = {}
    for name, cats in (("a", leaves[0]), ("b", leaves[1])):
        for i, v in enumerate(cats):
            index[(name, i)] = len(values)
            values.append(v)
        index[(name, None)] = len(values)
        values.append(sum(cats))
    for i in range(3):
        index[("p", i)] = len(values)
        values.append(leaves[0][i] + leaves[1][i])
    index[("p", None)] = len(values)
    values.append(sum(leaves[0]) + sum(leaves[1]))
    relations = [
        Relation(index[(n, None)], tuple(index[(n, i)] for i in range(3))) for n in ("a", "b", "p")
    ] + [Relation(index[("p", i)], (index[("a", i)], index[("b", i)])) for i in [0, 1, 2, None]]
    check_protected(values, relations, protect(values, relations, t), t)
