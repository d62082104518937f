"""A protected cube: the counts of one population in one period, by region × disaggregation.

Every view of an indicator (the whole country, one region, one disaggregation, a chart,
a CSV row) is cut from one cube whose cells were protected *together* by
``sdc.protect``: the region tree ("a region = its sub-regions"), the disaggregations
("a total = its categories") and the outcome splits ("all = with + without") are all
relations of one table. So no two views can be combined to undo a suppression.

The published cube keeps only what may be published: hidden cells are ``None``; means and
maxima are already gated; with ``max_noise`` > 0 every published count is perturbed by the
cell-key method (``sdc.perturbed``), the cell key being the sum of the record keys that
the SQL aggregation adds up per group (``Row.keys``). The raw counts never leave
``build_cube``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from . import sdc

TOTAL = "_"  # the dimension / category code of a total
ROOT = "*"  # the node above the country (all regions in scope)
N = "n"  # the measure counting the population itself


# --- the region tree ------------------------------------------------------------------


@dataclass
class Node:
    key: str
    name: str
    parent: str | None
    path: str = ""
    region_id: int | None = None
    children: list[str] = field(default_factory=list)
    unallocated: bool = False  # people of a region not placed in one of its sub-regions


@dataclass
class RegionTree:
    """Regions as nodes keyed by their code; a region with sub-regions gets an extra child
    "<code>+" for people registered at the region itself, so that each region equals the
    sum of its children exactly."""

    nodes: dict[str, Node]
    leaf_of_region: dict[int | None, str]

    @classmethod
    def single(cls, name: str) -> RegionTree:
        """One node only: a unit's own figures have no region breakdown."""
        return cls(nodes={ROOT: Node(ROOT, name, None)}, leaf_of_region={})

    @classmethod
    def build(
        cls, regions: Iterable[Any], root_name: str, root_id: int | None = None
    ) -> RegionTree:
        """The tree of ``regions``. The region ``root_id`` (the country) becomes the root
        node; without it, the root stands above all top-level regions."""
        regions = sorted(regions, key=lambda r: r.path)
        by_id = {r.pk: r for r in regions}
        has_children = {r.parent_id for r in regions if r.parent_id in by_id}
        root = by_id.get(root_id) if root_id is not None else None
        nodes: dict[str, Node] = {
            ROOT: Node(ROOT, root.name if root else root_name, None, root.path if root else "")
        }
        leaf_of_region: dict[int | None, str] = {}

        def key_of(region: Any) -> str:
            return ROOT if root is not None and region.pk == root.pk else str(region.code)

        for region in regions:
            key = key_of(region)
            if key != ROOT:
                parent = by_id.get(region.parent_id)
                parent_key = key_of(parent) if parent is not None else ROOT
                nodes[key] = Node(key, region.name, parent_key, region.path, region.pk)
                nodes[parent_key].children.append(key)
            else:
                nodes[ROOT].region_id = region.pk
            if region.pk in has_children:
                extra = f"{key}+"
                nodes[extra] = Node(
                    extra, region.name, key, region.path, region.pk, unallocated=True
                )
                nodes[key].children.append(extra)
                leaf_of_region[region.pk] = extra
            else:
                leaf_of_region[region.pk] = key
        # Rows with no region at all (a staff account without one) count at the root.
        nowhere = f"{ROOT}+"
        if nowhere not in nodes:
            nodes[nowhere] = Node(nowhere, nodes[ROOT].name, ROOT, "", None, unallocated=True)
            nodes[ROOT].children.append(nowhere)
        leaf_of_region[None] = nowhere
        for node in nodes.values():  # the unallocated row goes last
            node.children.sort(key=lambda k: (nodes[k].unallocated, nodes[k].path, k))
        return cls(nodes=nodes, leaf_of_region=leaf_of_region)

    def ancestors(self, key: str) -> list[str]:
        chain = []
        current: str | None = key
        while current is not None:
            chain.append(current)
            current = self.nodes[current].parent
        return chain

    def pruned(self, keep: set[str]) -> RegionTree:
        """Only the nodes on a path to a leaf in ``keep`` (regions with nobody are all
        zeros: they add cells, not information)."""
        wanted: set[str] = set()
        for key in keep:
            wanted.update(self.ancestors(key))
        nodes = {
            k: Node(
                n.key,
                n.name,
                n.parent,
                n.path,
                n.region_id,
                [c for c in n.children if c in wanted],
                n.unallocated,
            )
            for k, n in self.nodes.items()
            if k in wanted or k == ROOT
        }
        return RegionTree(nodes=nodes, leaf_of_region=self.leaf_of_region)


