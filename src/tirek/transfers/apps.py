from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "tirek.transfers"
    verbose_name = _("Transfers and group arrivals")

    def ready(self) -> None:
        from tirek.core.registry import add_api_router, add_demo_loader, add_my_work_panel, add_urls

        from . import api, demo, indicators, panels

        add_urls("transfers/", "tirek.transfers.urls")
        add_api_router("/transfers", api.router)
        add_my_work_panel(41, panels.transfers_panel)
        indicators.register_all()
        add_demo_loader(66, demo.load)  # after the demo programme's moves (order 65)
