from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "tirek.incidents"
    verbose_name = _("Stigma and discrimination incidents")

    def ready(self) -> None:
        from tirek.cases.panels import add_panel
        from tirek.core.registry import add_api_router, add_demo_loader, add_my_work_panel, add_urls

        from . import api, demo, indicators, panels  # noqa: F401  (indicators register themselves)

        add_urls("incidents/", "tirek.incidents.urls")
        add_api_router("/incidents", api.router)
        add_my_work_panel(23, panels.my_actions_panel)  # next to the plan tasks (20-22)
        add_demo_loader(91, demo.load)  # after the justice demo (the mother on probation)
        add_panel(72, panels.case_panel, tab="incidents")
