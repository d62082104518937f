"""Indicators of interviews (tirek.interviews)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tirek.cases.models import Case
from tirek.interviews.models import Interview, InterviewStatus

from ..dimensions import case_dimensions
from ..periods import Period, years_before
from ..registry import Indicator, Population, Stat, register, register_population
from .cases import YEAR_FLOW
from .referrals import _count_of


def _all_interviews_held(period: Period) -> Any:
    when = Coalesce(F("started_at"), F("scheduled_at"), F("requested_at"))
    return Interview.objects.annotate(held_at=when).filter(
        status=InterviewStatus.HELD, held_at__gte=period.start, held_at__lt=period.end
    )


def _interviews_held(period: Period) -> Any:
    return _all_interviews_held(period).filter(case=OuterRef("pk"))


def _children_interviewed(period: Period) -> Any:
    return Case.objects.filter(
        pk__in=_all_interviews_held(period).values("case_id"),
        person__birth_date__gt=years_before(period.last_day, 18),
    )


register_population(
    Population(
        code="interviewed",
        label=_("Children interviewed in the year"),
        queryset=_children_interviewed,
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        counted=_("children"),
        stats={"interviews": Stat(lambda period: _count_of(_interviews_held(period)), top_code=10)},
    )
)
register(
    Indicator(
        code="interviews_per_child",
        name=_("Interviews per child"),
        definition=_(
            "For children (under 18 at the end of the year) interviewed in the year: the "
            "mean number of interviews held per child, and the maximum (capped at 10, "
            "shown as «≥ 10»). Fewer is better: the aim is to interview once."
        ),
        numerator=_("Interviews held in the year"),
        denominator=_("Children interviewed in the year"),
        kind="mean",
        population="interviewed",
        measure="interviews",
        disaggregations=("region", "sex", "age_band", "agency"),
        period=YEAR_FLOW,
    )
)