# --- dimensions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Any
    categories: tuple[tuple[str, Any], ...]  # (code, label) in display order


@dataclass(frozen=True)
class Split:
    """Divides a group in two: those who meet ``code`` and the rest. The group is the
    whole population, or ``within`` — the "yes" side of another split (e.g. "plan approved"
    within "assessment due"). Nested groups are protected by the same relations, so a
    published group minus a published sub-group never reveals a small remainder."""

    code: str
    within: str = N

    @property
    def yes(self) -> str:
        return f"{self.code}:yes"

    @property
    def no(self) -> str:
        return f"{self.code}:no"


@dataclass(frozen=True)
class Row:
    """One group of the SQL aggregation: a leaf region, a category per dimension, and the
    counts (``n`` and one per split) and statistics (sum, max per stat) of that group."""

    leaf: str
    categories: Mapping[str, str]
    counts: Mapping[str, int]
    sums: Mapping[str, float] = field(default_factory=dict)
    maxima: Mapping[str, float] = field(default_factory=dict)
    # Per count (``n``, each split's code): the sum of the record keys of the rows counted.
    keys: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StatSpec:
    """A mean and maximum over those with a value; ``split`` counts them."""

    code: str
    split: str
    top_code: float | None = None


CellKey = tuple[str, str, str, str]
# A published statistic of a group: mean, maximum, maximum top-coded, total (None: hidden).
StatValues = tuple[float | None, float | None, bool, float | None]


@dataclass
class PublishedCube:
    """What may be published of one population: counts (``None`` when hidden), and the
    means, maxima and totals of groups large enough. Zero counts are not stored."""

    population: str
    period: str
    scope: str
    threshold: int
    tree: RegionTree
    dimensions: dict[str, Dimension]
    measures: tuple[str, ...]
    values: dict[CellKey, int | None]
    stats: dict[CellKey, StatValues]
    stat_labels: dict[str, str]
    computed_at: datetime
    max_noise: int = 0  # the largest perturbation of a published count (0: exact counts)

    def cell(self, node: str, dim: str = TOTAL, cat: str = TOTAL, measure: str = N) -> sdc.Cell:
        value = self.values.get((node, dim, cat, measure), 0)
        return sdc.Cell(None, True) if value is None else sdc.Cell(value, False)

    def is_hidden(self, key: CellKey) -> bool:
        return key in self.values and self.values[key] is None

    def _stat(self, node: str, stat: str, dim: str, cat: str) -> StatValues:
        return self.stats.get((node, dim, cat, stat), (None, None, False, None))

    def mean(self, node: str, stat: str, dim: str = TOTAL, cat: str = TOTAL) -> sdc.Statistic:
        value = self._stat(node, stat, dim, cat)[0]
        return sdc.Statistic(value, value is None)

    def maximum(self, node: str, stat: str, dim: str = TOTAL, cat: str = TOTAL) -> sdc.Statistic:
        _mean, value, top_coded, _total = self._stat(node, stat, dim, cat)
        return sdc.Statistic(value, value is None, top_coded)

    def total(self, node: str, stat: str, dim: str = TOTAL, cat: str = TOTAL) -> sdc.Statistic:
        value = self._stat(node, stat, dim, cat)[3]
        return sdc.Statistic(value, value is None)

    def has_node(self, key: str) -> bool:
        return key in self.tree.nodes

    def children(self, key: str) -> list[Node]:
        node = self.tree.nodes.get(key)
        return [self.tree.nodes[c] for c in node.children] if node else []

    # --- a stored snapshot: codes and published numbers only; labels come at loading ---

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "population": self.population,
            "period": self.period,
            "scope": self.scope,
            "threshold": self.threshold,
            "max_noise": self.max_noise,
            "computed_at": self.computed_at.isoformat(),
            "nodes": [
                [n.key, n.parent, n.region_id, n.unallocated, n.children]
                for n in self.tree.nodes.values()
            ],
            "dimensions": [
                [d.code, [c for c, _l in d.categories]] for d in self.dimensions.values()
            ],
            "measures": list(self.measures),
            "values": [[*key, value] for key, value in self.values.items()],
            "stats": [[*key, *values] for key, values in self.stats.items()],
            "stat_codes": list(self.stat_labels),
        }

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, Any],
        *,
        node_names: Mapping[str, str],
        dimension_labels: Mapping[str, tuple[Any, Mapping[str, Any]]],
        stat_labels: Mapping[str, str],
    ) -> PublishedCube:
        """A snapshot with the labels of the current language: region names by node key,
        per dimension its label and its categories' labels, the stats' labels."""
        nodes = {
            key: Node(
                key, node_names.get(key, key), parent, "", region_id, list(children), unallocated
            )
            for key, parent, region_id, unallocated, children in data["nodes"]
        }
        dimensions = {}
        for code, categories in data["dimensions"]:
            label, names = dimension_labels.get(code, (code, {}))
            dimensions[code] = Dimension(
                code, label, tuple((c, names.get(c, c)) for c in categories)
            )
        return cls(
            population=data["population"],
            period=data["period"],
            scope=data["scope"],
            threshold=data["threshold"],
            tree=RegionTree(nodes=nodes, leaf_of_region={}),
            dimensions=dimensions,
            measures=tuple(data["measures"]),
            values={(a, b, c, d): v for a, b, c, d, v in data["values"]},
            stats={(a, b, c, d): (m, x, bool(t), s) for a, b, c, d, m, x, t, s in data["stats"]},
            stat_labels={code: stat_labels.get(code, code) for code in data["stat_codes"]},
            computed_at=datetime.fromisoformat(data["computed_at"]),
            max_noise=int(data.get("max_noise", 0)),
        )


