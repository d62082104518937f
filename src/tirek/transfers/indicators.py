"""Indicators of transfers (issue #17): cases transferred into and out of each region in
the year. Registered with the report framework (``tirek.reports.registry``) when the
transfers app is ready, so the reports app's own definitions stay untouched; counts go
through the same cube and suppression as every other indicator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Transfer, TransferStatus

if TYPE_CHECKING:
    from tirek.reports.periods import Period


def _accepted_in(period: Period) -> QuerySet[Transfer]:
    return Transfer.objects.filter(
        status=TransferStatus.ACCEPTED, decided_at__gte=period.start, decided_at__lt=period.end
    )


def register_all() -> None:
    from tirek.reports.dimensions import quarter
    from tirek.reports.indicators import YEAR_FLOW
    from tirek.reports.registry import Indicator, Population, register, register_population

    for code, side, label, name, definition in (
        (
            "transfers_in",
            "to",
            _("Cases transferred into the region in the year"),
            _("Transfers in"),
            _(
                "Cases whose transfer to a unit of the region was accepted in the year, "
                "counted in the receiving region."
            ),
        ),
        (
            "transfers_out",
            "from",
            _("Cases transferred out of the region in the year"),
            _("Transfers out"),
            _(
                "Cases whose transfer from a unit of the region to another unit was "
                "accepted in the year, counted in the region they left."
            ),
        ),
    ):
        register_population(
            Population(
                code=code,
                label=label,
                queryset=_accepted_in,
                region=f"{side}_region_id",
                unit=f"{side}_unit_id",
                quarter=lambda period: quarter("decided_at", period),
                counted=_("cases"),
            )
        )
        register(
            Indicator(
                code=code,
                name=name,
                definition=definition,
                numerator=_("Transfers accepted in the year"),
                denominator=None,
                kind="count",
                population=code,
                disaggregations=("region", "quarter"),
                period=YEAR_FLOW,
                unit_label=_("cases"),
            )
        )
