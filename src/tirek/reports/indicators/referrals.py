"""Indicators of referrals (tirek.referrals)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from tirek.cases.models import Case
from tirek.referrals.models import Referral, ReferralEvent, ReferralStatus

from ..dimensions import case_dimensions
from ..periods import Period
from ..registry import Indicator, Population, Stat, register, register_population
from ..sqlfuncs import DaysBetween
from .cases import YEAR_FLOW


def _all_referrals_in(period: Period) -> Any:
    return Referral.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


def _referrals_in(period: Period) -> Any:
    return _all_referrals_in(period).filter(case=OuterRef("pk"))


def _count_of(queryset: Any) -> Any:
    return Coalesce(
        Subquery(
            queryset.order_by().values("case").annotate(c=Count("id")).values("c")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _accepted(period: Period) -> Any:
    ever = Exists(
        ReferralEvent.objects.filter(referral=OuterRef("pk"), status=ReferralStatus.ACCEPTED)
    )
    later = [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED]
    return _referrals_in(period).filter(Q(status__in=later) | Q(ever))


def _completed_in(period: Period) -> Any:
    return _referrals_in(period).filter(
        status=ReferralStatus.COMPLETED, closed_at__isnull=False, closed_at__lt=period.end
    )


def _days_to_completion(period: Period) -> Any:
    return Subquery(
        _completed_in(period)
        .order_by()
        .values("case")
        .annotate(d=Avg(DaysBetween(F("closed_at"), F("created_at"))))
        .values("d")[:1],
        output_field=FloatField(),
    )


register_population(
    Population(
        code="referred",
        label=_("People referred in the year"),
        queryset=lambda period: Case.objects.filter(
            pk__in=_all_referrals_in(period).values("case_id")
        ),
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=None,
        counted=_("people"),
        stats={
            "made": Stat(lambda period: _count_of(_referrals_in(period))),
            # Zero becomes "no value": the total is shown only for a group of at least
            # five people who had one accepted (completed), never "2 accepted".
            "accepted": Stat(lambda period: NullIf(_count_of(_accepted(period)), 0)),
            "completed": Stat(lambda period: NullIf(_count_of(_completed_in(period)), 0)),
            "days": Stat(_days_to_completion, top_code=365),
        },
    )
)
register(
    Indicator(
        code="referred",
        name=_("People referred to services"),
        definition=_("People for whom at least one referral was sent in the year."),
        numerator=_("People with a referral sent in the year"),
        denominator=None,
        kind="count",
        population="referred",
        period=YEAR_FLOW,
    )
)
for code, name, definition in (
    (
        "made",
        _("Referrals made"),
        _("Referrals sent in the year, for the people referred."),
    ),
    (
        "accepted",
        _("Referrals accepted"),
        _(
            "Referrals sent in the year that the receiving service accepted; shown only "
            "for groups of people with an accepted referral large enough to publish."
        ),
    ),
    (
        "completed",
        _("Referrals completed"),
        _("Referrals sent in the year and completed by the end of the year."),
    ),
):
    register(
        Indicator(
            code=f"referrals_{code}",
            name=name,
            definition=definition,
            numerator=name,
            denominator=None,
            kind="sum",
            population="referred",
            measure=code,
            period=YEAR_FLOW,
        )
    )
register(
    Indicator(
        code="referral_days_to_completion",
        name=_("Days from referral to completion"),
        definition=_(
            "For people with a referral sent and completed in the year: the mean, over "
            "people, of their mean number of days from sending to completion. The maximum "
            "is capped at 365 days."
        ),
        numerator=_("Days from sending to completion"),
        denominator=_("People with a completed referral"),
        kind="mean",
        population="referred",
        measure="days",
        period=YEAR_FLOW,
    )
)
