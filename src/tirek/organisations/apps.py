from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class OrganisationsConfig(wiring.AppConfig):
    name = "tirek.organisations"
    verbose_name = _("Organisations")
