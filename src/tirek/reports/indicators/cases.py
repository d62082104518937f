"""Indicators of cases: registered, active, closed; the period notes every block uses."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tirek.cases.models import Case, CaseStatus

from ..dimensions import case_dimensions, quarter
from ..periods import Period
from ..registry import Indicator, Population, SplitDef, register, register_population

YEAR_FLOW = _("Calendar year; counted when the event falls in the year.")
YEAR_STOCK = _("At the end of the calendar year (today for the current year).")


# Outcomes measured on these two populations are added by the blocks below when their
# source app is installed (a split must be protected in the same cube as its population).
REGISTERED_SPLITS: dict[str, SplitDef] = {}
ACTIVE_SPLITS: dict[str, SplitDef] = {}


def _opened_in(period: Period) -> Q:
    return Q(opened_at__gte=period.start, opened_at__lt=period.end)


def _active_at_end(period: Period) -> Q:
    open_then = Q(closed_at__isnull=True) & ~Q(status=CaseStatus.CLOSED)
    return Q(opened_at__lt=period.end) & (open_then | Q(closed_at__gte=period.end))


register_population(
    Population(
        code="registered",
        label=_("People registered in the year"),
        queryset=lambda period: Case.objects.filter(_opened_in(period)),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=lambda period: quarter("opened_at", period),
        counted=_("people"),
        splits=REGISTERED_SPLITS,
    )
)

register_population(
    Population(
        code="active",
        label=_("People in the programme at the end of the year"),
        queryset=lambda period: Case.objects.filter(_active_at_end(period)),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        counted=_("people"),
        splits=ACTIVE_SPLITS,
    )
)

register_population(
    Population(
        code="closed",
        label=_("Cases closed in the year"),
        queryset=lambda period: Case.objects.filter(
            closed_at__gte=period.start, closed_at__lt=period.end
        ),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=lambda period: quarter("closed_at", period),
        counted=_("cases"),
    )
)

register(
    Indicator(
        code="registered",
        name=_("People registered"),
        definition=_(
            "Children and adults whose case was opened in the year (registration on return "
            "or identification). A person has at most one open case at a time."
        ),
        numerator=_("Cases opened in the year"),
        denominator=None,
        kind="count",
        population="registered",
        disaggregations=("region", "phase", "sex", "age_band", "agency", "quarter"),
        period=YEAR_FLOW,
        unit_label=_("people"),
    )
)

register(
    Indicator(
        code="active",
        name=_("People in the programme, by phase"),
        definition=_(
            "People with an open case at the end of the year, by the phase of their case "
            "(rehabilitation, reintegration, monitoring)."
        ),
        numerator=_("Cases open at the end of the year"),
        denominator=None,
        kind="count",
        population="active",
        disaggregations=("phase", "region", "sex", "age_band", "agency"),
        period=YEAR_STOCK,
        unit_label=_("people"),
    )
)

register(
    Indicator(
        code="closed",
        name=_("Cases closed"),
        definition=_("Cases closed in the year against the closure criteria."),
        numerator=_("Cases closed in the year"),
        denominator=None,
        kind="count",
        population="closed",
        disaggregations=("region", "phase", "sex", "age_band", "agency", "quarter"),
        period=YEAR_FLOW,
        unit_label=_("cases"),
    )
)
