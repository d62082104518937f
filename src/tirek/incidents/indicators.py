"""The ministry's aggregates of stigma and discrimination incidents (issue 16, part 4).

One population, the incidents that happened in the year, counted by type, region and
quarter. It is computed and published by ``tirek.reports`` like every other indicator —
the same cube, the same small-cell suppression and the same complementary protection
(``tirek.reports.sdc``) — and registered from this module, imported by this app's
``ready()``, so the reports app is not edited. An incident counts once, in the region of
the first case it was linked to; no person, case or narrative leaves this module.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import CharField, Expression, ExpressionWrapper, F, Value, When
from django.utils.translation import gettext_lazy as _

from tirek.reports.cube import Dimension
from tirek.reports.dimensions import LABELS
from tirek.reports.periods import Period
from tirek.reports.registry import (
    DIMENSION_LABELERS,
    POPULATION_DIMENSIONS,
    Indicator,
    Population,
    register,
    register_population,
)

from .models import Incident, IncidentType

DIMENSION = "incident_type"


def _incidents(period: Period) -> Any:
    return Incident.objects.filter(
        occurred_on__gte=period.first_day, occurred_on__lte=period.last_day
    )


def _quarter(period: Period) -> Expression:
    starts = [d.date() for d in period.quarter_starts()]
    return SqlCase(
        When(occurred_on__lt=starts[0], then=Value("q1")),
        When(occurred_on__lt=starts[1], then=Value("q2")),
        When(occurred_on__lt=starts[2], then=Value("q3")),
        default=Value("q4"),
        output_field=CharField(),
    )


def _dimensions(period: Period) -> dict[str, Expression | F]:
    return {DIMENSION: ExpressionWrapper(F("kind"), output_field=CharField())}


def _type_dimension(rows: list[dict[str, Any]]) -> Dimension:
    return Dimension(DIMENSION, LABELS[DIMENSION], tuple(IncidentType.choices))


LABELS[DIMENSION] = _("Type of incident")
POPULATION_DIMENSIONS[DIMENSION] = _type_dimension
DIMENSION_LABELERS[DIMENSION] = lambda codes: dict(IncidentType.choices)

register_population(
    Population(
        code="incidents",
        label=_("Stigma and discrimination incidents in the year"),
        queryset=_incidents,
        region="region_id",
        unit="unit_id",
        dimensions=_dimensions,
        quarter=_quarter,
        counted=_("incidents"),
    )
)
register(
    Indicator(
        code="stigma_incidents",
        name=_("Stigma and discrimination incidents"),
        definition=_(
            "Incidents of stigma or discrimination met by the people in the programme "
            "(bullying at school, hate speech, refusal of a service, exposure of a child's "
            "background, violence, other) that happened in the year, by the date they "
            "happened. An incident that concerns several people counts once, in the region "
            "of the first case it was recorded on."
        ),
        numerator=_("Incidents"),
        denominator=None,
        kind="count",
        population="incidents",
        disaggregations=(DIMENSION, "region", "quarter"),
        period=_("Calendar year; counted when the incident happened in the year."),
    )
)
