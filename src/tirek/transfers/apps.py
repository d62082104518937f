from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "tirek.transfers"
    verbose_name = _("Transfers and group arrivals")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
