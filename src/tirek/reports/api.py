"""/api/v1/indicators: definitions, protected values, and the regional exchange file.

The same suppression as the pages: values come from ``tables`` like everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

if TYPE_CHECKING:
    from tirek.accounts.models import User

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.validation import CleanStr

from . import dashboards, exchange, permissions, tables
from .cube import ROOT
from .periods import Period
from .registry import INDICATORS, Indicator

router = Router(tags=["indicators"])


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    numerator: str
    denominator: str | None
    kind: str
    disaggregations: list[str]
    period: str
    audiences: list[str]


class CellOut(Schema):
    category: str | None = Field(None, description="category code; null for the total")
    label: str
    value: float | None = Field(description="count, percentage or mean; null when hidden")
    suppressed: bool
    numerator: int | None = None
    denominator: int | None = None
    n: int | None = Field(None, description="people with a value (means and sums)")
    maximum: float | None = None
    maximum_top_coded: bool = False


class ValueOut(Schema):
    code: str
    name: str
    kind: str
    region: str
    year: int
    threshold: int
    dimension: str
    total: CellOut
    cells: list[CellOut]


class ValuesQuery(Schema):
    audience: Literal["ministry", "supervisor", "training"] = "ministry"
    year: int | None = Field(None, ge=2000, le=2100)
    region: CleanStr = Field(ROOT, max_length=80)
    by: CleanStr = Field("", max_length=40)


def _audience_of(user: User, indicator: Indicator) -> Any:
    for audience in permissions.audiences(user):
        if audience in indicator.audiences:
            return audience
    raise HttpError(403, _("Your role does not see this indicator."))


def _definition(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "definition": str(indicator.definition),
        "numerator": str(indicator.numerator),
        "denominator": str(indicator.denominator) if indicator.denominator else None,
        "kind": indicator.kind,
        "disaggregations": list(indicator.disaggregations),
        "period": str(indicator.period or ""),
        "audiences": sorted(indicator.audiences),
    }


def _cell(value: tables.Value, category: str | None, label: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "category": category,
        "label": label,
        "value": value.number,
        "suppressed": value.suppressed,
    }
    if value.kind == "share":
        out["numerator"] = value.count.value
        out["denominator"] = value.denominator.value if value.denominator else None
    if value.kind == "sum":
        out["n"] = value.count.value
    if value.kind == "mean":
        out["n"] = value.count.value
        out["maximum"] = value.maximum.value if value.maximum else None
        out["maximum_top_coded"] = bool(value.maximum and value.maximum.top_coded)
    return out


def _values(
    request: AuthenticatedHttpRequest, query: ValuesQuery, only: str | None = None
) -> list[dict[str, Any]]:
    if query.audience not in permissions.audiences(request.user):
        raise HttpError(403, _("Your role does not see this dashboard."))
    period = Period.parse(query.year) if query.year else Period.current()
    chosen = [INDICATORS[only]] if only else None
    board = dashboards.build(
        query.audience,
        request.user,
        period=period,
        region=query.region,
        by=query.by,
        indicators=chosen,
    )
    out = []
    for panel in board.panels:
        data = panel.breakdown
        out.append(
            {
                "code": panel.indicator.code,
                "name": str(panel.indicator.name),
                "kind": panel.indicator.kind,
                "region": board.node,
                "year": period.year,
                "threshold": board.threshold,
                "dimension": data.dimension,
                "total": _cell(data.total, None, _("Total")),
                "cells": [_cell(line.value, line.code, line.label) for line in data.lines],
            }
        )
    return out


@router.get("/", response=list[IndicatorOut], summary="Indicator definitions you may see")
def list_indicators(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    mine = set(permissions.audiences(request.user))
    if not mine:
        raise HttpError(403, _("Your role does not see indicators."))
    return [_definition(i) for i in INDICATORS.values() if mine & set(i.audiences)]


@router.get("/values", response=list[ValueOut], summary="Protected values of a dashboard")
def dashboard_values(
    request: AuthenticatedHttpRequest, query: Query[ValuesQuery]
) -> list[dict[str, Any]]:
    return _values(request, query)


@router.get("/exchange", summary="This country's regional exchange file (format version 1)")
def exchange_file(
    request: AuthenticatedHttpRequest, year: int | None = Query(None, ge=2000, le=2100)
) -> dict[str, Any]:
    if not permissions.may_import_exchange(request.user):
        raise HttpError(403, _("Only M&E analysts make the regional exchange."))
    period = Period.parse(year) if year else Period.current()
    data = exchange.build(period)
    record(
        actor=request.user,
        action=Action.EXPORT,
        object_type="reports.exchange",
        request=request,
        detail={"kind": "exchange", "year": period.year, "via": "api"},
    )
    return data


@router.get("/{code}", response=ValueOut, summary="One indicator's protected values")
def indicator_values(
    request: AuthenticatedHttpRequest, code: str, query: Query[ValuesQuery]
) -> dict[str, Any]:
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise HttpError(404, _("No such indicator."))
    if query.audience not in indicator.audiences:
        query.audience = _audience_of(request.user, indicator)
    return _values(request, query, only=code)[0]
