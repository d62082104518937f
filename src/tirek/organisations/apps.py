from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class OrganisationsConfig(wiring.AppConfig):
    name = "tirek.organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        super().ready()
        from tirek.core.registry import organisation_names

        from . import selectors

        organisation_names.update(
            agency=selectors.agency_names,
            unit=selectors.unit_names,
            region=selectors.region_names,
        )