def _with_seen_categories(dimension: Dimension, rows: Sequence[Row]) -> Dimension:
    """The dimension with any category found in the data but missing from its list, so
    that every total is exactly the sum of its categories."""
    known = {code for code, _label in dimension.categories}
    extra = sorted({row.categories[dimension.code] for row in rows} - known)
    if not extra:
        return dimension
    return Dimension(
        dimension.code, dimension.label, dimension.categories + tuple((c, c) for c in extra)
    )


def build_cube(
    *,
    population: str,
    period: str,
    scope: str,
    tree: RegionTree,
    dimensions: Sequence[Dimension],
    splits: Sequence[Split],
    stats: Sequence[StatSpec],
    rows: Iterable[Row],
    threshold: int,
    stat_labels: Mapping[str, str] | None = None,
    max_noise: int = 0,
) -> PublishedCube:
    """Marginalise the rows onto the tree, protect all cells together, keep the published
    (perturbed by the cell-key method when ``max_noise`` > 0)."""
    rows = list(rows)
    tree = tree.pruned({row.leaf for row in rows if row.leaf in tree.nodes})
    dimensions = [_with_seen_categories(d, rows) for d in dimensions]
    measures = (N, *[s for split in splits for s in (split.yes, split.no)])
    raw: dict[tuple[str, str, str, str], int] = defaultdict(int)
    key_sums: dict[tuple[str, str, str, str], int] = defaultdict(int)
    sums: dict[tuple[str, str, str, str], float] = defaultdict(float)
    maxima: dict[tuple[str, str, str, str], float] = {}
    for row in rows:
        if row.leaf not in tree.nodes:
            continue
        values = {N: row.counts.get(N, 0)}
        record_keys = {N: row.keys.get(N, 0)}
        for split in splits:  # parents come before the splits within them
            yes = row.counts.get(split.code, 0)
            values[split.yes] = yes
            values[split.no] = values[split.within] - yes
            record_keys[split.yes] = row.keys.get(split.code, 0)
            record_keys[split.no] = record_keys[split.within] - record_keys[split.yes]
        keys = [(TOTAL, TOTAL)] + [(d.code, row.categories[d.code]) for d in dimensions]
        for node in tree.ancestors(row.leaf):
            for dim, cat in keys:
                for measure, value in values.items():
                    raw[(node, dim, cat, measure)] += value
                    key_sums[(node, dim, cat, measure)] += record_keys[measure]
                for stat in stats:
                    if stat.code in row.sums:
                        sums[(node, dim, cat, stat.code)] += row.sums[stat.code]
                        key = (node, dim, cat, stat.code)
                        maxima[key] = max(
                            maxima.get(key, row.maxima[stat.code]), row.maxima[stat.code]
                        )

    index, values_list, relations = cube_table(tree, dimensions, measures, splits, raw)
    cat_keys = [(TOTAL, TOTAL)] + [(d.code, c) for d in dimensions for c, _label in d.categories]
    # Each region is a selection a user can make: if it holds a handful of people, nothing
    # about it is shown.
    selections = [index[(node, TOTAL, TOTAL, N)] for node in tree.nodes]
    hidden = sdc.protect(values_list, relations, threshold, containers=selections)
    published: dict[CellKey, int | None] = {}
    for key, i in index.items():
        if i in hidden:
            published[key] = None
        elif values_list[i]:
            published[key] = sdc.perturbed(values_list[i], key_sums[key], threshold, max_noise)
    published_stats: dict[CellKey, StatValues] = {}
    for stat in stats:
        counted = Split(stat.split).yes
        for node in tree.nodes:
            for dim, cat in cat_keys:
                n_index = index[(node, dim, cat, counted)]
                n = values_list[n_index]
                if not n:
                    continue  # nobody in the group: nothing to publish or to hide
                key = (node, dim, cat, stat.code)
                n_hidden = n_index in hidden
                mean = sdc.publish_mean(
                    n,
                    sums[key] / n if key in sums else None,
                    n_hidden=n_hidden,
                    threshold=threshold,
                )
                total = sdc.publish_sum(n, sums.get(key), n_hidden=n_hidden, threshold=threshold)
                top = sdc.publish_max(
                    n,
                    maxima.get(key),
                    n_hidden=n_hidden,
                    top_code=stat.top_code,
                    threshold=threshold,
                )
                published_stats[key] = (mean.value, top.value, top.top_coded, total.value)
    return PublishedCube(
        population=population,
        period=period,
        scope=scope,
        threshold=threshold,
        tree=tree,
        dimensions={d.code: d for d in dimensions},
        measures=measures,
        values=published,
        stats=published_stats,
        stat_labels={k: str(v) for k, v in (stat_labels or {}).items()},
        computed_at=timezone.now(),
        max_noise=max_noise,
    )


