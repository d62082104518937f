"""Wellbeing: the change between the first and the latest screening, by domain."""

from __future__ import annotations

from typing import Any

from django.db.models import FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from tirek.assessments.models import (
    Assessment,
    AssessmentStatus,
    DomainScore,
    InstrumentKind,
    InstrumentVersion,
)
from tirek.cases.models import Case
from tirek.organisations.models import localised

from ..dimensions import case_dimensions
from ..periods import Period
from ..registry import Indicator, Population, Stat, register, register_population
from .cases import YEAR_STOCK, _active_at_end


# Wellbeing: the change between the first and the latest screening, by domain.
def _all_screenings(period: Period) -> Any:
    return Assessment.objects.filter(
        kind=InstrumentKind.SCREENING,
        status=AssessmentStatus.COMPLETED,
        assessed_on__lte=period.last_day,
    )


def _screenings(period: Period) -> Any:
    return _all_screenings(period).filter(case=OuterRef("pk"))


def _change(domain: str) -> Any:
    """Latest minus first score in ``domain``, in points of the maximum: two lookups
    on the (assessment, domain) unique index, by the row's first and last screening."""
    table = DomainScore._meta.db_table

    def sql(q: Any) -> tuple[str, list[Any]]:
        def percent(column: str) -> str:
            return (
                f"SELECT {q('score')} * 100.0 / {q('max_score')} FROM {q(table)} "  # noqa: S608
                f"WHERE {q('assessment_id')} = {q('rows')}.{q(column)} "
                f"AND {q('domain')} = %s AND {q('max_score')} > 0"
            )

        return f"({percent('last_screening')}) - ({percent('first_screening')})", [
            domain,
            domain,
        ]

    return sql


def _screening_titles() -> dict[str, str]:
    """Domain titles from the screening instruments' definitions, in this language."""
    titles: dict[str, str] = {}
    for definition in InstrumentVersion.objects.filter(
        instrument__kind=InstrumentKind.SCREENING
    ).values_list("definition", flat=True):
        for item in definition.get("totals") or []:
            titles.setdefault("wb_total", localised(item.get("title") or {}) or item["code"])
        for item in definition.get("domains") or []:
            code = f"wb_{item['code']}"
            titles.setdefault(code, localised(item.get("title") or {}) or item["code"])
    return titles


def _screening_domains(period: Period) -> dict[str, Stat]:
    """One stat per domain the screening instruments score (instruments are data)."""
    titles = {code[3:]: title for code, title in _screening_titles().items()}
    found = (
        DomainScore.objects.filter(assessment__kind=InstrumentKind.SCREENING)
        .values_list("domain", "is_total")
        .distinct()
    )
    stats: dict[str, Stat] = {}
    for domain, is_total in sorted(found, key=lambda d: (not d[1], d[0])):
        code = "wb_total" if is_total else f"wb_{domain}"
        if code in stats:
            continue
        stats[code] = Stat(sql=_change(domain), label=titles.get(domain, domain))
    if "wb_total" not in stats:
        stats["wb_total"] = Stat(
            lambda period: Cast(Value(None, output_field=FloatField()), FloatField())
        )
    return stats


def _has_screening(period: Period) -> Any:
    screened = _all_screenings(period).values("case_id")
    return Case.objects.filter(_active_at_end(period), pk__in=screened)


def _first_and_last(period: Period) -> dict[str, Any]:
    return {
        "first_screening": Subquery(
            _screenings(period).order_by("assessed_on", "id").values("id")[:1]
        ),
        "last_screening": Subquery(
            _screenings(period).order_by("-assessed_on", "-id").values("id")[:1]
        ),
    }


def _screened_twice(q: Any) -> str:
    """Two screenings or more: the first and the latest are different assessments."""
    return f"{q('rows')}.{q('first_screening')} <> {q('rows')}.{q('last_screening')}"


register_population(
    Population(
        code="screened",
        label=_("People in the programme screened at least twice"),
        queryset=_has_screening,
        row_columns=_first_and_last,
        row_filter=_screened_twice,
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        stats=_screening_domains,
        stat_labels=lambda period: _screening_titles(),
        counted=_("people"),
    )
)
register(
    Indicator(
        code="wellbeing_change",
        name=_("Change in screening scores, first to latest"),
        definition=_(
            "For people in the programme at the end of the year with at least two "
            "screenings (e.g. PSC-17), the mean change from the first to the latest "
            "screening, in percentage points of the scale's maximum, by domain. A negative "
            "change means fewer difficulties reported."
        ),
        numerator=_("Sum of the changes (latest minus first, in points of the maximum)"),
        denominator=_("People screened at least twice"),
        kind="mean",
        population="screened",
        measure="wb_total",
        family="wb_",
        disaggregations=("domain", "region", "sex", "age_band", "agency"),
        period=YEAR_STOCK,
    )
)
