from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "tirek.referrals"
    verbose_name = _("Referrals and service directory")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
