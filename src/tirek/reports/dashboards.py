"""What a dashboard shows: the audience's indicators for one scope, region and period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions, tables
from .charts import breakdown_chart
from .cube import ROOT, PublishedCube, RegionTree
from .dimensions import LABELS
from .periods import Period
from .registry import POPULATIONS, Indicator, Scope, compute, indicators_for, region_tree

if TYPE_CHECKING:
    from tirek.accounts.models import User

DIMENSION_ORDER = ("region", "phase", "sex", "age_band", "agency", "quarter")

TITLES: dict[str, Any] = {
    permissions.MINISTRY: gettext_lazy("Indicators: the whole country"),
    permissions.SUPERVISOR: gettext_lazy("Indicators: my unit"),
    permissions.TRAINING: gettext_lazy("Indicators: training and competencies"),
}


@dataclass
class Panel:
    indicator: Indicator
    headline: tables.Value
    breakdown: tables.Breakdown
    chart: SafeString
    cross: tables.CrossTable | None
    cube: PublishedCube


@dataclass
class Dashboard:
    audience: str
    title: str
    period: Period
    scope: Scope
    node: str
    node_label: str
    by: str
    by_choices: list[tuple[str, str]]
    region_choices: list[tuple[str, str]]
    panels: list[Panel] = field(default_factory=list)
    threshold: int = 5
    max_noise: int = 0
    computed_at: datetime | None = None

    @property
    def hidden_note(self) -> str:
        return tables.protection_note(self.threshold, self.max_noise)


def scope_for(audience: str, user: User) -> Scope:
    if audience == permissions.SUPERVISOR:
        return Scope.unit(user.unit)
    return Scope.country()


class Cubes:
    """The cubes of one dashboard, each population computed once."""

    def __init__(self, period: Period, scope: Scope) -> None:
        self.period = period
        self.scope = scope
        self._cubes: dict[str, PublishedCube] = {}

    def of(self, indicator: Indicator) -> PublishedCube:
        code = indicator.population
        if code not in self._cubes:
            self._cubes[code] = compute(POPULATIONS[code], self.period, self.scope)
        return self._cubes[code]


def region_choices(tree: RegionTree) -> list[tuple[str, str]]:
    choices = [(ROOT, tree.nodes[ROOT].name or _("The whole country"))]

    def walk(key: str, depth: int) -> None:
        for child in tree.nodes[key].children:
            node = tree.nodes[child]
            if node.unallocated:
                continue
            choices.append((child, "\u2003" * depth + node.name))
            walk(child, depth + 1)

    walk(ROOT, 0)
    return choices


def build(
    audience: str,
    user: User,
    *,
    period: Period,
    region: str = ROOT,
    by: str = "",
    indicators: list[Indicator] | None = None,
) -> Dashboard:
    permissions.require(user, audience)
    return assemble(
        audience,
        scope_for(audience, user),
        period=period,
        region=region,
        by=by,
        indicators=indicators,
    )


def assemble(
    audience: str,
    scope: Scope,
    *,
    period: Period,
    region: str = ROOT,
    by: str = "",
    indicators: list[Indicator] | None = None,
) -> Dashboard:
    """The dashboard's content for ``scope`` (permission already checked by the caller)."""
    chosen = indicators if indicators is not None else indicators_for(audience)
    offered = [d for d in DIMENSION_ORDER if any(d in i.disaggregations for i in chosen)]
    for indicator in chosen:
        offered += [d for d in indicator.disaggregations if d not in offered]
    if scope.unit_id is not None:
        offered = [d for d in offered if d != "region"]
        region_list: list[tuple[str, str]] = []
        region = ROOT
    else:
        tree = region_tree()
        region_list = region_choices(tree)
        if region not in tree.nodes or tree.nodes[region].unallocated:
            region = ROOT
    by = by if by in offered else (offered[0] if offered else "")
    cubes = Cubes(period, scope)
    dashboard = Dashboard(
        audience=audience,
        title=str(TITLES[audience]),
        period=period,
        scope=scope,
        node=region,
        node_label="",
        by=by,
        by_choices=[(d, str(_dimension_label(d))) for d in offered],
        region_choices=region_list,
    )
    for indicator in chosen:
        cube = cubes.of(indicator)
        dim = by if by in indicator.disaggregations else indicator.disaggregations[0]
        if dim == "region" and not cube.children(region):
            dim = next((d for d in indicator.disaggregations if d != "region"), dim)
        data = tables.breakdown(indicator, cube, region, dim)
        cross = (
            tables.cross_table(indicator, cube, region, by)
            if by != "region" and "region" in indicator.disaggregations and scope.unit_id is None
            else None
        )
        dashboard.panels.append(
            Panel(
                indicator=indicator,
                headline=tables.value(indicator, cube, region),
                breakdown=data,
                chart=breakdown_chart(data),
                cross=cross,
                cube=cube,
            )
        )
        dashboard.threshold = cube.threshold
        dashboard.max_noise = max(dashboard.max_noise, cube.max_noise)
        dashboard.computed_at = cube.computed_at
    if scope.unit_id is not None:
        dashboard.node_label = scope.label
    else:
        dashboard.node_label = dict(region_list).get(region, "").strip()
    return dashboard


def _dimension_label(code: str) -> Any:
    return LABELS.get(code, code)