def cube_table(
    tree: RegionTree,
    dimensions: Sequence[Dimension],
    measures: Sequence[str],
    splits: Sequence[Split],
    raw: Mapping[CellKey, int],
) -> tuple[dict[CellKey, int], list[int], list[sdc.Relation]]:
    """The cube as one table for ``sdc.protect``: cell index, values and relations
    (category totals, the region tree, and each split's "group = yes + no")."""
    # Every cell of the cube, zeros included, so that each relation is complete.
    index: dict[tuple[str, str, str, str], int] = {}
    values_list: list[int] = []
    cat_keys = [(TOTAL, TOTAL)] + [(d.code, c) for d in dimensions for c, _label in d.categories]
    for node_key in tree.nodes:
        for dim, cat in cat_keys:
            for measure in measures:
                key = (node_key, dim, cat, measure)
                index[key] = len(values_list)
                values_list.append(raw.get(key, 0))
    relations: list[sdc.Relation] = []
    for node_key, node in tree.nodes.items():
        for measure in measures:
            for d in dimensions:
                if not d.categories:
                    continue  # no category at all: no rows, nothing to relate
                relations.append(
                    sdc.Relation(
                        index[(node_key, TOTAL, TOTAL, measure)],
                        tuple(index[(node_key, d.code, c, measure)] for c, _l in d.categories),
                    )
                )
            if node.children:
                for dim, cat in cat_keys:
                    relations.append(
                        sdc.Relation(
                            index[(node_key, dim, cat, measure)],
                            tuple(index[(child, dim, cat, measure)] for child in node.children),
                        )
                    )
        for split in splits:
            for dim, cat in cat_keys:
                relations.append(
                    sdc.Relation(
                        index[(node_key, dim, cat, split.within)],
                        (
                            index[(node_key, dim, cat, split.yes)],
                            index[(node_key, dim, cat, split.no)],
                        ),
                    )
                )
    return index, values_list, relations
